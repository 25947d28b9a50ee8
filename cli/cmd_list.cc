// platformctl list [--enabled] [--scope global|boinc] [--json]: the platforms platformd knows, one arch name a line,
// from the catalog and the state file only: no probe, no BOINC, no daemon. For scripts (the
// package's maintainer scripts read the administrator's choice through it, never the state
// file itself) and completion; `status` is the view for people.
#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "broker/session.h"
#include "cli_context.h"
#include "exit_codes.h"
#include "state.h"

namespace platformd::cli {

Runner register_list(CLI::App& app, Globals& g) {
  auto* sub = app.add_subcommand("list", "list the platforms platformd knows, one name a line (no probes)");
  auto enabled_only = std::make_shared<bool>(false);
  auto scope = std::make_shared<std::string>();
  sub->add_flag("--enabled", *enabled_only, "only the platforms the administrator has enabled");
  sub->add_option("--scope", *scope, "only the enabled platforms of this scope (global or boinc)")
      ->check(CLI::IsMember({"global", "boinc"}));
  return [&g, enabled_only, scope] {
    RealMachine m;
    Paths p = g.paths();
    auto cat = load_catalog(m, p);
    if (!cat) return report_error(cat.error());
    auto st = load_state(m, p);
    if (!st) return report_error(st.error());
    auto j = nlohmann::json::array();
    for (const auto& pl : cat->platforms) {
      Choice c = choice_of(*st, pl.arch);
      if ((*enabled_only || !scope->empty()) && c != Choice::enabled) continue;
      if (!scope->empty() && to_string(st->scope_of(pl.arch)) != *scope) continue;
      if (g.json)
        j.push_back({{"arch", pl.arch},
                     {"boinc_name", pl.boinc_name},
                     {"choice", std::string(to_string(c))},
                     {"scope", c == Choice::enabled ? nlohmann::json(to_string(st->scope_of(pl.arch))) : nullptr}});
      else
        fmt::print("{}\n", pl.arch);
    }
    if (g.json) fmt::print("{}\n", j.dump(2));
    return exit_code::ok;
  };
}

}  // namespace platformd::cli
