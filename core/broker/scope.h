// Emulation for BOINC alone (issue 21, docs/scoped.md): enabling a platform in BOINC's scope,
// verified in a scratch namespace made like BOINC's, registering nothing in the machine's
// table; filling BOINC's instance (the launcher) and healing it (reconcile).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "boinc/boinc_service.h"
#include "broker/broker.h"
#include "broker/session.h"
#include "result.h"
#include "system/machine.h"
#include "system/paths.h"

namespace platformd {

// The scope `enable` gives a platform not enabled yet when none is asked for (issue 21): boinc
// where the kernel gives a user namespace its own binfmt_misc (Linux 6.7) and systemd starts
// boinc-client.service through the launcher (the package's drop-in in place, no ExecStart=
// override); global elsewhere. `why` says which fact decided, for status and enable.
struct DefaultScope {
  Scope scope = Scope::global;
  std::string why;
};
// Pure. kernel_release: /proc/sys/kernel/osrelease ("6.12.95+deb12-amd64"); unit: systemd's
// view of boinc-client.service (unset: no systemd to ask).
DefaultScope decide_default_scope(std::string_view kernel_release, const std::optional<BoincUnit>& unit,
                                  const fs::path& launcher);
// The facts, read: the kernel's release and systemd's unit.
DefaultScope default_scope(Machine& m, const Paths& p);

// Enables run.platforms with Scope::boinc (called by Broker::enable, which finishes the change).
// One enabled in the global scope moves: verified in a namespace like BOINC's first, then its
// handler leaves the machine's table (another tool's entry it took over is given back); when
// the verification fails it stays global. Broker::enable has checked BOINC's tasks of it.
void enable_in_boinc_scope(Machine& m, const Paths& p, ChangeRun& run, const ChangeOptions& o);

// Registers into the binfmt_misc instance at `instance_dir` the handler of every platform
// enabled for BOINC (Broker::fill_boinc_instance, for the launcher; reconcile, to heal).
Result<void> fill_instance(Machine& m, const Paths& p, const Session& s, const fs::path& instance_dir,
                           ChangeReport& rep);
// Reconcile's part: while the client platformd-boinc-launch started runs (system/launch_record.h),
// a handler missing from its instance (removed, or the instance made anew) is put back. Only
// when some platform is scoped to BOINC, unless `always` (a platform just moved out of it).
void heal_boinc_instance(Machine& m, const Paths& p, const Session& s, ChangeReport& rep, bool always = false);

}  // namespace platformd
