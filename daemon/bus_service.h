// The D-Bus object: io.github.platformd1.Broker at /io/github/platformd1 (docs/dbus.md). Its
// method thunks are one of the two places where exceptions and core errors turn into
// something else: here, D-Bus errors named after the core's exit-code classes.
//
// Queries (ListPlatforms, GetHostInfo, properties) are open to every local user. Enable,
// Disable and Verify are authorised first (daemon/polkit.h), before anything is touched.
// Every call reconciles before it is answered (daemon/reconciler.h).
#pragma once

#include <string>
#include <vector>

#include <systemd/sd-bus.h>

#include "apply/applier.h"
#include "broker/broker.h"
#include "polkit.h"
#include "reconciler.h"
#include "system/sd_ptr.h"

namespace platformd::daemon {

class BusService {
 public:
  BusService(sd_bus* bus, Reconciler& rec, Authorizer& auth, HostInfo host)
      : bus_(bus), rec_(rec), auth_(auth), host_(std::move(host)) {}
  BusService(const BusService&) = delete;
  BusService& operator=(const BusService&) = delete;

  // Adds the object and its vtable. Call before requesting the bus name, so that the name
  // never exists without the object behind it.
  Result<void> publish();

  // Reconciler listener: the PlatformChanged signal and the EnabledPlatforms property.
  void platform_changed(const PlatformStatus* before, const PlatformStatus& now);
  void enabled_changed();

 private:
  static const sd_bus_vtable kVtable[];

  static int on_any_message(sd_bus_message* m, void* userdata, sd_bus_error* ret_error);
  static int list_platforms(sd_bus_message* m, void* userdata, sd_bus_error* ret_error);
  static int get_uptake(sd_bus_message* m, void* userdata, sd_bus_error* ret);
  static int get_host_info(sd_bus_message* m, void* userdata, sd_bus_error* ret_error);
  static int enable(sd_bus_message* m, void* userdata, sd_bus_error* ret_error);
  static int disable(sd_bus_message* m, void* userdata, sd_bus_error* ret_error);
  static int verify(sd_bus_message* m, void* userdata, sd_bus_error* ret_error);
  static int apply(sd_bus_message* m, void* userdata, sd_bus_error* ret_error);  // bus_apply.cc
  static int get_property(sd_bus* bus, const char* path, const char* interface, const char* property,
                          sd_bus_message* reply, void* userdata, sd_bus_error* ret_error);

  // The authorised half of Enable/Disable: runs the operation and sends the reply.
  void run_change(sd_bus_message* call, const char* what, const std::vector<std::string>& names,
                  const ChangeOptions& o);
  void run_verify(sd_bus_message* call, const std::vector<std::string>& names, const VerifyOptions& o);
  void run_apply(sd_bus_message* call, const DesiredStateFile& d, const ApplyOptions& o);
  void reply_denied(sd_bus_message* call, const char* what, const std::vector<std::string>& names, const Denial& d);

  sd_bus* bus_;
  Reconciler& rec_;
  Authorizer& auth_;
  HostInfo host_;  // at start; the properties built from it are constant
  sd::Slot object_slot_;
  sd::Slot vtable_slot_;
};

}  // namespace platformd::daemon
