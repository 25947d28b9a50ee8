// platformctl disable PLATFORM... [--force]: withdraw platforms, protecting BOINC work.
#include "cli_context.h"
#include "dbus_client.h"

namespace platformd::cli {

Runner register_disable(CLI::App& app, Globals& g) {
  auto* sub = app.add_subcommand("disable", "stop advertising platforms and remove their handlers");
  struct Opts {
    std::vector<std::string> names;
    bool force = false;
  };
  auto o = std::make_shared<Opts>();
  sub->add_option("platforms", o->names, "platforms to disable")->required();
  sub->add_flag("--force", o->force,
                "withdraw even though BOINC tasks of the platform exist (they would be relabelled as native)");
  return [&g, o] {
    ChangeOptions opts;
    opts.force = o->force;
    if (g.may_use_daemon()) {
      auto via = try_disable_via_daemon(o->names, opts);
      if (!via) return report_error(via.error());
      if (*via) return print_change(**via, g.json);
    }
    RealMachine m;
    Broker b(m, g.paths());
    auto r = b.disable(o->names, opts);
    if (!r) return report_error(r.error());
    return print_change(*r, g.json);
  };
}

}  // namespace platformd::cli
