// The administrator's choice and what we own, persisted as JSON in STATE_DIR/state.json.
// It is the source of truth the daemon reconciles the kernel table and cc_config.xml to.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fidelity/fidelity_verdict.h"
#include "result.h"
#include "system/machine.h"
#include "system/paths.h"

namespace platformd {

// The last verification of a platform, valid while the translator file is the same
// (path, inode, size, mtime: F pins an inode, so a replaced file needs a new check).
struct VerifyRecord {
  std::string translator_identity;
  std::string probe_identity;  // the probe file the verdict was measured with (same form)
  Fidelity fidelity = Fidelity::unverified;
  bool passed = false;
  std::string reason;    // why it failed, or the warning
  double fp_ratio = 0;   // emulated speed / native speed, FP kernel
  double int_ratio = 0;  // same, integer kernel
  // The translator candidates verified when this one was chosen, one line each
  // (candidate_line), and why it was chosen; empty when there was no choice to make.
  std::vector<std::string> candidates;
  std::string why_chosen;
  std::string verdict;                 // the one-line verdict by impact class
  std::vector<std::string> differing;  // impact classes that deviate, in report order
  std::vector<std::string> blocking;   // of which block under the policy it was judged by
  std::string guest_cpu;               // VerifyResult::guest_cpu ("" in state files from before)
};

// Host facts that need probe runs to establish; recomputed when the kernel changes.
struct HostCache {
  std::string kernel;                      // uname release + machine the facts were proven on
  std::vector<std::string> native_compat;  // archs proven to run natively
  std::vector<std::string> undetermined;   // archs whose probe gave no answer: probed again next time
};

// Where a platform's handler serves (issue 21, docs/scoped.md): the machine's one binfmt_misc
// table, for every program; or the instance of BOINC's own user namespace, for BOINC's tasks
// alone, so that the machine's table stays as its owner set it (box64's entry, say).
enum class Scope { global, boinc };
std::string_view to_string(Scope s);  // "global" | "boinc"
std::optional<Scope> scope_from(std::string_view s);

struct State {
  int version = 1;
  std::vector<std::string> enabled;              // archs the administrator enabled, sorted
  std::vector<std::string> owned_alt_platforms;  // BOINC names we added to cc_config.xml
  bool owned_options = false;                    // cc_config.xml's <options> is one we created
  std::map<std::string, VerifyRecord> verified;  // arch -> last verification
  HostCache host;
  // Disabled archs whose handler of ours stays because the BOINC client still lists them
  // (see Choice::withdrawing), sorted.
  std::vector<std::string> withdrawing;
  // enable --take-over: arch -> other tools' entries we disabled so that ours serves the
  // platform. Kept disabled while the platform is enabled (a reconcile disables them again
  // when their tool registers them anew), enabled again when our handler goes.
  std::map<std::string, std::vector<std::string>> taken_over;
  // When each withdrawing platform with a taken-over entry began its withdrawal (Unix seconds):
  // the other tool's entry is given back after Paths::take_over_release_after at the latest,
  // whatever answers on the GUI RPC port or sits at cc_config.xml (issue 20).
  std::map<std::string, std::int64_t> withdrawing_since;
  // Translator rc files in the BOINC client's home that hold a block of ours (".box64rc"),
  // and those of them platformd created (removed again with the block). boinc/rc_home.h.
  std::vector<std::string> rc_files;
  std::vector<std::string> rc_created;
  // Platforms whose scope is not global (absent: Scope::global, as every state file before it).
  std::map<std::string, Scope> scope;
  Scope scope_of(std::string_view arch) const;
};

// The administrator's choice for one platform, as far as it has been carried out.
enum class Choice {
  disabled,  // no handler of ours
  enabled,   // registered (once it verifies) and advertised
  // Disabled and no longer advertised, but the handler stays: the running BOINC client builds
  // its platform list only at start, so until it is restarted it goes on listing the platform
  // and fetching its tasks, which need the handler to run. Removed at the first reconcile
  // (or change) that sees the client's list without it, or no client at all.
  withdrawing,
};
Choice choice_of(const State& s, std::string_view arch);
std::string_view to_string(Choice c);  // "disabled" | "enabled" | "withdrawing"

Result<State> parse_state(std::string_view json_text, std::string_view source);
std::string serialize_state(const State& s);

fs::path state_file(const Paths& p);
fs::path lock_file(const Paths& p);
// A missing file is the empty state. A corrupt one is an error whose message names the file;
// callers recover by rebuilding from the kernel table and cc_config.xml (broker.cc).
Result<State> load_state(Machine& m, const Paths& p);
Result<void> save_state(Machine& m, const Paths& p, const State& s);

}  // namespace platformd
