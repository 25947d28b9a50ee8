// Carrying out an apply plan: status, plan, then disable and enable one platform at a time
// through the broker (so each platform gets its own options, its own verdict and its own
// error, and the broker's protections hold: BOINC tasks, conflicts, verification), then a
// status again for the after. `check` stops after the plan and changes nothing.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "apply/apply_plan.h"
#include "apply/desired_state.h"
#include "broker/broker.h"
#include "system/machine.h"

namespace platformd {

struct ApplyOptions {
  bool check = false;  // report what would change, change nothing
  bool restart_boinc = true;
};

enum class ApplyOutcome {
  unchanged,     // already as the file says
  changed,       // brought to what the file says
  would_change,  // check: would be changed
  failed,        // could not be brought there: `error` says why
};

struct ApplyItem {
  std::string arch;
  std::string boinc_name;
  DesiredState desired = DesiredState::enabled;
  bool listed = true;
  ApplyAction action = ApplyAction::none;
  ApplyOutcome outcome = ApplyOutcome::unchanged;
  PlatformSnapshot before;
  // After the run. In check mode the prediction: `before` with `enabled` as the file wants it.
  PlatformSnapshot after;
  std::string reason;  // why the action or why none; for a failure the error's message
  std::optional<Error> error;
};

struct ApplyReport {
  std::string source;
  bool check = false;
  std::vector<ApplyItem> items;
  std::vector<std::string> lines;     // what the broker did, as enable and disable print it
  std::vector<std::string> warnings;  // from the broker (BOINC, kept handlers, ...)
  std::optional<Error> error;         // the first failure
  bool changed = false;               // anything changed (check: would change)
};

// Loads the catalog and translators (through the broker's Machine), asks `b` for the status, plans and
// (unless check) carries the plan out. An error here means nothing was changed: the file
// names what the catalog does not know, a platform twice, an undescribed translator, or an
// option this broker does not support. A failure of one platform is in its item instead, and
// the others still run (like enable and disable, the first error is kept in `error`).
Result<ApplyReport> apply_desired_state(Broker& b, const DesiredStateFile& d, const ApplyOptions& o);

// The check alone, pure: the plan of `d` against a status taken before (the daemon's
// snapshot), as apply_desired_state with check=true reports it. Reads nothing.
Result<ApplyReport> check_desired_state(const DesiredStateFile& d, const Catalog& catalog,
                                        const std::vector<TranslatorSpec>& translators, const StatusReport& before);

// 0 in sync (nothing changed, or check: nothing would), exit_code::changed when something
// changed (or would), the first failure's class otherwise.
int apply_exit_code(const ApplyReport& r);

std::string_view to_string(ApplyOutcome o);

}  // namespace platformd
