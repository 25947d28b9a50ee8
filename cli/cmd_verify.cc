// platformctl verify [PLATFORM...] [--translator PATH|native] [--strict] [--allow-slow]: run the
// probes and print the verdict by impact class, the categories behind it, the speed ratio and,
// when nothing is registered, every translator candidate side by side. Registers nothing. Asks the
// daemon when it runs, except with --translator, which the daemon does not offer (it would
// run a caller-chosen file as root).
#include <fmt/core.h>

#include "cli_context.h"
#include "dbus/dbus_client.h"
#include "exit_codes.h"
#include "fidelity/impact.h"
#include "fidelity/speed_gate.h"
#include "report_json.h"

namespace platformd::cli {

namespace {

void print_text(const VerifyResult& v) {
  fmt::print("{} via {}: {}\n", v.arch, translator_word(v), v.passed ? "PASS" : "FAIL");
  fmt::print("  run: {}\n", v.run_detail);
  // The verdict by impact class first: one line that says which programs a deviation can
  // change; then the classes, then the categories they were judged from.
  auto classes = classes_of(v.arch, v.categories);
  if (auto line = verdict_line(classes); !line.empty()) fmt::print("  verdict: {}\n", line);
  for (const auto& c : classes)
    fmt::print("  class {:<20} {}{}\n", c.impact ? impact_name(*c.impact) : "unclassified",
               c.exact ? "exact" : (c.blocking ? "DEVIATES (blocking)" : "deviates (warning)"),
               c.exact ? "" : fmt::format(": {}", c.first_difference));
  for (const auto& c : v.categories)
    fmt::print("  {:<22} {}{}\n", c.category,
               c.exact ? "exact" : (c.blocking ? "DEVIATES (blocking)" : "deviates (warning)"),
               c.exact ? "" : fmt::format(": {}", c.first_difference));
  if (v.fidelity != Fidelity::unverified) fmt::print("  fidelity: {}\n", v.fidelity);
  if (v.fp_ratio && v.int_ratio) {
    SpeedGate gate = speed_gate(std::min(*v.fp_ratio, *v.int_ratio));
    std::string note = speed_gate_text(gate, *v.fp_ratio, *v.int_ratio, v.passed);
    fmt::print("  speed: FP {:.1f}% of native, integer {:.1f}% of native{}\n", 100 * *v.fp_ratio, 100 * *v.int_ratio,
               note.empty() ? "" : " (" + note + ")");
  }
  if (!v.candidates.empty()) {
    fmt::print("  candidates:\n");
    for (const auto& c : v.candidates) fmt::print("    {}\n", c);
    fmt::print("  choice: {}\n", v.why_chosen);
  }
}

// The same output and exit code whether the daemon or this process verified.
int print_results(const std::vector<VerifyResult>& r, bool json) {
  if (json)
    fmt::print("{}\n", to_json(r).dump(2));
  else
    for (const auto& v : r) print_text(v);
  bool all = std::all_of(r.begin(), r.end(), [](const VerifyResult& v) { return v.passed; });
  return all ? exit_code::ok : exit_code::verify_failed;
}

}  // namespace

Runner register_verify(CLI::App& app, Globals& g) {
  auto* sub = app.add_subcommand("verify", "check platforms: probe run, floating-point fidelity, speed");
  struct Opts {
    std::vector<std::string> names;
    std::string translator;
    bool strict = false;
    bool allow_slow = false;
  };
  auto o = std::make_shared<Opts>();
  sub->add_option("platforms", o->names, "platforms to verify (default: all foreign ones)");
  sub->add_option("--translator", o->translator,
                  "run the probe under this translator (or 'native'), registering nothing");
  sub->add_flag("--strict", o->strict, "any floating-point deviation fails, in every impact class");
  sub->add_flag("--allow-slow", o->allow_slow,
                "pass a platform even below 2% of native speed (BOINC would abort most of its tasks)");
  return [&g, o] {
    VerifyOptions opts;
    opts.strict = o->strict;
    opts.allow_slow = o->allow_slow;
    // "native" is the command line's word for no translator at all.
    if (o->translator == "native")
      opts.native = true;
    else if (!o->translator.empty())
      opts.translator = o->translator;
    auto r = daemon_or_direct(
        g, [&] { return try_verify_via_daemon(o->names, opts); }, [&](Broker& b) { return b.verify(o->names, opts); });
    if (!r) return report_error(r.error());
    return print_results(*r, g.json);
  };
}

}  // namespace platformd::cli
