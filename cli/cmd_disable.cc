// platformctl disable (PLATFORM... | --all) [--force | --keep-busy]: withdraw platforms,
// protecting BOINC work.
//
// Exit status contract (the package's prerm relies on it, see debian/platformd.prerm):
//   default      BOINC holds tasks of any named platform: nothing is withdrawn, exit 6.
//   --keep-busy  those platforms are kept (handler, alt_platform and the choice stay) and
//                named in a warning; the others are withdrawn; exit 0 unless something else
//                failed. The state file then still lists exactly the kept ones as enabled.
//   --force      everything is withdrawn; the tasks would run as native programs.
#include "cli_context.h"
#include "dbus/dbus_client.h"
#include "exit_codes.h"

namespace platformd::cli {

namespace {

// Every platform the administrator has enabled, from the same source a status would use.
Result<std::vector<std::string>> enabled_platforms(const Globals& g) {
  auto rep = daemon_or_direct(g, try_status_via_daemon, [](Broker& b) { return b.status(); });
  if (!rep) return rep.error();
  std::vector<std::string> names;
  for (const auto& p : rep->platforms)
    if (p.enabled && p.state != PlatformState::native) names.push_back(p.arch);
  return names;
}

}  // namespace

Runner register_disable(CLI::App& app, Globals& g) {
  auto* sub = app.add_subcommand("disable", "stop advertising platforms and remove their handlers");
  struct Opts {
    std::vector<std::string> names;
    bool all = false;
    bool force = false;
    bool keep_busy = false;
  };
  auto o = std::make_shared<Opts>();
  auto* names = sub->add_option("platforms", o->names, "platforms to disable");
  sub->add_flag("--all", o->all, "every enabled platform")->excludes(names);
  auto* force =
      sub->add_flag("--force", o->force,
                    "withdraw even though BOINC tasks of the platform exist (they would be relabelled as native)");
  sub->add_flag("--keep-busy", o->keep_busy,
                "keep the platforms BOINC holds tasks of (with a warning) and withdraw the others, instead of "
                "refusing the whole call")
      ->excludes(force);
  return [&g, o] {
    std::vector<std::string> names = o->names;
    if (o->all) {
      auto all = enabled_platforms(g);
      if (!all) return report_error(all.error());
      if (all->empty()) {
        if (g.json) return print_change(ChangeReport{}, true);
        fmt::print("no platform is enabled\n");
        return exit_code::ok;
      }
      names = std::move(*all);
    } else if (names.empty()) {
      return report_error(fail(exit_code::usage, "disable: name at least one platform, or use --all"));
    }
    ChangeOptions opts;
    opts.force = o->force;
    opts.keep_busy = o->keep_busy;
    auto r = daemon_or_direct(
        g, [&] { return try_disable_via_daemon(names, opts); }, [&](Broker& b) { return b.disable(names, opts); });
    if (!r) return report_error(r.error());
    return print_change(*r, g.json);
  };
}

}  // namespace platformd::cli
