// The names and wire types of platformd's D-Bus API, shared by the daemon (daemon/) and the
// client the CLI uses (core/dbus/dbus_client.h), so both sides cannot drift apart. The API is
// documented in docs/dbus.md; the introspection XML is systemd/io.github.platformd1.xml.
//
// Why "io.github.platformd1": we own no DNS domain, so the name follows the io.github.<project>
// convention; the trailing 1 versions the whole API the way org.usbguard1 does. An incompatible
// change gets io.github.platformd2 (new name, new object, new interface), served side by side.
#pragma once

#include <optional>
#include <string_view>

#include "exit_codes.h"

namespace platformd::dbus {

inline constexpr const char* kBusName = "io.github.platformd1";
inline constexpr const char* kObjectPath = "/io/github/platformd1";
inline constexpr const char* kInterface = "io.github.platformd1.Broker";

// Environment variable that points daemon and client at another bus (tests: a private
// dbus-daemon). Unset: the system bus.
inline constexpr const char* kBusAddressEnv = "PLATFORMD_BUS_ADDRESS";

// Wire types (see docs/dbus.md for the meaning of each field).
// PlatformStatus: arch, boinc_name, boinc_canonical, state, enabled, translator, handler,
//                 reason, fidelity, speed_ratio (-1 = not measured), boinc_reports
//                 (1 listed by the running client, 0 not listed, -1 client not reachable),
//                 verdict (one line by impact class), candidates (one line each), choice,
//                 abort_risks (projects whose tasks BOINC will abort), scope ("global" or
//                 "boinc": where its handler serves).
inline constexpr const char* kPlatformStatusType = "(ssbsbssssdisassass)";
// GetUptake's item (boinc/uptake.h): platform, project, url, waiting, running, to_report,
// reported_last_hour, versions a(app, version_num, plan_class), last scheduler reply (time in
// Unix seconds, 0 for none; tasks got, -1 when none were asked for; the server's words).
inline constexpr const char* kUptakeType = "(sssiiiia(sis)(xias))";
// CategoryResult: category, exact, blocking, first_difference.
inline constexpr const char* kCategoryType = "(sbbs)";
// VerifyResult: arch, translator, runs, run_detail, categories, fidelity,
//               fp_ratio, int_ratio (-1 = not measured), slow_risk, passed, candidates (one
//               line each, when the translator was chosen among several), choice.
inline constexpr const char* kVerifyResultType = "(ssbsa(sbbs)sddbbass)";

// polkit actions (systemd/io.github.platformd1.policy). One per operation, so an administrator
// can, for example, let a group verify without letting it enable.
inline constexpr const char* kActionEnable = "io.github.platformd1.enable";
// Enable with take_over: it disables another tool's entry, so it has its own action, stricter
// than enable (auth_admin every time, no keep): an administrator may allow enable alone.
inline constexpr const char* kActionTakeOver = "io.github.platformd1.take-over";
inline constexpr const char* kActionDisable = "io.github.platformd1.disable";
inline constexpr const char* kActionVerify = "io.github.platformd1.verify";
// Apply enables and disables as a desired-state file says (a check needs no authorisation).
inline constexpr const char* kActionApply = "io.github.platformd1.apply";

// D-Bus error names, one per exit-code class of the core (core/exit_codes.h), plus the
// authorisation failure. The client maps them back, so `platformctl` exits with the same code
// whether it ran the operation itself or asked the daemon.
inline constexpr const char* kErrorFailed = "io.github.platformd1.Error.Failed";
inline constexpr const char* kErrorUnknownPlatform = "io.github.platformd1.Error.UnknownPlatform";
inline constexpr const char* kErrorRefused = "io.github.platformd1.Error.Refused";
inline constexpr const char* kErrorConflict = "io.github.platformd1.Error.Conflict";
inline constexpr const char* kErrorVerifyFailed = "io.github.platformd1.Error.VerifyFailed";
inline constexpr const char* kErrorWorkAtRisk = "io.github.platformd1.Error.WorkAtRisk";
inline constexpr const char* kErrorBadConfig = "io.github.platformd1.Error.BadConfig";
inline constexpr const char* kErrorAccessDenied = "io.github.platformd1.Error.AccessDenied";

struct ErrorName {
  int code;
  const char* name;
};

inline constexpr ErrorName kErrorNames[] = {
    {exit_code::failure, kErrorFailed},
    {exit_code::usage, kErrorUnknownPlatform},
    {exit_code::refused, kErrorRefused},
    {exit_code::conflict, kErrorConflict},
    {exit_code::verify_failed, kErrorVerifyFailed},
    {exit_code::work_at_risk, kErrorWorkAtRisk},
    {exit_code::bad_config, kErrorBadConfig},
};

// The D-Bus error name for an exit-code class; unknown classes are plain failures.
inline const char* error_name_for(int code) {
  for (const auto& e : kErrorNames)
    if (e.code == code) return e.name;
  return kErrorFailed;
}

// The exit-code class for one of our error names; nullopt for foreign names.
inline std::optional<int> code_for_error_name(std::string_view name) {
  for (const auto& e : kErrorNames)
    if (name == e.name) return e.code;
  if (name == kErrorAccessDenied) return exit_code::failure;
  return std::nullopt;
}

}  // namespace platformd::dbus
