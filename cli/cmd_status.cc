// platformctl status [--json]: the host, then one row per platform.
#include <fmt/core.h>

#include "cli_context.h"
#include "dbus/dbus_client.h"
#include "exit_codes.h"
#include "report_json.h"

namespace platformd::cli {

namespace {

std::string speed_text(const std::optional<double>& r) {
  return r ? fmt::format("{:.1f}%", 100 * *r) : "-";
}

std::string boinc_text(const std::optional<bool>& b) {
  if (!b) return "-";
  return *b ? "yes" : "no";
}

// What each project did with each enabled foreign platform: the owner of an idle board reads
// here whether work came and, when none did, what the server said.
void print_uptake(const StatusReport& r) {
  if (r.uptake.empty()) return;
  fmt::print("\nBOINC uptake (the client's tasks, app versions and last scheduler reply, by project):\n");
  for (const auto& u : r.uptake) {
    std::string arch = u.platform;
    for (const auto& p : r.platforms)
      if (p.boinc_name == u.platform) arch = p.arch;
    fmt::print("  {} from {}\n", arch, describe(u));
    if (u.last_reply) fmt::print("    last scheduler reply {}\n", describe(*u.last_reply));
  }
}

void print_text(const StatusReport& r) {
  const auto& h = r.host;
  fmt::print("Host: {} kernel, {}-bit {} userland; BOINC platform {}\n", h.kernel_arch, h.userland_bits,
             h.userland_arch, h.boinc_platform);
  fmt::print("Runs natively besides: {}\n\n", h.native_compat.empty()
                                                  ? "nothing else (proven by probe)"
                                                  : fmt::format("{}", fmt::join(h.native_compat, ", ")));
  fmt::print("{:<8} {:<30} {:<11} {:<30} {:<8} {:>6} {:<5} {}\n", "PLATFORM", "BOINC NAME", "STATE", "TRANSLATOR",
             "FIDELITY", "SPEED", "BOINC", "REASON");
  for (const auto& p : r.platforms)
    fmt::print("{:<8} {:<30} {:<11} {:<30} {:<8} {:>6} {:<5} {}\n", p.arch, p.boinc_name, to_string(p.state),
               p.translator.empty() ? "-" : p.translator,
               p.fidelity == Fidelity::unverified ? std::string("-") : std::string(to_string(p.fidelity)),
               speed_text(p.speed_ratio), boinc_text(p.boinc_reports), p.reason);
  // The fidelity verdict by impact class and the translator choice, under the table: one line
  // each, too long for a column.
  for (const auto& p : r.platforms) {
    if (p.verdict.empty() && p.candidates.empty()) continue;
    fmt::print("\n{}: {}\n", p.arch, p.verdict.empty() ? "verified" : p.verdict);
    for (const auto& c : p.candidates) fmt::print("  candidate {}\n", c);
    if (!p.why_chosen.empty()) fmt::print("  {}\n", p.why_chosen);
  }
  print_uptake(r);
  for (const auto& n : r.notes) fmt::print("\nnote: {}\n", n);
}

}  // namespace

Runner register_status(CLI::App& app, Globals& g) {
  auto* sub = app.add_subcommand("status", "show the host and the state of every platform");
  return [&g, sub] {
    (void)sub;
    // Same output either way: the daemon returns the core's own StatusReport.
    bool via_daemon = false;
    auto r = daemon_or_direct(
        g,
        [&via_daemon] {
          auto d = try_status_via_daemon();
          via_daemon = d && *d;
          return d;
        },
        [](Broker& b) { return b.status(); });
    if (!r) return report_error(r.error());
    // The daemon's snapshot may predate the client's latest tasks and replies.
    if (via_daemon) {
      RealMachine m;
      refresh_uptake(m, g.paths(), *r);
    }
    if (g.json)
      fmt::print("{}\n", to_json(*r).dump(2));
    else
      print_text(*r);
    return exit_code::ok;
  };
}

}  // namespace platformd::cli
