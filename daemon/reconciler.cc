#include "reconciler.h"

#include <algorithm>

#include <fmt/format.h>

#include "broker/session.h"
#include "catalog.h"
#include "fidelity/translator.h"
#include "journal.h"
#include "triggers.h"

namespace platformd::daemon {

namespace {

using Clock = std::chrono::steady_clock;

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

bool differs(const PlatformStatus& a, const PlatformStatus& b) {
  return a.state != b.state || a.enabled != b.enabled || a.translator != b.translator || a.handler != b.handler ||
         a.fidelity != b.fidelity;
}

const PlatformStatus* find(const SnapshotPtr& s, const std::string& arch) {
  if (!s) return nullptr;
  for (const auto& p : s->report.platforms)
    if (p.arch == arch) return &p;
  return nullptr;
}

// "aarch64: repaired ..." and "removed leftover entry platformd-aarch64" name their platform.
std::string platform_of_line(const std::string& line, const SnapshotPtr& snap) {
  if (!snap) return {};
  for (const auto& p : snap->report.platforms)
    if (line.find(p.arch + ":") != std::string::npos || line.find("platformd-" + p.arch) != std::string::npos)
      return p.arch;
  return {};
}

}  // namespace

std::vector<std::string> Snapshot::enabled() const {
  std::vector<std::string> out;
  for (const auto& p : report.platforms)
    if (p.enabled) out.push_back(p.arch);
  return out;
}

// ---- worker side -------------------------------------------------------------------------

bool Reconciler::reconcile_now(const std::string& trigger, uint64_t generation, bool* changed) {
  // Taken BEFORE the reconcile: a change made while it runs shows as a difference at the next
  // check instead of being taken for the state this reconcile saw.
  std::string before = fingerprint_.take();
  clean_generation_ = 0;
  auto rep = broker_.reconcile();
  if (!rep) {
    log_failure(trigger, rep.error());
    if (changed) *changed = true;  // unknown: take a snapshot, which reports the error
    return false;
  }
  if (!last_error_.empty()) {
    log_info("reconcile", fmt::format("reconcile works again (trigger: {})", trigger));
    last_error_.clear();
  }
  for (const auto& w : rep->warnings)
    if (warned_.insert(w).second) log_warning("reconcile", w);
  for (const auto& line : rep->lines) {
    std::string arch = platform_of_line(line, last_taken_);
    const PlatformStatus* p = find(last_taken_, arch);
    log_entry({LOG_NOTICE, fmt::format("{} (trigger: {})", line, trigger), "repair", arch, p ? p->translator : "", {}});
  }
  if (rep->error) log_failure(trigger, *rep->error);
  if (changed) *changed = rep->changed || rep->error.has_value();
  // Only a reconcile that had nothing to do proves that `before` is a state needing nothing.
  // After a repair the next check reconciles once more (and finds nothing, normally); so does
  // one after a reconcile that keeps a handler until the BOINC client stops listing it.
  if (!rep->changed && !rep->error && !rep->awaiting_client) {
    clean_fingerprint_ = std::move(before);
    clean_generation_ = generation;
  }
  return !rep->error;
}

bool Reconciler::reconcile_if_changed(const std::string& trigger, uint64_t generation, bool* changed) {
  if (clean_generation_ == generation && fingerprint_.take() == clean_fingerprint_) {
    if (changed) *changed = false;
    return true;
  }
  return reconcile_now(trigger, generation, changed);
}

Result<SnapshotPtr> Reconciler::take_snapshot() {
  auto rep = broker_.status();
  if (!rep) {
    log_failure("status", rep.error());
    return rep.error();
  }
  auto snap = std::make_shared<Snapshot>();
  snap->report = std::move(*rep);
  // What Apply with check=true plans against (core/apply/apply_plan.h), read here so that the
  // loop never reads a file.
  if (auto c = load_catalog(m_, broker_.paths()); c) snap->catalog = std::move(*c);
  if (auto t = load_translators(broker_.paths()); t) snap->translators = std::move(*t);
  snap->watches = files_to_watch(m_, broker_.paths(), snap->report);
  fingerprint_.set_files(watched_files(snap->watches));
  last_taken_ = snap;
  return SnapshotPtr(snap);
}

void Reconciler::log_failure(const std::string& trigger, const Error& e) {
  // The same failure every minute is one event, not sixty an hour.
  if (e.message == last_error_) return;
  last_error_ = e.message;
  log_error("reconcile", fmt::format("{} (trigger: {}; retried at the next trigger)", e.message, trigger));
}

// ---- start-up (main thread, before the worker runs) -------------------------------------

void Reconciler::start() {
  uint64_t gen = generation_.load();
  (void)reconcile_now("start", gen, nullptr);
  auto snap = take_snapshot();
  if (snap)
    install(*snap, gen);
  else
    status_error_ = snap.error();
}

// ---- loop side ---------------------------------------------------------------------------

void Reconciler::install(SnapshotPtr snap, uint64_t generation) {
  status_error_.reset();
  const StatusReport& now = snap->report;
  // Projects whose tasks BOINC will abort for running past their bound (speed_gate.h): once
  // each, in the journal as well as in status.
  for (const auto& p : now.platforms)
    for (const auto& r : p.abort_risks)
      if (warned_risks_.insert(p.arch + ": " + r).second)
        log_warning("speed", fmt::format("{}: BOINC tasks will be aborted: {}", p.arch, r));
  for (const auto& p : now.platforms) {
    const PlatformStatus* before = find(snapshot_, p.arch);
    if (snapshot_ && before && !differs(*before, p)) continue;
    if (snapshot_ && listener_.platform_changed) listener_.platform_changed(before, p);
  }
  std::vector<std::string> enabled = snap->enabled();
  bool enabled_differs = enabled != enabled_;
  enabled_ = std::move(enabled);
  snapshot_ = std::move(snap);
  snapshot_generation_ = generation;
  snapshot_time_ns_ = now_ns();
  if (enabled_differs && listener_.enabled_changed) listener_.enabled_changed(enabled_);
  if (listener_.snapshot_taken) listener_.snapshot_taken(*snapshot_);
}

void Reconciler::settle_failure(const Error& e) {
  if (!snapshot_) status_error_ = e;
}

void Reconciler::answer_waiters(bool all) {
  auto now = Clock::now();
  std::vector<Waiter> due;
  for (auto it = waiters_.begin(); it != waiters_.end();) {
    // Without any snapshot, only the deadline ends the wait (or the error of the last try).
    bool can = snapshot_ || status_error_;
    if (can && (all || it->deadline <= now)) {
      due.push_back(std::move(*it));
      it = waiters_.erase(it);
    } else if (!can && it->deadline <= now) {
      due.push_back(std::move(*it));
      it = waiters_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& w : due) {
    if (snapshot_)
      w.answer(snapshot_, std::nullopt);
    else
      w.answer(nullptr, status_error_ ? *status_error_
                                      : Error{"platformd: no status could be taken yet (the first one is still "
                                              "running); try again",
                                              1});
  }
  arm_deadline();
}

void Reconciler::arm_deadline() {
  if (waiters_.empty()) {
    if (deadline_) (void)sd_event_source_set_enabled(deadline_.get(), SD_EVENT_OFF);
    return;
  }
  auto first = std::min_element(waiters_.begin(), waiters_.end(), [](const Waiter& a, const Waiter& b) {
                 return a.deadline < b.deadline;
               })->deadline;
  auto rel = std::chrono::duration_cast<std::chrono::microseconds>(first - Clock::now()).count();
  uint64_t usec = rel > 0 ? static_cast<uint64_t>(rel) : 0;
  if (deadline_) {
    (void)sd_event_source_set_time_relative(deadline_.get(), usec);
    (void)sd_event_source_set_enabled(deadline_.get(), SD_EVENT_ONESHOT);
    return;
  }
  sd_event_source* s = nullptr;
  if (sd_event_add_time_relative(event_, &s, CLOCK_MONOTONIC, usec, 1000, on_deadline, this) >= 0) deadline_.reset(s);
}

int Reconciler::on_deadline(sd_event_source*, uint64_t, void* userdata) {
  static_cast<Reconciler*>(userdata)->answer_waiters(false);
  return 0;
}

void Reconciler::ensure_check() {
  if (check_queued_.exchange(true)) return;  // one queued check serves every query
  worker_.post([this](const auto& post) {
    check_queued_ = false;  // queries from now on need a check of their own
    // What is due is read now, when the check starts, not when it was queued.
    const uint64_t gen = generation_.load();
    const bool events = snapshot_generation_.load() != gen;
    const bool old = now_ns() - snapshot_time_ns_.load() >
                     std::chrono::duration_cast<std::chrono::nanoseconds>(kStatusMaxAge).count();
    bool changed = false;
    (void)reconcile_if_changed("call", gen, &changed);
    if (changed || events) {
      auto snap = take_snapshot();
      post([this, snap, gen] {
        last_check_ = Clock::now();
        if (snap)
          install(*snap, gen);
        else
          settle_failure(snap.error());
        answer_waiters(true);
      });
      return;
    }
    // Nothing changed: the waiting queries are answered now; a snapshot that is only old is
    // taken after that, and nobody waits for it.
    post([this] {
      last_check_ = Clock::now();
      answer_waiters(true);
    });
    if (!old) return;
    auto snap = take_snapshot();
    post([this, snap, gen] {
      if (snap) install(*snap, gen);
    });
  });
}

void Reconciler::query(Answer answer) {
  const bool current = snapshot_ && snapshot_generation_.load() == generation_.load();
  const bool old =
      now_ns() - snapshot_time_ns_.load() > std::chrono::duration_cast<std::chrono::nanoseconds>(kStatusMaxAge).count();
  const bool vouched = Clock::now() - last_check_ < kCheckVouches;
  if (current && (vouched || !worker_.idle())) {
    // Nothing reported a change, and either a check just ran or the worker is busy (an
    // operation, a slow peer): the snapshot is the answer. An old one is refreshed behind it.
    answer(snapshot_, std::nullopt);
    if (old || !vouched) ensure_check();
    return;
  }
  // An event since the snapshot, or the worker is idle (the check is a few stat calls): wait
  // for the check, but never longer than kQueryWait.
  auto wait = snapshot_ || status_error_ ? std::chrono::duration_cast<Clock::duration>(kQueryWait)
                                         : std::chrono::duration_cast<Clock::duration>(kFirstSnapshotWait);
  waiters_.push_back({std::move(answer), Clock::now() + wait});
  ensure_check();
  arm_deadline();
}

void Reconciler::change(const std::string& trigger, Operation op, Reply reply) {
  ++generation_;  // whatever the operation does, the snapshot from before is not current
  const uint64_t ticket = next_ticket_++;
  replies_[ticket] = std::move(reply);
  worker_.post([this, trigger, ticket, op = std::move(op)](const auto& post) {
    const uint64_t gen = generation_.load();
    (void)reconcile_now(trigger, gen, nullptr);
    std::any result = op(broker_);
    clean_generation_ = 0;  // the operation changed the inputs: the next check reconciles
    auto snap = take_snapshot();
    post([this, snap, gen, ticket, result = std::move(result)]() mutable {
      if (snap)
        install(*snap, gen);
      else
        settle_failure(snap.error());
      if (auto it = replies_.find(ticket); it != replies_.end()) {
        Reply r = std::move(it->second);
        replies_.erase(it);
        r(result);
      }
      answer_waiters(true);
    });
  });
}

void Reconciler::periodic() {
  worker_.post([this](const auto& post) {
    const uint64_t gen = generation_.load();
    bool changed = false;
    (void)reconcile_now("periodic", gen, &changed);
    if (!changed) return;  // the safety net costs nothing when nothing drifted
    auto snap = take_snapshot();
    post([this, snap, gen] {
      if (snap) install(*snap, gen);
    });
  });
}

void Reconciler::request(const std::string& trigger, bool reconcile) {
  // Until the settled reconcile runs, the snapshot is not current.
  ++generation_;
  pending_triggers_.insert(trigger);
  pending_reconcile_ = pending_reconcile_ || reconcile;
  if (settled_) {
    int enabled = SD_EVENT_OFF;
    if (sd_event_source_get_enabled(settled_.get(), &enabled) >= 0 && enabled != SD_EVENT_OFF) return;
  }
  uint64_t settle_usec = static_cast<uint64_t>(settle_.count()) * 1000;
  if (settled_) {
    // Re-arm the existing one-shot source instead of allocating a new one.
    (void)sd_event_source_set_time_relative(settled_.get(), settle_usec);
    (void)sd_event_source_set_enabled(settled_.get(), SD_EVENT_ONESHOT);
    return;
  }
  sd_event_source* s = nullptr;
  // Accuracy of a quarter of the delay lets the kernel batch the wake-up with others.
  int r = sd_event_add_time_relative(event_, &s, CLOCK_MONOTONIC, settle_usec, settle_usec / 4, on_settled, this);
  if (r < 0) {
    log_error("trigger", fmt::format("cannot schedule a reconcile ({}); running it now", strerror(-r)));
    on_settled(nullptr, 0, this);
    return;
  }
  settled_.reset(s);
}

int Reconciler::on_settled(sd_event_source*, uint64_t, void* userdata) {
  auto* self = static_cast<Reconciler*>(userdata);
  std::string triggers;
  for (const auto& t : self->pending_triggers_) triggers += (triggers.empty() ? "" : ", ") + t;
  self->pending_triggers_.clear();
  bool reconcile = self->pending_reconcile_;
  self->pending_reconcile_ = false;
  self->worker_.post([self, triggers, reconcile](const auto& post) {
    const uint64_t gen = self->generation_.load();
    if (reconcile) (void)self->reconcile_now(triggers, gen, nullptr);
    // Something outside us changed: the snapshot may be stale even when nothing needed repair.
    auto snap = self->take_snapshot();
    post([self, snap, gen] {
      if (snap)
        self->install(*snap, gen);
      else
        self->settle_failure(snap.error());
      self->answer_waiters(true);
    });
  });
  return 0;
}

}  // namespace platformd::daemon
