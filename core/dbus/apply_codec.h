// The apply report on the wire (D-Bus Apply, docs/dbus.md): one writer for the daemon, one
// reader for the client, side by side. sd-bus convention: >= 0 success, negative errno.
#pragma once

#include <systemd/sd-bus.h>

#include "apply/applier.h"

namespace platformd::dbus {

// ApplyItem: arch, boinc_name, desired, listed, action, outcome, reason,
//            before (enabled, state, translator, fidelity, speed_ratio (-1: none), reason),
//            after (the same), error_message, error_code (0: no error).
inline constexpr const char* kApplyItemType = "(sssbsss(bsssds)(bsssds)si)";

// a(...) platforms, as lines, as warnings, b changed.
int append_apply_report(sd_bus_message* m, const ApplyReport& r);
// Reads what append_apply_report wrote. Unknown enum spellings are -EBADMSG.
int read_apply_report(sd_bus_message* m, ApplyReport& out);

}  // namespace platformd::dbus
