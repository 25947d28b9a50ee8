// platformd: the D-Bus service around the core Broker. main() reads as the list of steps of a
// start; each says why it comes where it does. docs/daemon.md describes the whole.
#include <csignal>
#include <cstdio>
#include <cstring>
#include <exception>

#include <unistd.h>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <systemd/sd-daemon.h>

#include "broker/broker.h"
#include "bus_service.h"
#include "dbus/dbus_names.h"
#include "exit_codes.h"
#include "file_watch.h"
#include "journal.h"
#include "options.h"
#include "polkit.h"
#include "reconciler.h"
#include "stop_signals.h"
#include "system/machine.h"
#include "system/paths.h"
#include "system/sd_ptr.h"
#include "triggers.h"
#include "worker.h"

#ifndef PLATFORMD_VERSION
#define PLATFORMD_VERSION "unknown"
#endif

namespace platformd::daemon {
namespace {

// "aarch64, armhf", or "none".
std::string enabled_list(const std::vector<std::string>& enabled) {
  return enabled.empty() ? "none" : fmt::format("{}", fmt::join(enabled, ", "));
}

// STATUS= is what `systemctl status` shows: it must follow every change of the enabled set
// (issue 13: it said "enabled: none" after platforms were enabled at run time).
void notify_enabled(const std::vector<std::string>& enabled, bool ready = false) {
  (void)sd_notifyf(0, "%sSTATUS=Serving %s; enabled: %s", ready ? "READY=1\n" : "", dbus::kBusName,
                   enabled_list(enabled).c_str());
}

int fail_start(const std::string& message) {
  log_error("start", message);
  (void)sd_notifyf(0, "STATUS=%s", message.c_str());
  return exit_code::failure;
}

Result<sd::Bus> open_bus(const Options& o) {
  sd_bus* raw = nullptr;
  int r;
  if (o.bus_address.empty()) {
    r = sd_bus_open_system_with_description(&raw, "platformd");
  } else {
    r = sd_bus_new(&raw);
    if (r >= 0) {
      sd::Bus owned(raw);  // freed here unless every step below succeeds
      if ((r = sd_bus_set_address(raw, o.bus_address.c_str())) >= 0 && (r = sd_bus_set_bus_client(raw, 1)) >= 0 &&
          (r = sd_bus_set_description(raw, "platformd")) >= 0 && (r = sd_bus_start(raw)) >= 0)
        raw = owned.release();
    }
  }
  if (r < 0)
    return Error{fmt::format("platformd: cannot connect to {}: {}",
                             o.bus_address.empty() ? "the system bus" : o.bus_address, std::strerror(-r)),
                 exit_code::failure};
  return sd::Bus(raw);
}

int run(const Options& opts) {
  // 1. Block the signals sd-event turns into event sources; it requires them blocked before
  //    the sources are added, and nothing may receive them asynchronously meanwhile.
  sigset_t handled;
  sigemptyset(&handled);
  for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&handled, s);
  sigprocmask(SIG_BLOCK, &handled, nullptr);
  //    SIGTERM and SIGINT go to a thread of their own, started now so that it also covers the
  //    first reconcile below: a signal must end us within a second whatever runs
  //    (daemon/stop_signals.h). SIGHUP stays with sd-event (a reconcile request).
  if (auto r = start_stop_signal_thread(); !r) return fail_start(r.error().message);

  // 2. The broker over the real machine; paths come from the environment, so tests root them
  //    in temporary directories.
  RealMachine machine;
  Broker broker(machine, default_paths());

  // 3. The event loop everything below attaches to.
  sd_event* raw_event = nullptr;
  if (int r = sd_event_new(&raw_event); r < 0)
    return fail_start(fmt::format("cannot create the event loop: {}", std::strerror(-r)));
  sd::Event event(raw_event);

  // 4. Heal first, then take the first snapshot: by the time anyone can call us, the table
  //    matches the state file, and the constant properties (host) are known. This runs here,
  //    before the worker thread exists; from then on only the worker calls the broker.
  Worker worker;
  Reconciler rec(broker, machine, event.get(), worker, opts.settle);
  rec.start();
  HostInfo host;
  if (rec.snapshot())
    host = rec.snapshot()->report.host;
  else
    host.kernel_arch = machine.kernel_machine();  // keep serving; each call reports the error
  if (auto r = worker.start(event.get()); !r) return fail_start(r.error().message);

  // 5. The bus connection. When the bus goes away we exit and systemd restarts us, rather than
  //    serving nobody.
  auto bus = open_bus(opts);
  if (!bus) return fail_start(bus.error().message);
  if (int r = sd_bus_attach_event(bus->get(), event.get(), SD_EVENT_PRIORITY_NORMAL); r < 0)
    return fail_start(fmt::format("cannot attach the bus to the event loop: {}", std::strerror(-r)));
  (void)sd_bus_set_exit_on_disconnect(bus->get(), 1);

  // 6. The object and its interface, BEFORE the name: a client that sees the name appear must
  //    find the object behind it.
  Authorizer auth(bus->get());
  BusService service(bus->get(), rec, auth, host);
  if (auto r = service.publish(); !r) return fail_start(r.error().message);

  // 7. Triggers of a reconcile besides calls: files, SIGHUP, the safety-net timer, units.
  Triggers triggers(event.get(), bus->get(), rec);
  FileWatch files(event.get(),
                  [&rec](const std::string& label, bool reconcile) { rec.request(label + " changed", reconcile); });
  // The files to watch come with each snapshot (the worker reads them; the loop reads no
  // file under a BOINC directory); the worker fingerprints the same files.
  auto follow = [&files](const Snapshot& snap) { files.set(snap.watches); };
  rec.set_listener({
      [&service](const PlatformStatus* before, const PlatformStatus& now) { service.platform_changed(before, now); },
      [&service](const std::vector<std::string>& now) {
        service.enabled_changed();
        notify_enabled(now);
      },
      follow,
  });
  if (rec.snapshot()) follow(*rec.snapshot());
  for (auto r : {triggers.watch_sighup(), triggers.start_timer(opts.reconcile_interval), triggers.watch_units()})
    if (!r) return fail_start(r.error().message);
  if (auto r = attach_stop_signals(event.get()); !r) return fail_start(r.error().message);

  // 8. The name, last: from here on calls arrive. No queueing and no replacing: a second
  //    instance must fail loudly instead of waiting in line.
  if (int r = sd_bus_request_name(bus->get(), dbus::kBusName, 0); r < 0)
    return fail_start(fmt::format("cannot own {}: {}{}", dbus::kBusName, std::strerror(-r),
                                  r == -EEXIST   ? " (another platformd is running)"
                                  : r == -EACCES ? " (is the D-Bus policy file installed?)"
                                                 : ""));

  // 9. Ready: systemd (Type=notify) and bus activation wait for this.
  log_info("start",
           fmt::format("platformd {} serving {} on {}; enabled: {}", PLATFORMD_VERSION, dbus::kBusName,
                       opts.bus_address.empty() ? "the system bus" : opts.bus_address, enabled_list(rec.enabled())));
  notify_enabled(rec.enabled(), true);

  // 10. Serve until SIGTERM/SIGINT or the bus goes away.
  int r = sd_event_loop(event.get());
  (void)sd_notify(0, "STOPPING=1");
  // The worker may be inside a probe or waiting on a silent peer: the operation it runs is
  // abandoned as SIGKILL would abandon it (every write is an atomic rename, the lock is the
  // kernel's), rather than keeping a stop waiting for it.
  if (!worker.stop(kStopGrace)) {
    log_info("stop", "platformd stopped (an operation was abandoned)");
    std::fflush(nullptr);
    _exit(r < 0 ? exit_code::failure : exit_code::ok);
  }
  stop_signals_loop_returned();
  if (r < 0) return fail_start(fmt::format("event loop failed: {}", std::strerror(-r)));
  log_info("stop", "platformd stopped");
  return r;
}

}  // namespace
}  // namespace platformd::daemon

int main(int argc, char** argv) {
  using namespace platformd;
  auto opts = daemon::parse_options(argc, argv);
  if (!opts) {
    // --help arrives here too, as a message with exit code 0.
    std::fputs((opts.error().message + "\n").c_str(), opts.error().code == exit_code::ok ? stdout : stderr);
    return opts.error().code;
  }
  if (opts->show_version) {
    std::puts("platformd " PLATFORMD_VERSION);
    return exit_code::ok;
  }
  try {
    return daemon::run(*opts);
  } catch (const std::exception& e) {
    daemon::log_error("internal", fmt::format("platformd: internal error: {}", e.what()));
    return exit_code::failure;
  }
}
