// platformctl: the command-line face of platformd. main() parses, dispatches to one
// subcommand, and turns any escaped exception into one line on stderr and an exit code.
#include <fmt/core.h>

#include "cli_context.h"
#include "exit_codes.h"

using namespace platformd;
using namespace platformd::cli;

int main(int argc, char** argv) {
  CLI::App app{"platformctl: run BOINC work for CPU architectures this machine does not have"};
  app.require_subcommand(1);
  app.fallthrough();  // global options may follow the subcommand: "platformctl status --json"
  Globals g;
  app.add_flag("--json", g.json, "print one JSON document");
  app.add_flag("--direct", g.direct, "work on the machine directly, without the platformd daemon");
  app.add_option("--binfmt-dir", g.binfmt_dir, "binfmt_misc mount point")->capture_default_str();
  app.add_option("--state-dir", g.state_dir, "platformd's state directory (default /var/lib/platformd)");
  app.add_option("--boinc-dir", g.boinc_dir, "the BOINC client's data directory (default: discovered)");
  app.add_option("--gui-rpc-port", g.gui_rpc_port, "the BOINC client's GUI RPC port (default 31416)")
      ->check(CLI::Range(1, 65535));

  // One entry per subcommand file.
  constexpr Registrar subcommands[] = {register_status, register_list,      register_enable, register_disable,
                                       register_verify, register_reconcile, register_apply,  register_purge};
  std::vector<std::pair<CLI::App*, Runner>> runners;
  for (auto reg : subcommands) {
    std::size_t before = app.get_subcommands({}).size();
    Runner r = reg(app, g);
    runners.emplace_back(app.get_subcommands({})[before], std::move(r));
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : exit_code::usage;
  }
  try {
    for (auto& [sub, run] : runners)
      if (sub->parsed()) return run();
  } catch (const std::exception& e) {
    fmt::print(stderr, "platformctl: internal error: {}\n", e.what());
    return exit_code::failure;
  }
  return exit_code::usage;
}
