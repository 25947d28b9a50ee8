// Self-healing: the state file is the source of truth, and the kernel table and cc_config.xml
// are brought back in line with it (Broker::reconcile) whenever something may have changed.
// This class runs those reconciles, keeps the last status snapshot, and reports differences
// between snapshots (a platform's state, the enabled set) to whoever publishes them on the bus.
//
// Two ways in:
//  - reconcile_now(): synchronously, before answering a D-Bus call. The common case is that
//    nothing changed, and Broker::reconcile() then only reads.
//  - request(): from watchers (files, signals, units). Events come in bursts, so requests
//    are coalesced and run once, `settle` later, followed by a fresh snapshot.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <systemd/sd-event.h>

#include "broker.h"
#include "sd_ptr.h"

namespace platformd::daemon {

class Reconciler {
 public:
  struct Listener {
    // A platform's state, enabled flag, translator, handler or fidelity differs from the last
    // snapshot (or it is new). `before` is null for the first snapshot.
    std::function<void(const PlatformStatus* before, const PlatformStatus& now)> platform_changed;
    std::function<void(const std::vector<std::string>& enabled)> enabled_changed;
    // Every new snapshot, after the two above (watchers re-aim at the enabled translators).
    std::function<void(const StatusReport&)> snapshot_taken;
  };

  Reconciler(Broker& broker, sd_event* event, std::chrono::milliseconds settle)
      : broker_(broker), event_(event), settle_(settle) {}
  Reconciler(const Reconciler&) = delete;
  Reconciler& operator=(const Reconciler&) = delete;

  void set_listener(Listener l) { listener_ = std::move(l); }

  // Reconciles now. Logs what it repaired, once; takes a new snapshot only when something was
  // repaired. Returns false when the reconcile failed (logged once per distinct error).
  bool reconcile_now(const std::string& trigger);
  // Reconcile plus a new snapshot, `settle` from now; requests before then are merged.
  // reconcile=false asks for the snapshot only (the state file changed: it is the input of a
  // reconcile, and reconciling on it would answer our own writes).
  void request(const std::string& trigger, bool reconcile = true);
  // A new snapshot without reconciling (after an operation, or a state file written by
  // platformctl in direct mode). Returns the report, or the error of Broker::status().
  Result<StatusReport> refresh();
  // Publishes a report the caller already computed (ListPlatforms) as the new snapshot.
  void observe(const StatusReport& now);

  const std::optional<StatusReport>& snapshot() const { return snapshot_; }
  const std::vector<std::string>& enabled() const { return enabled_; }

 private:
  static int on_settled(sd_event_source* s, uint64_t usec, void* userdata);
  void log_failure(const std::string& trigger, const Error& e);

  Broker& broker_;
  sd_event* event_;
  std::chrono::milliseconds settle_;
  Listener listener_;
  std::optional<StatusReport> snapshot_;
  std::vector<std::string> enabled_;
  sd::EventSource deferred_;
  std::set<std::string> pending_triggers_;
  bool pending_reconcile_ = false;
  std::string last_error_;
  std::set<std::string> warned_;  // broker notes already logged
};

}  // namespace platformd::daemon
