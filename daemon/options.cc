#include "options.h"

#include <cstdlib>

#include <CLI/CLI.hpp>

#include "dbus/dbus_names.h"
#include "exit_codes.h"

namespace platformd::daemon {

Result<Options> parse_options(int argc, char** argv) {
  Options o;
  long interval = o.reconcile_interval.count();
  CLI::App app{"platformd: the D-Bus service of platformd (see docs/daemon.md)", "platformd"};
  app.add_option("--bus-address", o.bus_address, "D-Bus address to serve on instead of the system bus")
      ->envname(dbus::kBusAddressEnv);
  app.add_option("--reconcile-interval", interval,
                 "seconds between safety-net reconciles; 0 disables, else at least 60")
      ->envname("PLATFORMD_RECONCILE_INTERVAL");
  app.add_flag("--version", o.show_version, "print the version and exit");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return fail(exit_code::ok, "{}", app.help());
  } catch (const CLI::ParseError& e) {
    return fail(exit_code::usage, "platformd: {}", e.what());
  }
  if (interval != 0 && interval < kMinReconcileInterval.count())
    return fail(exit_code::usage, "platformd: --reconcile-interval {}: use 0 (off) or at least {} seconds", interval,
                kMinReconcileInterval.count());
  o.reconcile_interval = std::chrono::seconds(interval);
  return o;
}

}  // namespace platformd::daemon
