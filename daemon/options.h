// The daemon's command line and environment. Each option has an environment variable so the
// unit file, bus activation and tests can set it without a wrapper script.
#pragma once

#include <chrono>
#include <string>

#include "result.h"

namespace platformd::daemon {

struct Options {
  // Empty: the system bus. Else a D-Bus address (tests: unix:path=TMP/bus).
  std::string bus_address;
  // Safety-net reconcile period. 0 disables it. Never below a minute: the daemon must stay
  // idle at rest, and every real change already has an event that triggers a reconcile.
  std::chrono::seconds reconcile_interval{60};
  // Debounce for file and unit events, which come in bursts (dpkg unpacking, a unit restart).
  std::chrono::milliseconds settle{500};
  bool show_version = false;
};

inline constexpr std::chrono::seconds kMinReconcileInterval{60};

// --bus-address ADDR        (PLATFORMD_BUS_ADDRESS)
// --reconcile-interval SEC  (PLATFORMD_RECONCILE_INTERVAL; 0 = off, else >= 60)
// --version
// A usage error's message says what is wrong and what is accepted.
Result<Options> parse_options(int argc, char** argv);

}  // namespace platformd::daemon
