// platformctl enable PLATFORM...: register, verify and advertise platforms.
#include "cli_context.h"
#include "dbus/dbus_client.h"

namespace platformd::cli {

Runner register_enable(CLI::App& app, Globals& g) {
  auto* sub = app.add_subcommand("enable", "register, verify and advertise platforms (aliases and BOINC names work)");
  struct Opts {
    std::vector<std::string> names;
    bool strict = false;
    bool allow_slow = false;
    bool take_over = false;
    bool force = false;
    std::string scope;
  };
  auto o = std::make_shared<Opts>();
  sub->add_option("platforms", o->names, "platforms to enable, e.g. aarch64 armhf")->required();
  sub->add_flag("--strict", o->strict,
                "block on a floating-point deviation in any impact class, not only every-program");
  sub->add_flag("--allow-slow", o->allow_slow,
                "enable even below 2% of native speed (BOINC would abort most of its tasks)");
  sub->add_flag("--take-over", o->take_over,
                "when another tool's binfmt entry claims these programs, disable it (not removed) and use ours "
                "if it verifies; it is enabled again by disable");
  sub->add_option("--scope", o->scope,
                  "global: a handler in the machine's table, for every program; boinc: for BOINC's tasks alone, in "
                  "BOINC's own namespace (Linux 6.7 or later, the client started by platformd-boinc-launch), the "
                  "machine's table left as it is. Unset: an enabled platform keeps its scope, a new one gets the "
                  "default `platformctl status` names. The other scope than an enabled platform's moves it")
      ->check(CLI::IsMember({"global", "boinc"}));
  sub->add_flag("--force", o->force,
                "move a platform between scopes even though BOINC holds unfinished tasks of it (their handler "
                "changes under them)");
  return [&g, o] {
    ChangeOptions opts;
    opts.strict = o->strict;
    opts.allow_slow = o->allow_slow;
    opts.take_over = o->take_over;
    opts.force = o->force;
    if (!o->scope.empty()) opts.scope = scope_from(o->scope);
    auto r = daemon_or_direct(
        g, [&] { return try_enable_via_daemon(o->names, opts); }, [&](Broker& b) { return b.enable(o->names, opts); });
    if (!r) return report_error(r.error());
    return print_change(*r, g.json);
  };
}

}  // namespace platformd::cli
