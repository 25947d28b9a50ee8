// Asking a running platformd over D-Bus instead of acting directly. platformctl tries these
// first; each returns the same core struct the Broker would, so the CLI prints the same output
// and exits with the same code either way (D-Bus error names map back to exit-code classes,
// core/dbus/dbus_names.h).
//
// The bus is the system bus, or PLATFORMD_BUS_ADDRESS when set (tests: a private dbus-daemon).
// Result meanings:
//   value(nullopt)  the daemon is not reachable: no bus, or the name has no owner and cannot be
//                   activated. The caller falls back to direct mode.
//   value(report)   the daemon did it.
//   error           the daemon answered with an error (refused, conflict, access denied, ...),
//                   or the bus broke mid-call. The message is ready to print.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "apply/applier.h"
#include "broker/broker.h"
#include "result.h"

namespace platformd {

Result<std::optional<StatusReport>> try_status_via_daemon();
Result<std::optional<ChangeReport>> try_enable_via_daemon(const std::vector<std::string>& names,
                                                          const ChangeOptions& o);
Result<std::optional<ChangeReport>> try_disable_via_daemon(const std::vector<std::string>& names,
                                                           const ChangeOptions& o);
// VerifyOptions::translator (testing an arbitrary binary) is not offered over D-Bus: the daemon
// would run a caller-chosen file as root. With it set this returns nullopt (direct mode).
Result<std::optional<std::vector<VerifyResult>>> try_verify_via_daemon(const std::vector<std::string>& names,
                                                                       const VerifyOptions& o);

// Apply sends the desired-state document's TEXT (source only names it in messages): the
// daemon must never open a file the caller names, as root. A check needs no authorisation.
Result<std::optional<ApplyReport>> try_apply_via_daemon(const std::string& document, const std::string& source,
                                                        const ApplyOptions& o);

}  // namespace platformd
