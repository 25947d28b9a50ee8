// Broker: the operations platformctl and platformd offer (status, enable, disable, verify,
// reconcile, purge), written once against a Machine and Paths. The CLI's direct mode and the daemon
// both call these; the daemon adds D-Bus, authorisation and events around them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "boinc/uptake.h"
#include "catalog.h"
#include "fidelity/impact.h"
#include "fidelity/verify_result.h"
#include "host.h"
#include "result.h"
#include "state.h"
#include "system/machine.h"
#include "system/paths.h"

namespace platformd {

// Where a platform stands on this machine. A string only at the edges (JSON, D-Bus, text):
// to_string() and platform_state_from() are that spelling, in one place.
enum class PlatformState {
  native,       // the kernel runs its programs (the userland's own, or a proven compat platform)
  emulated,     // enabled, a handler serves it and it verified with that very translator file
  available,    // not enabled; a usable translator and its probe are installed
  unavailable,  // cannot be served now: `reason` says why
  withdrawing,  // disabled; the handler stays while the BOINC client still lists it
};
std::string_view to_string(PlatformState s);
std::optional<PlatformState> platform_state_from(std::string_view s);

struct PlatformStatus {
  std::string arch;
  std::string boinc_name;
  bool boinc_canonical = true;
  PlatformState state = PlatformState::unavailable;
  bool enabled = false;    // the administrator's choice
  std::string translator;  // interpreter path (ours or an adopted entry's)
  std::string handler;     // binfmt_misc entry name serving it, if any
  std::string reason;      // why it is not emulated/native, or a warning
  Fidelity fidelity = Fidelity::unverified;
  std::optional<double> speed_ratio;     // emulated/native, geometric mean of FP and integer kernels
  std::optional<bool> boinc_reports;     // the running client lists it (unset: client not reachable)
  std::string verdict;                   // one line by impact class (fidelity/impact.h), "" unless verified
  std::vector<std::string> candidates;   // the translator candidates of the last choice (candidate_line)
  std::string why_chosen;                // why the translator was chosen
  std::vector<std::string> abort_risks;  // projects whose tasks of it BOINC will abort (speed_gate.h)
  Scope scope = Scope::global;           // where its handler serves (state.h)
};

struct StatusReport {
  HostInfo host;
  std::vector<PlatformStatus> platforms;
  // For each enabled foreign platform, per attached project: what the project's scheduler did
  // (boinc/uptake.h). Empty when no client answers or nothing foreign is enabled.
  std::vector<PlatformUptake> uptake;
  std::vector<std::string> notes;  // e.g. "state file was corrupt; rebuilt from the kernel table"
};

// Reads rep.uptake again from the running client, for rep's enabled foreign platforms: the
// BOINC client's tasks and messages are no input the daemon watches, so the uptake of its
// snapshot may be seconds or minutes old; platformctl status refreshes it so (three bounded GUI
// RPC reads that need no privilege).
void refresh_uptake(Machine& m, const Paths& p, StatusReport& rep);

struct ChangeOptions {
  bool force = false;       // disable even though BOINC tasks exist
  bool strict = false;      // fidelity: any deviation blocks
  bool allow_slow = false;  // enable a platform even below kTooSlowRatio (fidelity/speed_gate.h)
  bool restart_boinc = true;
  // disable: keep (and report as warnings) the platforms BOINC holds tasks of, withdraw the
  // others, and succeed, instead of refusing the whole call. For package removal (prerm).
  bool keep_busy = false;
  // enable: register with this translator binary only (a path from emulators/*.json), not
  // the first usable one. Unset: the first usable one, as before.
  std::optional<std::string> translator;
  // enable: when another tool's entry already claims the platform's programs, disable it
  // (BinfmtTable::set_enabled; never removed or edited) and register ours instead, if ours
  // verifies. Given back (enabled again) when the platform is disabled.
  bool take_over = false;
  // enable: where the handler serves (state.h). Unset: global, as before. Scope::boinc verifies
  // in a scratch namespace like BOINC's and registers nothing in the machine's table.
  std::optional<Scope> scope;
  // Internal: enable's probes run in this process's namespaces (the scratch one of scope boinc).
  pid_t verify_in_namespace_of = 0;
};

// One line per platform touched, plus what happened to BOINC.
// A batch keeps going past a failing platform (like systemd-binfmt) and keeps the first error.
struct ChangeReport {
  std::vector<std::string> lines;
  std::vector<std::string> warnings;
  std::optional<Error> error;
  bool changed = false;
  // A handler waits for the BOINC client to stop listing its platform (Choice::withdrawing):
  // nothing here changes when that happens, so the daemon reconciles again at every trigger.
  bool awaiting_client = false;
};

struct VerifyOptions {
  bool strict = false;
  bool allow_slow = false;                // a too-slow platform passes (with its warning)
  std::optional<std::string> translator;  // test this translator directly, registering nothing
  bool native = false;                    // run the probes natively, registering nothing
};

class Broker {
 public:
  Broker(Machine& m, Paths p);

  Result<StatusReport> status();
  Result<ChangeReport> enable(const std::vector<std::string>& names, const ChangeOptions& o);
  Result<ChangeReport> disable(const std::vector<std::string>& names, const ChangeOptions& o);
  Result<std::vector<VerifyResult>> verify(const std::vector<std::string>& names, const VerifyOptions& o);
  // Brings the kernel table and cc_config.xml in line with the state file. Returns what it did.
  Result<ChangeReport> reconcile();
  // Removes everything platformd put on the machine (handlers, <alt_platform> entries, rc
  // blocks; the entries it took over enabled again), whatever BOINC holds. Needs only the
  // state file, not the package's data: the package's purge runs it (broker/purge.cc).
  Result<ChangeReport> purge();
  // Registers into BOINC's own binfmt_misc instance (system/boinc_namespace.h), reached at
  // `instance_dir`, the handler of every platform enabled for BOINC (broker/boinc_instance.cc).
  Result<ChangeReport> fill_boinc_instance(const fs::path& instance_dir);

  const Paths& paths() const { return paths_; }
  Machine& machine() { return m_; }  // for operations built on the broker (core/apply/)
  struct Session;                    // what one operation loads before deciding (broker.cc)

 private:
  Machine& m_;
  Paths paths_;
};

}  // namespace platformd
