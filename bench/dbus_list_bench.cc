// dbus-list-bench: how long a D-Bus call to platformd takes, and how much memory the daemon
// holds. A benchmark, not a test: it prints a table and judges nothing.
//
// Every call to platformd first reconciles (cheap when nothing changed), so three calls are
// timed to separate the costs:
//   Peer.Ping             the bus round trip alone (sd-bus answers it, no reconcile)
//   Get EnabledPlatforms  round trip + the reconcile that precedes every call
//   ListPlatforms         round trip + reconcile + a full status (catalog, table, BOINC)
//
// Usage: dbus-list-bench [CALLS]   (default 10000; the bus from PLATFORMD_BUS_ADDRESS, else
// the system bus). bench/dbus_list_bench.sh runs it against a private daemon.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "dbus/dbus_names.h"
#include "system/sd_ptr.h"

namespace {

using namespace platformd;
using Clock = std::chrono::steady_clock;

sd::Bus open_bus() {
  sd_bus* raw = nullptr;
  const char* address = std::getenv(dbus::kBusAddressEnv);
  int r;
  if (address && *address) {
    r = sd_bus_new(&raw);
    if (r >= 0) {
      sd::Bus b(raw);
      if ((r = sd_bus_set_address(raw, address)) >= 0 && (r = sd_bus_set_bus_client(raw, 1)) >= 0 &&
          (r = sd_bus_start(raw)) >= 0)
        return b;
    }
  } else {
    r = sd_bus_open_system(&raw);
    if (r >= 0) return sd::Bus(raw);
  }
  std::fprintf(stderr, "dbus-list-bench: cannot connect to the bus: %s\n", std::strerror(-r));
  std::exit(1);
}

long rss_kib(pid_t pid) {
  std::ifstream in(fmt::format("/proc/{}/status", pid));
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  return -1;
}

pid_t daemon_pid(sd_bus* bus) {
  sd::BusError err;
  sd_bus_message* raw = nullptr;
  if (sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                         "GetConnectionUnixProcessID", err.get(), &raw, "s", dbus::kBusName) < 0) {
    std::fprintf(stderr, "dbus-list-bench: %s is not running: %s\n", dbus::kBusName, err.message());
    std::exit(1);
  }
  sd::Message reply(raw);
  uint32_t pid = 0;
  sd_bus_message_read(raw, "u", &pid);
  return static_cast<pid_t>(pid);
}

struct Row {
  std::string name;
  double median_us, p99_us, max_us;
};

Row time_calls(const std::string& name, int n, const std::function<int()>& call) {
  std::vector<double> us;
  us.reserve(n);
  for (int i = 0; i < n; i++) {
    auto t0 = Clock::now();
    if (int r = call(); r < 0) {
      std::fprintf(stderr, "dbus-list-bench: %s failed: %s\n", name.c_str(), std::strerror(-r));
      std::exit(1);
    }
    us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
  }
  std::sort(us.begin(), us.end());
  auto at = [&](double q) { return us[std::min<size_t>(us.size() - 1, static_cast<size_t>(q * us.size()))]; };
  return {name, at(0.5), at(0.99), us.back()};
}

// One call; the reply is dropped. Negative errno on failure.
int call(sd_bus* bus, const char* iface, const char* member, const char* types = nullptr, const char* a = nullptr,
         const char* b = nullptr) {
  sd::BusError err;
  sd_bus_message* raw = nullptr;
  int r = sd_bus_call_method(bus, dbus::kBusName, dbus::kObjectPath, iface, member, err.get(), &raw, types, a, b);
  sd::Message reply(raw);
  if (r < 0 && err.is_set()) std::fprintf(stderr, "dbus-list-bench: %s: %s\n", member, err.message());
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 10000;
  if (n <= 0) {
    std::fprintf(stderr, "usage: dbus-list-bench [CALLS]\n");
    return 2;
  }
  sd::Bus bus = open_bus();
  pid_t pid = daemon_pid(bus.get());
  long rss_before = rss_kib(pid);

  std::vector<Row> rows;
  rows.push_back(time_calls("Peer.Ping", n, [&] { return call(bus.get(), "org.freedesktop.DBus.Peer", "Ping"); }));
  rows.push_back(time_calls("Get EnabledPlatforms", n, [&] {
    return call(bus.get(), "org.freedesktop.DBus.Properties", "Get", "ss", dbus::kInterface, "EnabledPlatforms");
  }));
  rows.push_back(time_calls("ListPlatforms", n, [&] { return call(bus.get(), dbus::kInterface, "ListPlatforms"); }));
  long rss_after = rss_kib(pid);

  std::printf("%d calls each, platformd pid %d\n\n", n, pid);
  std::printf("| call                 | median (us) | p99 (us) | max (us) |\n");
  std::printf("|----------------------|------------:|---------:|---------:|\n");
  for (const auto& r : rows)
    std::printf("| %-20s | %11.0f | %8.0f | %8.0f |\n", r.name.c_str(), r.median_us, r.p99_us, r.max_us);
  std::printf("\n| daemon RSS           | before: %ld KiB | after: %ld KiB |\n", rss_before, rss_after);
  return 0;
}
