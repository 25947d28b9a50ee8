// The events besides D-Bus calls and file changes that may mean the kernel table or
// cc_config.xml drifted from the state file, each turned into Reconciler::request():
//  - SIGHUP (an administrator's "look again"),
//  - a safety-net timer (default every 60 s, never more often; 0 turns it off),
//  - systemd unit changes, when the bus has systemd: systemd-binfmt.service (its start and stop
//    flush EVERY binfmt_misc entry, ours included), proc-sys-fs-binfmt_misc.mount (a fresh
//    mount is an empty table) and boinc-client.service (a restarted client re-reads
//    cc_config.xml).
// See docs/daemon.md for why each one exists.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "file_watch.h"
#include "reconciler.h"
#include "system/paths.h"
#include "system/sd_ptr.h"

namespace platformd::daemon {

// The systemd units whose state changes trigger a reconcile.
inline constexpr const char* kWatchedUnits[] = {"systemd-binfmt.service", "proc-sys-fs-binfmt_misc.mount",
                                                "boinc-client.service"};

// The files whose change may need a reconcile, from the last snapshot: the translators of the
// enabled platforms, cc_config.xml (link and real file), the state file (snapshot only), and
// our own entries in binfmt_misc.
std::vector<WatchSpec> files_to_watch(Machine& m, const Paths& p, const StatusReport& snapshot);
// The single files among them (not the prefix of our binfmt_misc entries).
std::vector<fs::path> watched_files(const std::vector<WatchSpec>& specs);

class Triggers {
 public:
  Triggers(sd_event* event, sd_bus* bus, Reconciler& rec) : event_(event), bus_(bus), rec_(rec) {}
  Triggers(const Triggers&) = delete;
  Triggers& operator=(const Triggers&) = delete;

  // SIGHUP must already be blocked (main does it for all handled signals).
  Result<void> watch_sighup();
  // 0 s: no timer at all.
  Result<void> start_timer(std::chrono::seconds interval);
  // Subscribes to PropertiesChanged of the units above. Without systemd on the bus this costs
  // three match rules and nothing else.
  Result<void> watch_units();

 private:
  static int on_sighup(sd_event_source* s, const struct signalfd_siginfo* si, void* userdata);
  static int on_timer(sd_event_source* s, uint64_t usec, void* userdata);
  static int on_unit_changed(sd_bus_message* m, void* userdata, sd_bus_error* ret_error);
  static int on_subscribed(sd_bus_message* m, void* userdata, sd_bus_error* ret_error);

  sd_event* event_;
  sd_bus* bus_;
  Reconciler& rec_;
  std::chrono::seconds interval_{0};
  sd::EventSource sighup_;
  sd::EventSource timer_;
  std::vector<sd::Slot> unit_matches_;
  sd::Slot subscribe_;
};

}  // namespace platformd::daemon
