// platformctl verify [PLATFORM...] [--translator PATH|native] [--strict]: run the probes and
// print a per-category fidelity verdict and the speed ratio. Registers nothing.
#include <fmt/core.h>

#include "cli_context.h"
#include "exit_codes.h"
#include "report_json.h"

namespace platformd::cli {

namespace {

void print_text(const VerifyResult& v) {
  fmt::print("{} via {}: {}\n", v.arch, v.translator.empty() ? "-" : v.translator, v.passed ? "PASS" : "FAIL");
  fmt::print("  run: {}\n", v.run_detail);
  for (const auto& c : v.categories)
    fmt::print("  {:<22} {}{}\n", c.category,
               c.exact ? "exact" : (c.blocking ? "DEVIATES (blocking)" : "deviates (warning)"),
               c.exact ? "" : fmt::format(": {}", c.first_difference));
  if (!v.fidelity.empty()) fmt::print("  fidelity: {}\n", v.fidelity);
  if (v.fp_ratio && v.int_ratio)
    fmt::print("  speed: FP {:.1f}% of native, integer {:.1f}% of native{}\n", 100 * *v.fp_ratio, 100 * *v.int_ratio,
               v.slow_risk ? " (slow: at risk of BOINC's elapsed-time limit)" : "");
}

}  // namespace

Runner register_verify(CLI::App& app, Globals& g) {
  auto* sub = app.add_subcommand("verify", "check platforms: probe run, floating-point fidelity, speed");
  struct Opts {
    std::vector<std::string> names;
    std::string translator;
    bool strict = false;
  };
  auto o = std::make_shared<Opts>();
  sub->add_option("platforms", o->names, "platforms to verify (default: all foreign ones)");
  sub->add_option("--translator", o->translator,
                  "run the probe under this translator (or 'native'), registering nothing");
  sub->add_flag("--strict", o->strict, "any floating-point deviation fails");
  return [&g, o] {
    RealMachine m;
    Broker b(m, g.paths());
    VerifyOptions opts;
    opts.strict = o->strict;
    if (!o->translator.empty()) opts.translator = o->translator;
    auto r = b.verify(o->names, opts);
    if (!r) return report_error(r.error());
    if (g.json)
      fmt::print("{}\n", to_json(*r).dump(2));
    else
      for (const auto& v : *r) print_text(v);
    bool all = std::all_of(r->begin(), r->end(), [](const VerifyResult& v) { return v.passed; });
    return all ? exit_code::ok : exit_code::verify_failed;
  };
}

}  // namespace platformd::cli
