// boinc-client.service over sd-bus. Every libsystemd handle is owned by a unique_ptr with its
// unref as deleter (core/system/sd_ptr.h), so every early return releases it.
#include "boinc/boinc_service.h"

#include <cstdlib>
#include <map>
#include <memory>

#include <systemd/sd-bus.h>

#include "exit_codes.h"
#include "system/sd_ptr.h"

namespace platformd {

namespace {

struct CharFree {
  void operator()(char* p) const { std::free(p); }
};
using CharPtr = std::unique_ptr<char, CharFree>;

std::string describe(const sd::BusError& e, int r) {
  if (e.is_set()) return fmt::format("{} ({})", e.message(), e.name());
  return fmt::format("error {}", -r);
}

constexpr const char* kSystemd = "org.freedesktop.systemd1";
constexpr const char* kManagerPath = "/org/freedesktop/systemd1";
constexpr const char* kManager = "org.freedesktop.systemd1.Manager";
constexpr const char* kUnitIface = "org.freedesktop.systemd1.Unit";
constexpr const char* kServiceIface = "org.freedesktop.systemd1.Service";

// nullopt when there is no system bus at all (containers, test namespaces, this build VM).
std::optional<sd::Bus> open_system_bus() {
  sd_bus* raw = nullptr;
  if (sd_bus_open_system(&raw) < 0) return std::nullopt;
  sd::Bus bus(raw);
  sd_bus_set_method_call_timeout(bus.get(), 10 * 1000 * 1000);
  return bus;
}

bool systemd_absent(const sd::BusError& e) {
  return sd_bus_error_has_name(e.get(), SD_BUS_ERROR_SERVICE_UNKNOWN) ||
         sd_bus_error_has_name(e.get(), SD_BUS_ERROR_NAME_HAS_NO_OWNER);
}

std::string string_property(sd_bus* bus, const std::string& path, const char* iface, const char* name) {
  sd::BusError err;
  char* raw = nullptr;
  if (sd_bus_get_property_string(bus, kSystemd, path.c_str(), iface, name, err.get(), &raw) < 0) return {};
  CharPtr s(raw);
  return s ? std::string(s.get()) : std::string();
}

// The program of a service's first ExecStart= (type a(sasbttttuii): path, argv, ...).
std::string exec_start_path(sd_bus* bus, const std::string& path) {
  sd::BusError err;
  sd_bus_message* raw = nullptr;
  if (sd_bus_get_property(bus, kSystemd, path.c_str(), kServiceIface, "ExecStart", err.get(), &raw, "a(sasbttttuii)") <
      0)
    return {};
  sd::Message reply(raw);
  const char* prog = nullptr;
  if (sd_bus_message_enter_container(reply.get(), 'a', "(sasbttttuii)") <= 0 ||
      sd_bus_message_enter_container(reply.get(), 'r', "sasbttttuii") <= 0 ||
      sd_bus_message_read(reply.get(), "s", &prog) < 0 || !prog)
    return {};
  return prog;
}

struct JobWait {
  std::string path;                            // our job, once RestartUnit answered
  std::map<std::string, std::string> removed;  // job path -> result, for every JobRemoved seen
};

int on_job_removed(sd_bus_message* m, void* userdata, sd_bus_error*) {
  auto* w = static_cast<JobWait*>(userdata);
  std::uint32_t id = 0;
  const char* path = nullptr;
  const char* unit = nullptr;
  const char* result = nullptr;
  if (sd_bus_message_read(m, "uoss", &id, &path, &unit, &result) >= 0 && path && result) w->removed[path] = result;
  return 0;
}

}  // namespace

Result<std::optional<BoincUnit>> SystemdBoincService::query() {
  auto bus = open_system_bus();
  if (!bus) return std::optional<BoincUnit>{};
  sd::BusError err;
  sd_bus_message* raw = nullptr;
  int r =
      sd_bus_call_method(bus->get(), kSystemd, kManagerPath, kManager, "LoadUnit", err.get(), &raw, "s", unit_.c_str());
  sd::Message reply(raw);
  if (r < 0) {
    if (systemd_absent(err)) return std::optional<BoincUnit>{};
    return fail(exit_code::failure, "asking systemd about {}: {}", unit_, describe(err, r));
  }
  const char* path = nullptr;
  if ((r = sd_bus_message_read(reply.get(), "o", &path)) < 0)
    return fail(exit_code::failure, "asking systemd about {}: unexpected reply to LoadUnit", unit_);
  BoincUnit u;
  u.name = unit_;
  u.load_state = string_property(bus->get(), path, kUnitIface, "LoadState");
  u.active_state = string_property(bus->get(), path, kUnitIface, "ActiveState");
  if (u.loaded()) {
    u.working_directory = string_property(bus->get(), path, kServiceIface, "WorkingDirectory");
    sd::BusError perr;
    sd_bus_get_property_trivial(bus->get(), kSystemd, path, kServiceIface, "MainPID", perr.get(), 'u', &u.main_pid);
    u.exec_path = exec_start_path(bus->get(), path);
  }
  return std::optional<BoincUnit>(std::move(u));
}

Result<void> SystemdBoincService::restart(std::chrono::milliseconds timeout) {
  auto bus = open_system_bus();
  if (!bus) return fail(exit_code::failure, "cannot restart {}: no system bus", unit_);

  // Listen for JobRemoved before asking, so a quick job cannot finish unseen. Subscribe makes
  // systemd emit the signal even when no one else has subscribed.
  JobWait wait;
  sd_bus_slot* raw_slot = nullptr;
  int r =
      sd_bus_match_signal(bus->get(), &raw_slot, kSystemd, kManagerPath, kManager, "JobRemoved", on_job_removed, &wait);
  if (r < 0) return fail(exit_code::failure, "cannot restart {}: cannot watch systemd's jobs (error {})", unit_, -r);
  sd::Slot slot(raw_slot);
  {
    sd::BusError err;
    sd_bus_message* raw = nullptr;
    sd_bus_call_method(bus->get(), kSystemd, kManagerPath, kManager, "Subscribe", err.get(), &raw, "");
    sd::Message ignored(raw);
  }

  sd::BusError err;
  sd_bus_message* raw = nullptr;
  r = sd_bus_call_method(bus->get(), kSystemd, kManagerPath, kManager, "RestartUnit", err.get(), &raw, "ss",
                         unit_.c_str(), "replace");
  sd::Message reply(raw);
  if (r < 0) return fail(exit_code::failure, "systemd refused to restart {}: {}", unit_, describe(err, r));
  const char* job = nullptr;
  if (sd_bus_message_read(reply.get(), "o", &job) < 0 || !job)
    return fail(exit_code::failure, "restarting {}: unexpected reply to RestartUnit", unit_);
  wait.path = job;

  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!wait.removed.count(wait.path)) {
    r = sd_bus_process(bus->get(), nullptr);
    if (r < 0) return fail(exit_code::failure, "restarting {}: lost the system bus (error {})", unit_, -r);
    if (r > 0) continue;
    auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      return fail(exit_code::failure, "restarting {}: the job {} did not finish within {} s", unit_, wait.path,
                  std::chrono::duration_cast<std::chrono::seconds>(timeout).count());
    sd_bus_wait(bus->get(), static_cast<std::uint64_t>(left.count()));
  }
  const std::string& result = wait.removed[wait.path];
  if (result != "done")
    return fail(exit_code::failure, "restarting {} ended with '{}' (see: journalctl -u {})", unit_, result, unit_);
  return {};
}

}  // namespace platformd
