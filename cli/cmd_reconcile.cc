// platformctl reconcile: bring the kernel table and cc_config.xml back to the chosen state
// (what the daemon does on its triggers; also the dpkg trigger's action).
#include "cli_context.h"

namespace platformd::cli {

Runner register_reconcile(CLI::App& app, Globals& g) {
  app.add_subcommand("reconcile", "repair handlers and BOINC configuration to match the chosen platforms");
  return [&g] {
    RealMachine m;
    Broker b(m, g.paths());
    auto r = b.reconcile();
    if (!r) return report_error(r.error());
    return print_change(*r, g.json);
  };
}

}  // namespace platformd::cli
