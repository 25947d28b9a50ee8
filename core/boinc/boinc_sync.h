// The BOINC side of platformd in one call: make cc_config.xml advertise exactly the platforms
// that are enabled and verified, keep the user's own entries, protect unfinished work, restart
// the client when that is what applies the change, and confirm what the client now reports.
// The broker calls these; the core does not log, so everything a person should read is in the
// report's lines and warnings.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "boinc/boinc_locate.h"
#include "boinc/boinc_service.h"
#include "boinc/boinc_state.h"
#include "boinc/cc_config.h"
#include "result.h"
#include "state.h"
#include "system/machine.h"
#include "system/paths.h"

namespace platformd {

struct BoincSyncOptions {
  bool restart = true;  // restart boinc-client.service when the change needs it
  bool force = false;   // withdraw a platform even though unfinished tasks use it
  // For the restart job plus the client answering GUI RPC again.
  std::chrono::milliseconds restart_timeout{60000};
  BoincServiceControl* service = nullptr;  // null: systemd on the system bus
  BoincSystemFiles files;                  // where the unit/default files are looked for
};

enum class BoincRestart {
  not_needed,   // nothing changed and the running client (if any) already agrees
  done,         // boinc-client.service was restarted and answers again
  needed,       // a restart is needed and was not done: `restart_command` says how
  not_running,  // no client runs; the change applies when it starts
  failed,       // the restart was tried and failed: see warnings
};

struct BoincSyncReport {
  fs::path data_dir;
  std::string data_dir_how;  // how the data directory was found
  fs::path cc_config;        // the real file (symlinks resolved)
  bool through_symlink = false;
  bool changed = false;  // the file was written
  std::vector<std::string> added, removed;
  std::vector<AltPlatformEntry> user_entries;
  bool no_alt_platform = false;
  BoincRestart restart = BoincRestart::not_needed;
  std::string restart_command;  // set when restart == needed or not_running
  // The running client's platform list after any restart; nullopt: no client answered.
  std::optional<std::vector<std::string>> client_platforms;
  // Something answered get_state, but not with a client's state (an error, past the limits):
  // whether a client lists a platform is then unknown.
  bool client_unreadable = false;
  std::vector<std::string> not_listed;  // advertised, but the running client does not list them
  std::vector<std::string> lines;       // what happened, for a person
  std::vector<std::string> warnings;
};

// Makes our <alt_platform> entries equal to `advertised_boinc_names` (the BOINC names of the
// platforms enabled AND verified), then restarts/confirms as above. Updates
// state.owned_alt_platforms; the CALLER saves the state, right away, since from now on the
// file holds entries only the state says are ours.
// Errors (the file is then unchanged): malformed cc_config.xml (bad_config, names file:line);
// a symlink outside the BOINC directories (bad_config); unfinished tasks of a platform to be
// withdrawn, unless options.force (work_at_risk, lists the tasks); the client's state cannot be
// read while a platform is being withdrawn, unless force (work_at_risk); I/O (failure).
Result<BoincSyncReport> sync_alt_platforms(Machine& m, const Paths& p, State& state,
                                           const std::vector<std::string>& advertised_boinc_names,
                                           const BoincSyncOptions& options = {});

// Unfinished tasks of the given BOINC platforms: the union of what the running client says
// (get_state) and the client's own state files (read_client_holdings). Empty when there is no
// state. `sources`, when given, receives where they were read (for messages). `rpc`, when
// given, is a get_state answer the caller already has (client_state's result): not asked again.
Result<std::vector<BoincTask>> tasks_for_platforms(Machine& m, const Paths& p, const std::vector<std::string>& names,
                                                   const BoincSyncOptions& options = {}, std::string* sources = nullptr,
                                                   const Result<std::optional<BoincClientState>>* rpc = nullptr);

// The running client's state (get_state); nullopt when no client answers on
// Paths::gui_rpc_port. An answer that is not a GUI RPC reply is an error.
Result<std::optional<BoincClientState>> client_state(Machine& m, const Paths& p);

// The running client's effective platform list (primary first); nullopt when no client answers
// on Paths::gui_rpc_port. An answer that is not a GUI RPC reply is an error.
Result<std::optional<std::vector<std::string>>> client_platforms(Machine& m, const Paths& p);

}  // namespace platformd
