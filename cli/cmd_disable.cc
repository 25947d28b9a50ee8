// platformctl disable PLATFORM... [--force]: withdraw platforms, protecting BOINC work.
#include "cli_context.h"

namespace platformd::cli {

Runner register_disable(CLI::App& app, Globals& g) {
  auto* sub = app.add_subcommand("disable", "stop advertising platforms and remove their handlers");
  struct Opts {
    std::vector<std::string> names;
    bool force = false;
  };
  auto o = std::make_shared<Opts>();
  sub->add_option("platforms", o->names, "platforms to disable")->required();
  sub->add_flag("--force", o->force, "withdraw even though BOINC tasks of the platform exist (they would be relabelled as native)");
  return [&g, o] {
    RealMachine m;
    Broker b(m, g.paths());
    ChangeOptions opts;
    opts.force = o->force;
    auto r = b.disable(o->names, opts);
    if (!r) return report_error(r.error());
    return print_change(*r, g.json);
  };
}

}  // namespace platformd::cli
