#include "reconciler.h"

#include <fmt/format.h>

#include "journal.h"

namespace platformd::daemon {

namespace {

bool differs(const PlatformStatus& a, const PlatformStatus& b) {
  return a.state != b.state || a.enabled != b.enabled || a.translator != b.translator || a.handler != b.handler ||
         a.fidelity != b.fidelity;
}

const PlatformStatus* find(const std::optional<StatusReport>& r, const std::string& arch) {
  if (!r) return nullptr;
  for (const auto& p : r->platforms)
    if (p.arch == arch) return &p;
  return nullptr;
}

// "aarch64: repaired ..." and "removed leftover entry platformd-aarch64" name their platform.
std::string platform_of_line(const std::string& line, const std::optional<StatusReport>& snap) {
  if (!snap) return {};
  for (const auto& p : snap->platforms) {
    if (line.find(p.arch + ":") != std::string::npos || line.find("platformd-" + p.arch) != std::string::npos)
      return p.arch;
  }
  return {};
}

}  // namespace

bool Reconciler::reconcile_now(const std::string& trigger) {
  // Whatever it finds, a snapshot taken before is no longer known to be current.
  ++generation_;
  // Taken BEFORE the reconcile: a change made while it runs shows as a difference at the next
  // call instead of being taken for the state this reconcile saw.
  std::string before = fingerprint_.take();
  dirty_ = true;
  auto rep = broker_.reconcile();
  if (!rep) {
    log_failure(trigger, rep.error());
    return false;
  }
  if (!last_error_.empty()) {
    log_info("reconcile", fmt::format("reconcile works again (trigger: {})", trigger));
    last_error_.clear();
  }
  for (const auto& w : rep->warnings)
    if (warned_.insert(w).second) log_warning("reconcile", w);
  for (const auto& line : rep->lines) {
    std::string arch = platform_of_line(line, snapshot_);
    const PlatformStatus* p = find(snapshot_, arch);
    log_entry({LOG_NOTICE, fmt::format("{} (trigger: {})", line, trigger), "repair", arch, p ? p->translator : "", {}});
  }
  if (rep->error) log_failure(trigger, *rep->error);
  if (rep->changed) (void)refresh();
  // Only a reconcile that had nothing to do proves that `before` is a state needing nothing.
  // After a repair the next call reconciles once more (and finds nothing, normally); so does
  // one after a reconcile that keeps a handler until the BOINC client stops listing it.
  if (!rep->changed && !rep->error && !rep->awaiting_client) {
    clean_fingerprint_ = std::move(before);
    dirty_ = false;
  }
  return !rep->error;
}

bool Reconciler::reconcile_if_changed(const std::string& trigger) {
  if (!dirty_ && fingerprint_.take() == clean_fingerprint_) return true;
  return reconcile_now(trigger);
}

Result<const StatusReport*> Reconciler::current_status() {
  if (snapshot_ && snapshot_generation_ == generation_ &&
      std::chrono::steady_clock::now() - snapshot_time_ < kStatusMaxAge)
    return &*snapshot_;
  auto rep = refresh();
  if (!rep) return rep.error();
  return &*snapshot_;
}

void Reconciler::request(const std::string& trigger, bool reconcile) {
  // Until the settled reconcile runs, a call must not trust the fingerprint or the snapshot.
  dirty_ = true;
  ++generation_;
  pending_triggers_.insert(trigger);
  pending_reconcile_ = pending_reconcile_ || reconcile;
  if (deferred_) {
    int enabled = SD_EVENT_OFF;
    if (sd_event_source_get_enabled(deferred_.get(), &enabled) >= 0 && enabled != SD_EVENT_OFF) return;
  }
  uint64_t settle_usec = static_cast<uint64_t>(settle_.count()) * 1000;
  if (deferred_) {
    // Re-arm the existing one-shot source instead of allocating a new one.
    (void)sd_event_source_set_time_relative(deferred_.get(), settle_usec);
    (void)sd_event_source_set_enabled(deferred_.get(), SD_EVENT_ONESHOT);
    return;
  }
  sd_event_source* s = nullptr;
  // Accuracy of a quarter of the delay lets the kernel batch the wake-up with others.
  int r = sd_event_add_time_relative(event_, &s, CLOCK_MONOTONIC, settle_usec, settle_usec / 4, on_settled, this);
  if (r < 0) {
    log_error("trigger", fmt::format("cannot schedule a reconcile ({}); running it now", strerror(-r)));
    pending_triggers_.clear();
    bool ok = !pending_reconcile_ || reconcile_now(trigger);
    pending_reconcile_ = false;
    if (ok) (void)refresh();
    return;
  }
  deferred_.reset(s);
}

int Reconciler::on_settled(sd_event_source*, uint64_t, void* userdata) {
  auto* self = static_cast<Reconciler*>(userdata);
  std::string triggers;
  for (const auto& t : self->pending_triggers_) triggers += (triggers.empty() ? "" : ", ") + t;
  self->pending_triggers_.clear();
  bool ok = !self->pending_reconcile_ || self->reconcile_now(triggers);
  self->pending_reconcile_ = false;
  // Something outside us changed: the snapshot may be stale even when nothing needed repair.
  if (ok) (void)self->refresh();
  return 0;
}

Result<StatusReport> Reconciler::refresh() {
  auto rep = broker_.status();
  if (!rep) {
    log_failure("status", rep.error());
    return rep.error();
  }
  observe(*rep);
  return rep;
}

void Reconciler::observe(const StatusReport& now) {
  // Projects whose tasks BOINC will abort for running past their bound (speed_gate.h): once
  // each, in the journal as well as in status.
  for (const auto& p : now.platforms)
    for (const auto& r : p.abort_risks)
      if (warned_.insert(p.arch + ": " + r).second)
        log_warning("speed", fmt::format("{}: BOINC tasks will be aborted: {}", p.arch, r));
  for (const auto& p : now.platforms) {
    const PlatformStatus* before = find(snapshot_, p.arch);
    if (snapshot_ && before && !differs(*before, p)) continue;
    if (snapshot_ && listener_.platform_changed) listener_.platform_changed(before, p);
  }
  std::vector<std::string> enabled;
  for (const auto& p : now.platforms)
    if (p.enabled) enabled.push_back(p.arch);
  bool enabled_differs = enabled != enabled_;
  enabled_ = std::move(enabled);
  snapshot_ = now;
  snapshot_generation_ = generation_;
  snapshot_time_ = std::chrono::steady_clock::now();
  if (enabled_differs && listener_.enabled_changed) listener_.enabled_changed(enabled_);
  if (listener_.snapshot_taken) listener_.snapshot_taken(*snapshot_);
}

void Reconciler::log_failure(const std::string& trigger, const Error& e) {
  // The same failure every minute is one event, not sixty an hour.
  if (e.message == last_error_) return;
  last_error_ = e.message;
  log_error("reconcile", fmt::format("{} (trigger: {}; retried at the next trigger)", e.message, trigger));
}

}  // namespace platformd::daemon
