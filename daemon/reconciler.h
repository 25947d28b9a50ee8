// Self-healing: the state file is the source of truth, and the kernel table and cc_config.xml
// are brought back in line with it (Broker::reconcile) whenever something may have changed.
// This class runs those reconciles, keeps the last status snapshot, and reports differences
// between snapshots (a platform's state, the enabled set) to whoever publishes them on the bus.
//
// Three ways in:
//  - reconcile_if_changed(): before answering a query. The common case is that nothing
//    changed: no event came since the last reconcile that found nothing to do, and the input
//    fingerprint (daemon/input_fingerprint.h) is the one taken before it. Then nothing runs.
//    Otherwise a full reconcile, as below.
//  - reconcile_now(): a full Broker::reconcile(), synchronously (operations, the timer).
//  - request(): from watchers (files, signals, units). Events come in bursts, so requests
//    are coalesced and run once, `settle` later, followed by a fresh snapshot. Each event
//    also makes the next call reconcile in full at once, before the settled one runs.
//
// Queries answer from the last snapshot (current_status()) while it is current: taken after
// the last event and the last full reconcile, and younger than kStatusMaxAge, which bounds how
// late a query shows what no event reports (the BOINC client's own platform list, a
// translator installed for a platform that is not enabled, a new catalog).
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <systemd/sd-event.h>

#include "broker.h"
#include "input_fingerprint.h"
#include "system/sd_ptr.h"

namespace platformd::daemon {

// How long a status snapshot answers queries when nothing reported a change.
inline constexpr std::chrono::seconds kStatusMaxAge{2};

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

  Reconciler(Broker& broker, Machine& m, sd_event* event, std::chrono::milliseconds settle)
      : broker_(broker), event_(event), settle_(settle), fingerprint_(m, broker.paths().binfmt_dir) {}
  Reconciler(const Reconciler&) = delete;
  Reconciler& operator=(const Reconciler&) = delete;

  void set_listener(Listener l) { listener_ = std::move(l); }

  // Reconciles now. Logs what it repaired, once; takes a new snapshot only when something was
  // repaired. Returns false when the reconcile failed (logged once per distinct error).
  bool reconcile_now(const std::string& trigger);
  // reconcile_now() when an event came or the fingerprint changed since the last reconcile
  // that found nothing to do (or there was none yet); otherwise true at once.
  bool reconcile_if_changed(const std::string& trigger);
  // The snapshot while it is current (see above), else a new one. The pointer is valid until
  // the next snapshot.
  Result<const StatusReport*> current_status();
  // The files whose identity is part of the fingerprint (those the watches follow).
  void set_fingerprint_files(std::vector<fs::path> files) { fingerprint_.set_files(std::move(files)); }
  // Reconcile plus a new snapshot, `settle` from now; requests before then are merged.
  // reconcile=false asks for the snapshot only (the state file changed: it is the input of a
  // reconcile, and reconciling on it would answer our own writes).
  void request(const std::string& trigger, bool reconcile = true);
  // A new snapshot without reconciling (after an operation, or a state file written by
  // platformctl in direct mode). Returns the report, or the error of Broker::status().
  Result<StatusReport> refresh();

  const std::optional<StatusReport>& snapshot() const { return snapshot_; }
  const std::vector<std::string>& enabled() const { return enabled_; }

 private:
  static int on_settled(sd_event_source* s, uint64_t usec, void* userdata);
  // Publishes a new snapshot: signals for what differs, watches re-aimed.
  void observe(const StatusReport& now);
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

  // What lets a call skip the reconcile and reuse the snapshot. `generation_` counts events
  // and full reconciles; a snapshot is current only if taken in the same generation.
  InputFingerprint fingerprint_;
  std::string clean_fingerprint_;  // taken before the last reconcile that found nothing to do
  bool dirty_ = true;              // an event (or a repair, or a failure) since then
  uint64_t generation_ = 0;
  uint64_t snapshot_generation_ = 0;
  std::chrono::steady_clock::time_point snapshot_time_{};
};

}  // namespace platformd::daemon
