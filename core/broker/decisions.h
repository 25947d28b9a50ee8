// The broker's decisions, as pure functions of what an operation read (issue 19): no file,
// no table, no probe. Unit-tested on recorded inputs (tests/unit/decisions_test.cc).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "binfmt/binfmt_rule.h"
#include "binfmt/platform_plan.h"
#include "broker/broker.h"
#include "catalog.h"
#include "host.h"
#include "state.h"

namespace platformd {

// A stored verdict stands for a new registration when it passed with the same translator file
// and the same probe file (identities: system/machine.h file_identity), and is good enough for
// the policy asked for now (strict: exact only; allow_slow: below kTooSlowRatio too).
bool record_reusable(const VerifyRecord& r, std::string_view translator_identity, std::string_view probe_identity,
                     bool strict, bool allow_slow);

// BOINC's own binfmt_misc instance as status found it (issue 21): read only when a platform is
// scoped to BOINC.
struct BoincInstanceFacts {
  enum class Client {
    not_running,   // no client answers, and no client started by platformd-boinc-launch runs
    launched,      // the client platformd-boinc-launch started runs (system/launch_record.h)
    not_launched,  // a client answers on the GUI RPC port, but the launcher did not start it
  };
  Client client = Client::not_running;
  pid_t pid = 0;                                   // launched: the client's process
  std::optional<std::vector<BinfmtRule>> entries;  // launched: the instance's entries (unset: unreadable)
  std::string unreadable;                          // why, when unset
};

// Everything the status of one platform is decided from, read by Broker::status().
struct PlatformFacts {
  const Platform* platform = nullptr;
  const HostInfo* host = nullptr;
  const State* state = nullptr;
  const std::vector<BinfmtRule>* entries = nullptr;  // the kernel table (empty: unreadable)
  std::vector<Candidate> candidates;                 // candidates_for(), with their problems
  bool have_probe = true;                            // the platform's probe is installed
  std::string probe_missing;                         // why not, when it is not
  std::optional<std::vector<std::string>> client;    // the client's platforms (unset: not reachable)
  // Why the translator's rc-file settings (box64's block in the BOINC home) are not what BOINC's
  // tasks get now: "" when they are, or the translator has none (rc_home.h, rc_block_problem).
  std::string settings_problem;
  std::int64_t take_over_release_after = 600;  // Paths::take_over_release_after, seconds
  BoincInstanceFacts boinc_instance;           // for a platform scoped to BOINC
  // The file identity of each translator path involved (file_identity); "" when unknown.
  std::map<std::string, std::string> identities;
  std::string identity_of(const std::string& path) const;
};

// One platform's state (native, emulated, available, unavailable, withdrawing), its reason,
// handler, translator and recorded verdict. Abort risks are added by the caller (they need
// BOINC's tasks, read only for an emulated platform): finish_reason().
PlatformStatus decide_platform(const PlatformFacts& f);
// The warnings every state may carry, in order: abort risks (described), a BOINC name servers
// do not know, a client that advertises what this machine cannot run.
void finish_reason(PlatformStatus& ps, const Platform& pl, const std::vector<std::string>& abort_risks);

// What reconcile must do for one enabled platform, from the table and the state file alone.
// Two answers depend on whether BOINC holds tasks of it, which costs a GUI RPC exchange and is
// asked only then (never lose work: a failing platform keeps its handler while tasks need it).
enum class Repair {
  none,                 // healthy: our entry, enabled, verified with this translator file; or adopted
  native,               // enabled natively: no handler to register or repair
  failed_with_handler,  // failed with this very translator: remove the handler, unless BOINC's tasks need it
  failed_no_handler,    // failed with this very translator, no handler: nothing, unless the tasks need one again
  register_again,       // missing, disabled or a replaced translator file: register and verify again
};
struct RepairFacts {
  const Platform* platform = nullptr;
  const HostInfo* host = nullptr;
  const State* state = nullptr;
  const std::vector<BinfmtRule>* entries = nullptr;
  std::string first_candidate;                    // the first described translator's path ("" when none)
  std::map<std::string, std::string> identities;  // file identities, as in PlatformFacts
};
Repair decide_repair(const RepairFacts& f);
std::string_view to_string(Repair r);

}  // namespace platformd
