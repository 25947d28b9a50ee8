// Self-healing and the status snapshot, for the daemon's two threads (docs/daemon.md).
//
// The state file is the source of truth; Broker::reconcile brings the kernel table,
// cc_config.xml and the rc files back in line with it whenever something may have changed.
// Every call into the broker runs on the worker (daemon/worker.h): a reconcile may wait on
// the GUI RPC port, on a file under a BOINC directory or on a probe, and the loop that
// answers D-Bus callers must never wait on any of those.
//
// The loop keeps the last snapshot (status report, catalog, translators, watched files) and
// answers every query from it:
//  - query(): answered at once while the snapshot is current: taken after the last event
//    (file, unit, SIGHUP), and either a check ended less than kCheckVouches ago or the worker
//    is busy anyway; an old snapshot (kStatusMaxAge) is refreshed behind the answer.
//    Otherwise a check runs on the worker first (the input fingerprint, a reconcile if it
//    changed, a snapshot if one is due) and the query waits for it, at most kQueryWait;
//    then it is answered from the snapshot it has. Checks are coalesced: however many
//    queries arrive, at most one check is queued, so no caller can start more work than one.
//  - change(): an operation (enable, disable, verify, apply): a reconcile, the operation,
//    a new snapshot, then the operation's completion on the loop (its reply). Operations
//    run one at a time in the order they came; each caller waits for its own reply only.
//  - request(): events come in bursts; they are merged and run once, `settle` later.
//  - periodic(): the safety-net timer: a reconcile, a snapshot only if it repaired something.
#pragma once

#include <any>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <systemd/sd-event.h>

#include "broker/broker.h"
#include "catalog.h"
#include "fidelity/translator.h"
#include "file_watch.h"
#include "input_fingerprint.h"
#include "system/sd_ptr.h"
#include "worker.h"

namespace platformd::daemon {

// How long a snapshot answers queries when nothing reported a change.
inline constexpr std::chrono::seconds kStatusMaxAge{2};
// A check that ended this recently vouches for the snapshot: queries in a burst are answered
// at once, and only the first of them waits for a check.
inline constexpr std::chrono::milliseconds kCheckVouches{100};
// The longest a query waits for a check before it is answered from the snapshot it has.
inline constexpr std::chrono::milliseconds kQueryWait{1000};
// Without any snapshot yet (the first status failed), a query waits at most this long for one.
inline constexpr std::chrono::seconds kFirstSnapshotWait{20};

// What queries are answered from. Immutable once published; shared between the threads.
struct Snapshot {
  StatusReport report;
  Catalog catalog;
  std::vector<TranslatorSpec> translators;
  std::vector<WatchSpec> watches;  // the files a change of which triggers a reconcile
  std::vector<std::string> enabled() const;
};
using SnapshotPtr = std::shared_ptr<const Snapshot>;

class Reconciler {
 public:
  struct Listener {
    // A platform's state, enabled flag, translator, handler or fidelity differs from the last
    // snapshot (or it is new). `before` is null for the first snapshot.
    std::function<void(const PlatformStatus* before, const PlatformStatus& now)> platform_changed;
    std::function<void(const std::vector<std::string>& enabled)> enabled_changed;
    // Every new snapshot, after the two above (watchers re-aim at the enabled translators).
    std::function<void(const Snapshot&)> snapshot_taken;
  };
  // `snap` is null only when no status could be taken at all; `error` then says why.
  using Answer = std::function<void(const SnapshotPtr& snap, const std::optional<Error>& error)>;
  // An operation runs on the worker with the broker and returns plain data (never a bus
  // message: sd-bus objects are not thread-safe); its reply runs on the loop with that data.
  using Operation = std::function<std::any(Broker&)>;
  using Reply = std::function<void(std::any& result)>;

  Reconciler(Broker& broker, Machine& m, sd_event* event, Worker& worker, std::chrono::milliseconds settle)
      : broker_(broker),
        m_(m),
        event_(event),
        worker_(worker),
        settle_(settle),
        fingerprint_(m, broker.paths().binfmt_dir) {}
  Reconciler(const Reconciler&) = delete;
  Reconciler& operator=(const Reconciler&) = delete;

  void set_listener(Listener l) { listener_ = std::move(l); }

  // On the main thread, before the worker starts: the start-up reconcile and first snapshot.
  void start();

  // The loop's side (see above).
  void query(Answer answer);
  void change(const std::string& trigger, Operation op, Reply reply);
  void request(const std::string& trigger, bool reconcile = true);
  void periodic();

  const SnapshotPtr& snapshot() const { return snapshot_; }
  const std::vector<std::string>& enabled() const { return enabled_; }

 private:
  struct Waiter {
    Answer answer;
    std::chrono::steady_clock::time_point deadline;
  };
  // Loop side.
  void ensure_check();
  void install(SnapshotPtr snap, uint64_t generation);
  void answer_waiters(bool all);
  void arm_deadline();
  void settle_failure(const Error& e);
  static int on_settled(sd_event_source* s, uint64_t usec, void* userdata);
  static int on_deadline(sd_event_source* s, uint64_t usec, void* userdata);

  // Worker side (the broker, the fingerprint, the journal of repairs).
  bool reconcile_now(const std::string& trigger, uint64_t generation, bool* changed);
  bool reconcile_if_changed(const std::string& trigger, uint64_t generation, bool* changed);
  Result<SnapshotPtr> take_snapshot();
  void log_failure(const std::string& trigger, const Error& e);

  Broker& broker_;
  Machine& m_;
  sd_event* event_;
  Worker& worker_;
  std::chrono::milliseconds settle_;
  Listener listener_;

  // Loop side only.
  SnapshotPtr snapshot_;
  std::vector<std::string> enabled_;
  std::optional<Error> status_error_;  // the last snapshot attempt failed (kept until one works)
  std::vector<Waiter> waiters_;
  sd::EventSource settled_, deadline_;
  std::set<std::string> pending_triggers_;
  bool pending_reconcile_ = false;
  std::set<std::string> warned_risks_;
  std::map<uint64_t, Reply> replies_;  // of the operations queued or running, by ticket
  uint64_t next_ticket_ = 1;

  // Read by both. `generation_` counts events; a snapshot is current only if the job that
  // took it started in the generation the loop is in now.
  std::atomic<uint64_t> generation_{1};
  std::atomic<uint64_t> snapshot_generation_{0};
  std::atomic<int64_t> snapshot_time_ns_{0};
  std::atomic<bool> check_queued_{false};
  std::chrono::steady_clock::time_point last_check_{};  // loop side: when a check last ended

  // Worker side only.
  InputFingerprint fingerprint_;
  std::string clean_fingerprint_;  // taken before the last reconcile that found nothing to do
  uint64_t clean_generation_ = 0;  // the generation of that reconcile
  std::string last_error_;
  std::set<std::string> warned_;  // broker notes already logged
  SnapshotPtr last_taken_;        // names the platforms of repair lines
};

}  // namespace platformd::daemon
