#include "triggers.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <string_view>

#include <fmt/format.h>

#include "binfmt/binfmt_table.h"
#include "boinc/boinc_locate.h"
#include "exit_codes.h"
#include "journal.h"
#include "state.h"

namespace platformd::daemon {

namespace {

constexpr const char* kSystemdName = "org.freedesktop.systemd1";
constexpr const char* kUnitPrefix = "/org/freedesktop/systemd1/unit";

Error sd_failure(std::string_view what, int r) {
  return Error{fmt::format("platformd: cannot {}: {}", what, std::strerror(-r)), exit_code::failure};
}

// The unit name back from its object path (".../unit/systemd_2dbinfmt_2eservice").
std::string unit_of_path(const char* path) {
  char* name = nullptr;
  if (!path || sd_bus_path_decode(path, kUnitPrefix, &name) <= 0) return "a unit";
  std::string out = name;
  free(name);  // NOLINT: sd_bus_path_decode hands out malloc'ed memory
  return out;
}

WatchSpec file_spec(const fs::path& file, std::string label, bool reconcile = true) {
  WatchSpec w;
  w.dir = file.parent_path();
  w.name = file.filename().string();
  w.label = std::move(label);
  w.reconcile = reconcile;
  return w;
}

}  // namespace

std::vector<WatchSpec> files_to_watch(Machine& m, const Paths& p, const StatusReport& snapshot) {
  std::vector<WatchSpec> out;
  for (const auto& pl : snapshot.platforms)
    if (pl.enabled && !pl.translator.empty() && pl.translator.front() == '/')
      // F pinned the inode the entry was registered with: a replaced file needs a new
      // registration (Broker::reconcile compares the translator's identity).
      out.push_back(file_spec(pl.translator, "translator " + pl.translator));

  if (auto data = find_boinc_data_dir(m, p, nullptr); data) {
    if (auto cc = locate_cc_config(m, data->dir); cc) {
      out.push_back(file_spec(cc->link, "cc_config.xml"));
      if (cc->real != cc->link) out.push_back(file_spec(cc->real, "cc_config.xml"));
    } else {
      // Not locatable now (a FIFO or a dangling link in its place): the name in the data
      // directory is still watched, so that the file put back there is seen at once.
      out.push_back(file_spec(data->dir / "cc_config.xml", "cc_config.xml"));
    }
  }
  // platformctl in direct mode writes the state file after it applied the change itself:
  // only the snapshot (signals, EnabledPlatforms) needs to follow.
  out.push_back(file_spec(state_file(p), "state file", false));

  // The kernel reports deletions and writes to entry files (echo -1 / echo 0 > entry); our
  // own writes to `register` do not match, so a repair does not trigger itself.
  WatchSpec entries;
  entries.dir = p.binfmt_dir;
  entries.name = std::string(kOwnPrefix);
  entries.prefix = true;
  entries.label = "binfmt_misc entry";
  entries.mask = IN_DELETE | IN_CLOSE_WRITE;
  out.push_back(entries);
  WatchSpec status;
  status.dir = p.binfmt_dir;
  status.name = "status";
  status.label = "binfmt_misc status (flush or disable)";
  status.mask = IN_CLOSE_WRITE;
  out.push_back(status);
  return out;
}

std::vector<fs::path> watched_files(const std::vector<WatchSpec>& specs) {
  std::vector<fs::path> out;
  for (const auto& s : specs)
    if (!s.prefix) out.push_back(s.dir / s.name);
  return out;
}

Result<void> Triggers::watch_sighup() {
  sd_event_source* s = nullptr;
  int r = sd_event_add_signal(event_, &s, SIGHUP, on_sighup, this);
  if (r < 0) return sd_failure("handle SIGHUP", r);
  sighup_.reset(s);
  return {};
}

int Triggers::on_sighup(sd_event_source*, const struct signalfd_siginfo* si, void* userdata) {
  auto* self = static_cast<Triggers*>(userdata);
  log_info("trigger", fmt::format("SIGHUP from pid {}: reconciling", si->ssi_pid));
  self->rec_.request("SIGHUP");
  return 0;
}

Result<void> Triggers::start_timer(std::chrono::seconds interval) {
  interval_ = interval;
  if (interval.count() == 0) return {};
  uint64_t usec = static_cast<uint64_t>(interval.count()) * 1000000;
  sd_event_source* s = nullptr;
  // A tenth of the period as accuracy lets the kernel fold our wake-up into others.
  int r = sd_event_add_time_relative(event_, &s, CLOCK_MONOTONIC, usec, usec / 10, on_timer, this);
  if (r < 0) return sd_failure("start the reconcile timer", r);
  timer_.reset(s);
  return {};
}

int Triggers::on_timer(sd_event_source* s, uint64_t, void* userdata) {
  auto* self = static_cast<Triggers*>(userdata);
  // On the worker, and without a new snapshot: the safety net must cost nothing when nothing
  // drifted (a repair takes its own snapshot).
  self->rec_.periodic();
  uint64_t usec = static_cast<uint64_t>(self->interval_.count()) * 1000000;
  (void)sd_event_source_set_time_relative(s, usec);
  (void)sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
  return 0;
}

Result<void> Triggers::watch_units() {
  for (const char* unit : kWatchedUnits) {
    char* path = nullptr;
    int r = sd_bus_path_encode(kUnitPrefix, unit, &path);
    if (r < 0) return sd_failure("encode a unit path", r);
    std::string p = path;
    free(path);  // NOLINT: sd_bus_path_encode hands out malloc'ed memory
    sd_bus_slot* slot = nullptr;
    // Async install: the bus daemon's answer is not awaited at start-up.
    r = sd_bus_match_signal_async(bus_, &slot, kSystemdName, p.c_str(), "org.freedesktop.DBus.Properties",
                                  "PropertiesChanged", on_unit_changed, nullptr, this);
    if (r < 0) return sd_failure(fmt::format("watch {}", unit), r);
    unit_matches_.emplace_back(slot);
  }
  // systemd sends unit signals only while some client is subscribed.
  sd_bus_slot* slot = nullptr;
  int r = sd_bus_call_method_async(bus_, &slot, kSystemdName, "/org/freedesktop/systemd1",
                                   "org.freedesktop.systemd1.Manager", "Subscribe", on_subscribed, this, "");
  if (r < 0) return sd_failure("subscribe to systemd", r);
  subscribe_.reset(slot);
  return {};
}

int Triggers::on_subscribed(sd_bus_message* m, void*, sd_bus_error*) {
  if (const sd_bus_error* e = sd_bus_message_get_error(m))
    log_info("trigger", fmt::format("systemd is not reachable on this bus ({}); unit changes are not watched",
                                    e->name ? e->name : "?"));
  return 0;
}

int Triggers::on_unit_changed(sd_bus_message* m, void* userdata, sd_bus_error*) {
  auto* self = static_cast<Triggers*>(userdata);
  // Only ActiveState transitions matter (started, stopped, restarted); the other property
  // changes of a unit (timestamps, memory accounting) are noise.
  const char* iface = nullptr;
  if (sd_bus_message_read(m, "s", &iface) < 0 || std::string_view(iface) != "org.freedesktop.systemd1.Unit") return 0;
  if (sd_bus_message_enter_container(m, 'a', "{sv}") < 0) return 0;
  std::string active_state;
  while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
    const char* key = nullptr;
    if (sd_bus_message_read(m, "s", &key) < 0) return 0;
    if (std::string_view(key) == "ActiveState") {
      const char* v = nullptr;
      if (sd_bus_message_read(m, "v", "s", &v) >= 0 && v) active_state = v;
    } else if (sd_bus_message_skip(m, "v") < 0) {
      return 0;
    }
    if (sd_bus_message_exit_container(m) < 0) return 0;
  }
  if (active_state.empty()) return 0;
  self->rec_.request(fmt::format("{} is {}", unit_of_path(sd_bus_message_get_path(m)), active_state));
  return 0;
}

}  // namespace platformd::daemon
