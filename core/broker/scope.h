// Emulation for BOINC alone (issue 21, docs/scoped.md): enabling a platform in BOINC's scope,
// verified in a scratch namespace made like BOINC's, registering nothing in the machine's
// table; filling BOINC's instance (the launcher) and healing it (reconcile).
#pragma once

#include "broker/broker.h"
#include "broker/session.h"
#include "result.h"
#include "system/machine.h"
#include "system/paths.h"

namespace platformd {

// Enables run.platforms with Scope::boinc (called by Broker::enable, which finishes the change).
// A platform enabled in the global scope is refused (disable it first).
void enable_in_boinc_scope(Machine& m, const Paths& p, ChangeRun& run, const ChangeOptions& o);

// Registers into the binfmt_misc instance at `instance_dir` the handler of every platform
// enabled for BOINC (Broker::fill_boinc_instance, for the launcher; reconcile, to heal).
Result<void> fill_instance(Machine& m, const Paths& p, const Session& s, const fs::path& instance_dir,
                           ChangeReport& rep);
// Reconcile's part: while the client platformd-boinc-launch started runs (system/launch_record.h),
// a handler missing from its instance (removed, or the instance made anew) is put back.
void heal_boinc_instance(Machine& m, const Paths& p, const Session& s, ChangeReport& rep);

}  // namespace platformd
