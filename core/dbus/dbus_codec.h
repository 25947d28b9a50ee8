// The core's report structs on the wire: one writer and one reader per type, side by side, so
// the daemon (writes replies) and the client (reads them) agree by construction. The types
// are spelled in core/dbus/dbus_names.h and documented in docs/dbus.md.
//
// sd-bus convention: every function returns >= 0 on success, a negative errno on failure.
#pragma once

#include <string>
#include <vector>

#include <systemd/sd-bus.h>

#include "broker/broker.h"

namespace platformd::dbus {

int append_strv(sd_bus_message* m, const std::vector<std::string>& v);
int read_strv(sd_bus_message* m, std::vector<std::string>& out);

// a(ssbsbssssdisassass)
int append_platforms(sd_bus_message* m, const std::vector<PlatformStatus>& v);
int read_platforms(sd_bus_message* m, std::vector<PlatformStatus>& out);

// a(sssiiiia(sis)(xias)) (dbus_names.h, kUptakeType)
int append_uptake(sd_bus_message* m, const std::vector<PlatformUptake>& v);
int read_uptake(sd_bus_message* m, std::vector<PlatformUptake>& out);

// Five arguments: s kernel_arch, i userland_bits, s userland_arch, s boinc_platform,
// as native_compat.
int append_host(sd_bus_message* m, const HostInfo& h);
int read_host(sd_bus_message* m, HostInfo& out);

// Three arguments: as lines, as warnings, b changed. The same three follow the message in
// the error reply of a batch that failed part-way (ChangeReport::error), so the caller still
// learns what the batch did before and after the failing platform.
int append_change_report(sd_bus_message* m, const ChangeReport& r);
int read_change_report(sd_bus_message* m, ChangeReport& out);

// a(ssbsa(sbbs)sddbbass)
int append_verify_results(sd_bus_message* m, const std::vector<VerifyResult>& v);
int read_verify_results(sd_bus_message* m, std::vector<VerifyResult>& out);

}  // namespace platformd::dbus
