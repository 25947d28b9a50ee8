#include <fmt/core.h>

#include "binfmt/binfmt_table.h"
#include "binfmt/platform_plan.h"
#include "broker/scope.h"
#include "fidelity/translator.h"

#include <stdlib.h>
#include <cstdio>

#include "broker/broker.h"
#include "broker/session.h"
#include "broker/steps.h"
#include "exit_codes.h"
#include "state.h"
#include "system/boinc_namespace.h"
#include "system/launch_record.h"

namespace platformd {

DefaultScope decide_default_scope(std::string_view kernel_release, const std::optional<BoincUnit>& unit,
                                  const fs::path& launcher) {
  int major = 0, minor = 0;
  const bool parsed = std::sscanf(std::string(kernel_release).c_str(), "%d.%d", &major, &minor) == 2;
  const std::string release(kernel_release.substr(0, kernel_release.find_first_of(" \n")));
  if (!parsed || major < 6 || (major == 6 && minor < 7))
    return {Scope::global, fmt::format("global: Linux {} gives a user namespace no binfmt_misc of its own (6.7 does)",
                                       parsed ? release : "(unknown release)")};
  if (!unit || !unit->loaded())
    return {Scope::global,
            unit ? fmt::format("global: no {} for systemd to start through platformd-boinc-launch", kBoincUnit)
                 : std::string("global: no systemd (or no system bus) here, to start the BOINC client through "
                               "platformd-boinc-launch")};
  if (unit->exec_path != launcher.string())
    return {Scope::global,
            fmt::format("global: {} starts {}, not platformd-boinc-launch (an ExecStart= override? `systemctl cat {}`)",
                        kBoincUnit, unit->exec_path.empty() ? "an unknown program" : unit->exec_path, kBoincUnit)};
  return {Scope::boinc, fmt::format("boinc: Linux {} gives BOINC's namespace its own binfmt_misc, and {} starts the "
                                    "client through platformd-boinc-launch",
                                    release, kBoincUnit)};
}

DefaultScope default_scope(Machine& m, const Paths& p) {
  auto release = m.read_file("/proc/sys/kernel/osrelease", 256);
  std::optional<BoincUnit> unit;
  if (auto q = SystemdBoincService().query(); q) unit = *q;
  return decide_default_scope(release ? *release : "", unit, p.launcher);
}

namespace {

// A platform moved to BOINC's scope: its handler leaves the machine's table, and the entries of
// another tool it took over are given back, as disable does for them.
void leave_machine_table(Machine& m, const Paths& p, Session& s, const std::string& arch, ChangeReport& rep) {
  BinfmtTable machine(m, p.binfmt_dir);
  auto entries = machine.entries();
  const std::string name = own_entry_name(arch);
  if (entries && find_entry(*entries, name)) {
    if (auto r = machine.remove_own(name); !r) {
      rep.warnings.push_back(
          fmt::format("{}: moved to scope boinc, but its handler {} stays in the machine's table: {}", arch, name,
                      r.error().message));
      return;
    }
  }
  if (s.state.taken_over.count(arch)) give_back(machine, s.state, arch, rep);
  s.state.withdrawing_since.erase(arch);
  std::erase(s.state.withdrawing, arch);
  rep.changed = true;
  rep.lines.push_back(
      fmt::format("{}: moved to BOINC's tasks alone (scope boinc): handler {} left the machine's "
                  "table; BOINC's namespace gets it now if the client runs, else when it starts",
                  arch, name));
}

}  // namespace

void enable_in_boinc_scope(Machine& m, const Paths& p, ChangeRun& run, const ChangeOptions& o) {
  auto& s = run.s;
  auto& rep = run.rep;
  auto keep_first = [&rep](Error e) {
    if (!rep.error) rep.error = std::move(e);
  };
  const std::vector<const Platform*>& todo = run.platforms;
  if (todo.empty()) return;
  // A scratch namespace made like BOINC's: the handler is registered in its instance and the
  // probes run in it, as BOINC's tasks will run (the machine's table is never written).
  std::string dir = fmt::format("{}/platformd-scope-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  if (!::mkdtemp(dir.data())) return keep_first(fail(exit_code::failure, "cannot create {}", dir));
  struct Cleanup {
    std::string d;
    ~Cleanup() {
      std::error_code ec;
      fs::remove(d, ec);
    }
  } cleanup{dir};
  auto ns = BoincNamespace::scratch(dir);
  if (!ns)
    return keep_first(fail(exit_code::refused,
                           "--scope boinc needs a user namespace with a binfmt_misc instance of its own (Linux 6.7 "
                           "or later): {}; `--scope global` serves the platform from "
                           "the machine's table",
                           ns.error().message));
  Paths sp = p;
  sp.binfmt_dir = ns->instance_dir();
  BinfmtTable table(m, sp.binfmt_dir);
  auto natives = native_headers(p, s.host);
  ChangeOptions so = o;
  so.take_over = false;  // nothing of another tool's is there to take over
  so.verify_in_namespace_of = ns->pid();
  for (const Platform* pl : todo) {
    const bool moving = contains(s.state.enabled, pl->arch) && s.state.scope_of(pl->arch) == Scope::global &&
                        !s.host.runs_natively(pl->arch);
    // A move that fails changes nothing: the state (its verification record too) as it was.
    std::optional<State> before;
    if (moving) before = s.state;
    std::erase(s.state.enabled, pl->arch);
    enable_one(m, sp, s, table, natives, pl, so, rep);
    if (!contains(s.state.enabled, pl->arch)) {
      s.state.scope.erase(pl->arch);  // not enabled: no scope to remember
      if (moving) {
        s.state = std::move(*before);
        rep.lines.push_back(
            fmt::format("{}: stays enabled for every program (scope global), its handler untouched", pl->arch));
      }
    } else if (moving) {
      s.state.scope[pl->arch] = Scope::boinc;
      leave_machine_table(m, p, s, pl->arch, rep);
    } else {
      s.state.scope[pl->arch] = Scope::boinc;
      rep.lines.push_back(fmt::format(
          "{}: for BOINC's tasks alone (scope boinc): nothing registered in the machine's table; the handler goes "
          "into BOINC's own namespace when the client starts through platformd-boinc-launch",
          pl->arch));
    }
  }
}

// BOINC's own binfmt_misc instance (docs/scoped.md) does not fall back to the machine's table,
// so it gets the handler of every platform enabled for BOINC: a boinc-scoped one our rule with
// the translator it was verified with; a global one a copy of the entry that serves it in the
// machine's table (ours, or the other tool's entry it adopted), under our name. Only passed
// verifications count. Entries already there and the same are left alone.
Result<ChangeReport> Broker::fill_boinc_instance(const fs::path& instance_dir) {
  auto sess = open_session(m_, paths_, false);
  if (!sess) return sess.error();
  ChangeReport rep;
  rep.warnings = sess->notes;
  if (auto r = fill_instance(m_, paths_, *sess, instance_dir, rep); !r) return r.error();
  return rep;
}

Result<void> fill_instance(Machine& m, const Paths& p, const Session& s, const fs::path& instance_dir,
                           ChangeReport& rep) {
  std::vector<BinfmtRule> machine;
  if (auto e = BinfmtTable(m, p.binfmt_dir).entries(); e) machine = std::move(*e);
  BinfmtTable inst(m, instance_dir);
  auto present = inst.entries();
  if (!present) return present.error();
  for (const auto& arch : s.state.enabled) {
    const Platform* pl = s.catalog.by_arch(arch);
    auto rec = s.state.verified.find(arch);
    if (!pl || s.host.runs_natively(arch)) continue;
    if (rec == s.state.verified.end() || !rec->second.passed) {
      rep.warnings.push_back(fmt::format("{}: not verified; no handler in BOINC's instance", arch));
      continue;
    }
    BinfmtRule rule;
    if (s.state.scope_of(arch) == Scope::boinc) {
      const std::string& id = rec->second.translator_identity;
      rule = own_rule(*pl, identity_path(id));
    } else {
      const BinfmtRule* h = find_entry(machine, own_entry_name(arch));
      if (!h) {
        auto overlaps = foreign_overlaps(own_rule(*pl, "/"), machine);
        if (!overlaps.empty()) h = find_entry(machine, overlaps.front().name);
      }
      if (!h || !h->enabled) {
        rep.warnings.push_back(fmt::format("{}: no enabled entry serves it in the machine's table to copy", arch));
        continue;
      }
      rule = *h;
    }
    rule.name = own_entry_name(arch);
    rule.enabled = true;
    if (const BinfmtRule* have = find_entry(*present, rule.name)) {
      if (have->interpreter == rule.interpreter && have->flags == rule.flags && have->magic == rule.magic &&
          have->mask == rule.mask)
        continue;
      if (auto r = inst.remove_own(rule.name); !r) return r.error();
    }
    if (auto r = inst.add(rule); !r) {
      if (!rep.error) rep.error = r.error();
      continue;
    }
    rep.changed = true;
    rep.lines.push_back(fmt::format("{}: handler {} ({}, {} scope) in BOINC's instance", arch, rule.name,
                                    rule.interpreter, to_string(s.state.scope_of(arch))));
  }
  return {};
}

void heal_boinc_instance(Machine& m, const Paths& p, const Session& s, ChangeReport& rep, bool always) {
  bool scoped = always;
  for (const auto& arch : s.state.enabled) scoped = scoped || s.state.scope_of(arch) == Scope::boinc;
  if (!scoped) return;
  auto client = find_launched_client(m, p.boinc_run_dir);
  if (!client) return;  // none runs: the launcher fills the instance when the client starts
  ChangeReport filled;
  if (auto r = fill_instance(m, p, s, client->instance_dir, filled); !r) {
    rep.warnings.push_back(fmt::format("BOINC's instance (client PID {}): {}", client->pid, r.error().message));
    return;
  }
  for (auto& l : filled.lines) rep.lines.push_back("repaired " + l);
  rep.changed = rep.changed || filled.changed;
  if (filled.error && !rep.error) rep.error = filled.error;
}

}  // namespace platformd
