// The plan of `platformctl apply`: from the desired state, the catalog, the translator
// descriptions and the current status, what to do for each platform (nothing, enable,
// disable) and why. Pure: the applier (core/apply/applier.h) carries it out through the
// broker, whose protections (BOINC tasks, conflicts, verification) hold as for enable and
// disable.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "apply/desired_state.h"
#include "broker/broker.h"
#include "catalog.h"
#include "fidelity/translator.h"

namespace platformd {

enum class ApplyAction { none, enable, disable };

// One platform as a status shows it; `before` and `after` of a report.
struct PlatformSnapshot {
  bool enabled = false;
  PlatformState state = PlatformState::unavailable;
  std::string translator;  // interpreter serving it, "" when none
  Fidelity fidelity = Fidelity::unverified;
  std::optional<double> speed_ratio;
  std::string reason;
};

PlatformSnapshot snapshot_of(const PlatformStatus& s);

struct PlannedPlatform {
  std::string arch;
  std::string boinc_name;
  DesiredState desired = DesiredState::enabled;
  bool listed = true;  // named in the file; false: an enabled platform "others": "disabled" withdraws
  ApplyAction action = ApplyAction::none;
  std::string why;  // why the action (or why none): "enabled, but not verified yet"
  PlatformSnapshot before;
  // For an enable: the options the file gives it. translator is resolved to a path.
  bool strict = false;
  bool allow_slow = false;
  std::optional<std::string> translator;
  std::optional<Scope> scope;
};

// Every catalog platform the file names, in the file's order, then the ones "others" touches.
// Errors (bad_config, naming the file and entry; nothing is to be done): an unknown platform
// (the message lists the known ones), one platform named twice (also through an alias), a
// translator that is not described for that platform.
Result<std::vector<PlannedPlatform>> plan_apply(const DesiredStateFile& d, const Catalog& catalog,
                                                const std::vector<TranslatorSpec>& translators,
                                                const StatusReport& status);

std::string_view to_string(ApplyAction a);

}  // namespace platformd
