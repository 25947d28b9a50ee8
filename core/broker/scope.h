// Emulation for BOINC alone (issue 21, docs/scoped.md): enabling a platform in BOINC's scope,
// verified in a scratch namespace made like BOINC's, registering nothing in the machine's
// table. Broker::fill_boinc_instance (scope.cc) is the other half: the launcher's.
#pragma once

#include "broker/broker.h"
#include "broker/session.h"
#include "result.h"
#include "system/machine.h"
#include "system/paths.h"

namespace platformd {

// Enables run.platforms with Scope::boinc (called by Broker::enable, which finishes the change).
// A platform enabled in the global scope is refused: it is disabled first (its handler goes
// from the machine's table, BOINC's tasks protected as by disable), then enabled here.
void enable_in_boinc_scope(Machine& m, const Paths& p, ChangeRun& run, const ChangeOptions& o);

}  // namespace platformd
