// platformctl apply FILE [--check]: bring the machine to the desired-state file (docs/fleet.md):
// enable what it wants enabled, disable what it wants disabled, leave the rest. The broker's
// protections hold as for enable and disable. Exit: 0 already as the file says, 8 changed
// (--check: would change), the first failure's class (1-7) otherwise.
#include <fmt/core.h>

#include "apply/applier.h"
#include "apply/apply_json.h"
#include "cli_context.h"
#include "dbus/dbus_client.h"
#include "exit_codes.h"

namespace platformd::cli {

namespace {

std::string describe(const PlatformSnapshot& s) {
  std::string out = fmt::format("{}, {}", s.enabled ? "enabled" : "not enabled", to_string(s.state));
  if (s.fidelity != Fidelity::unverified) out += fmt::format(", fidelity {}", s.fidelity);
  return out;
}

void print_text(const ApplyReport& r) {
  for (const auto& l : r.lines) fmt::print("{}\n", l);
  if (!r.lines.empty()) fmt::print("\n");
  int changed = 0, unchanged = 0, failed = 0;
  for (const auto& it : r.items) {
    switch (it.outcome) {
      case ApplyOutcome::unchanged:
        ++unchanged;
        fmt::print("{}: ok, {} ({})\n", it.arch, to_string(it.desired), it.reason);
        break;
      case ApplyOutcome::would_change:
        ++changed;
        fmt::print("{}: would {} ({}; now {})\n", it.arch, to_string(it.action), it.reason, describe(it.before));
        break;
      case ApplyOutcome::changed:
        ++changed;
        fmt::print("{}: changed, {} -> {}\n", it.arch, describe(it.before), describe(it.after));
        break;
      case ApplyOutcome::failed:
        ++failed;
        fmt::print("{}: FAILED to {}: {}\n", it.arch, to_string(it.action), it.reason);
        break;
    }
  }
  if (r.check)
    fmt::print("check: {} would change, {} as wanted; nothing was changed\n", changed, unchanged);
  else if (changed == 0 && failed == 0)
    fmt::print("nothing to change: {} platform(s) already as {} says\n", unchanged, r.source);
  else
    fmt::print("{} changed, {} unchanged, {} failed\n", changed, unchanged, failed);
  for (const auto& w : r.warnings) fmt::print(stderr, "platformctl: warning: {}\n", w);
}

}  // namespace

Runner register_apply(CLI::App& app, Globals& g) {
  auto* sub = app.add_subcommand("apply", "bring the platforms to a desired-state file (docs/fleet.md)");
  struct Opts {
    std::string file;
    bool check = false;
  };
  auto o = std::make_shared<Opts>();
  sub->add_option("file", o->file, "desired-state file (JSON; - for standard input)")->required();
  sub->add_flag("--check", o->check, "print what would change, and change nothing");
  return [&g, o] {
    // The file is read here, as the caller: the daemon gets its text, never a path that it
    // would open as root.
    RealMachine reader;
    std::string source = o->file == "-" ? "<stdin>" : o->file;
    // FILE is opened once, not followed if it is a symlink, not waited on if it is a FIFO, and
    // must be a regular file of bounded size; "-" is standard input.
    auto text = o->file == "-" ? reader.read_file("/dev/stdin", kMaxDesiredStateBytes)
                               : reader.read_named_file(o->file, kMaxDesiredStateBytes);
    if (!text) return report_error(text.error());
    // Validated before the daemon is asked: bad input gets the same message either way.
    auto desired = parse_desired_state(*text, source);
    if (!desired) return report_error(desired.error());
    ApplyOptions opts;
    opts.check = o->check;
    auto r = daemon_or_direct(
        g, [&] { return try_apply_via_daemon(*text, source, opts); },
        [&](Broker& b) { return apply_desired_state(b, *desired, opts); });
    if (!r) return report_error(r.error());
    if (g.json)
      fmt::print("{}\n", to_json(*r).dump(2));
    else
      print_text(*r);
    if (r->error && !g.json) report_error(*r->error);
    return apply_exit_code(*r);
  };
}

}  // namespace platformd::cli
