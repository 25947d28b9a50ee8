// What every subcommand shares: the global options, and how to reach the broker (the daemon
// over D-Bus when it runs, the core directly otherwise).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "broker/broker.h"
#include "system/machine.h"
#include "system/paths.h"

namespace platformd::cli {

struct Globals {
  bool json = false;
  bool direct = false;
  std::string binfmt_dir, state_dir, boinc_dir;
  int gui_rpc_port = 0;
  Paths paths() const;
  // The daemon serves its own paths: ask it only when none is overridden and not --direct.
  bool may_use_daemon() const {
    return !direct && binfmt_dir.empty() && state_dir.empty() && boinc_dir.empty() && gui_rpc_port == 0;
  }
};

// One subcommand: adds itself to the app and returns the function that runs it (exit code).
using Runner = std::function<int()>;
using Registrar = Runner (*)(CLI::App& app, Globals& g);

Runner register_status(CLI::App& app, Globals& g);
Runner register_enable(CLI::App& app, Globals& g);
Runner register_disable(CLI::App& app, Globals& g);
Runner register_verify(CLI::App& app, Globals& g);
Runner register_reconcile(CLI::App& app, Globals& g);
Runner register_apply(CLI::App& app, Globals& g);
Runner register_list(CLI::App& app, Globals& g);
Runner register_purge(CLI::App& app, Globals& g);

// Runs one broker operation where it belongs: through the daemon when it may be asked and
// answers (`ask` returns Result<std::optional<T>>, nullopt when no daemon runs), else here
// (`direct(broker)` returns Result<T>). Both give the core's own T: the output is the same.
template <typename Ask, typename Direct>
auto daemon_or_direct(const Globals& g, Ask ask, Direct direct) {
  using R = decltype(direct(std::declval<Broker&>()));
  if (g.may_use_daemon()) {
    auto via = ask();
    if (!via) return R(via.error());
    if (*via) return R(std::move(**via));
  }
  RealMachine m;
  Broker b(m, g.paths());
  return direct(b);
}

// Prints an error line on stderr ("platformctl: ...") and returns its exit code.
int report_error(const Error& e);
// Prints a ChangeReport (text or JSON) and returns the exit code.
int print_change(const ChangeReport& r, bool json);

}  // namespace platformd::cli
