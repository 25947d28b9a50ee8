#include "broker/broker.h"

#include <algorithm>
#include <functional>

#include "binfmt/binfmt_table.h"
#include "binfmt/elf_file.h"
#include "binfmt/platform_plan.h"
#include "boinc/boinc_locate.h"
#include "boinc/boinc_sync.h"
#include "boinc/cc_config.h"
#include "boinc/rc_home.h"
#include "broker/decisions.h"
#include "broker/scope.h"
#include "broker/session.h"
#include "broker/steps.h"
#include "exit_codes.h"
#include "fidelity/candidate_selection.h"
#include "fidelity/probe_runner.h"
#include "fidelity/speed_gate.h"
#include "fidelity/translator.h"
#include "fidelity/verifier.h"
#include "state.h"

namespace platformd {

// When another tool's entry serves the platform: our best installed candidate, if it beats
// that entry (fewer deviating impact classes, blocking first, or the entry does not verify),
// with how to hand the magic over; "" otherwise. The kernel uses the most recently registered
// matching entry, and platformd never edits another tool's entry, so the hand-over is the
// administrator's: mask the binfmt.d file that registers it, remove the entry, enable again.
static std::string better_than_foreign(Machine& m, const Paths& paths, Session& s, const Platform& pl,
                                       const std::vector<Candidate>& cands, const VerifyResult& foreign,
                                       const BinfmtRule& f, const ChangeOptions& o) {
  CandidateSelection selection;
  auto ours = verify_candidates(m, paths, s.host, pl, cands, o.strict, o.allow_slow, &selection);
  if (selection.index < 0) return "";
  CandidateRun theirs;
  theirs.name = f.name;
  theirs.path = f.interpreter;
  theirs.result = foreign;
  summarize(theirs, pl.arch);
  const CandidateRun& best = ours[selection.index];
  bool beats = !foreign.passed || !theirs.problem.empty() || best.blocking < theirs.blocking ||
               (best.blocking == theirs.blocking && best.deviating < theirs.deviating);
  if (!beats) return "";
  return fmt::format(
      ". Better: {}. To hand the magic over, mask the file that registers '{}' (e.g. `ln -s /dev/null "
      "/etc/binfmt.d/{}.conf` when it comes from /usr/lib/binfmt.d/{}.conf), remove the entry (`echo -1 > "
      "/proc/sys/fs/binfmt_misc/{}`), then `platformctl enable {}`; or `platformctl enable --take-over {}`, which "
      "disables that entry while {} is enabled",
      candidate_line(best), f.name, f.name, f.name, f.name, pl.arch, pl.arch, pl.arch);
}

// Registers and verifies one platform, or adopts another tool's entry that already serves it.
// Failures go to rep.error (the first one wins, its exit code is the call's) so a batch keeps
// going; each later one becomes a line of the report, so every platform that failed is named
// (issue 13: postinst on arm64 enabled "x86_64 i686" and only x86_64's failure was shown).
// keep_on_failure, asked only when the verification failed: true leaves the new handler
// registered (reconcile, while BOINC tasks of the platform exist: without a handler they could
// not run at all).
void enable_one(Machine& m, const Paths& paths, Session& s, BinfmtTable& table,
                const std::vector<NativeHeader>& natives, const Platform* pl, const ChangeOptions& o, ChangeReport& rep,
                const std::function<bool()>& keep_on_failure) {
  auto keep_first = [&](Error e) {
    if (!rep.error) {
      rep.error = std::move(e);
      return;
    }
    const std::string own = pl->arch + ": ";
    std::string_view msg = e.message;
    if (msg.substr(0, own.size()) == own) msg.remove_prefix(own.size());
    rep.lines.push_back(fmt::format("{}: not enabled: {}", pl->arch, msg));
  };
  if (s.host.runs_natively(pl->arch)) {
    if (pl->arch == s.host.userland_arch) {
      keep_first(
          fail(exit_code::refused,
               "{} runs natively: it is this machine's own platform (BOINC's primary one); refusing to register a "
               "handler that would capture its programs",
               pl->arch));
      return;
    }
    // A compat platform this kernel runs natively (aarch64 under a 32-bit armhf userland, as
    // Raspberry Pi OS 32-bit on a 64-bit kernel): advertised to BOINC as it is, with no
    // translator and never a handler (which would capture the programs the kernel runs).
    auto rec = s.state.verified.find(pl->arch);
    if (contains(s.state.enabled, pl->arch) && rec != s.state.verified.end() &&
        rec->second.fidelity == Fidelity::native) {
      rep.lines.push_back(fmt::format("{}: already enabled (runs natively)", pl->arch));
      return;
    }
    VerifyRecord r;
    // No translator: no translator identity. The verdict Fidelity::native says how it is served.
    r.probe_identity = probe_identity(paths, pl->arch);
    r.fidelity = Fidelity::native;
    r.passed = true;
    s.state.verified[pl->arch] = r;
    add_sorted(s.state.enabled, pl->arch);
    rep.changed = true;
    rep.lines.push_back(fmt::format(
        "{}: enabled natively: this kernel runs its programs (proven by its probe); advertised to BOINC with no "
        "translator and no handler",
        pl->arch));
    return;
  }
  if (auto u = s.host.undetermined_compat.find(pl->arch); u != s.host.undetermined_compat.end()) {
    keep_first(fail(exit_code::refused,
                    "{}: cannot tell whether this kernel runs its programs natively: {}; refusing to register a "
                    "handler that could capture them. Try again when the machine is less busy (every run probes it "
                    "again)",
                    pl->arch, u->second));
    return;
  }
  auto entries = table.entries();
  if (!entries) return keep_first(entries.error());
  const BinfmtRule* ours = find_entry(*entries, own_entry_name(pl->arch));
  auto rec = s.state.verified.find(pl->arch);
  if (contains(s.state.enabled, pl->arch) && ours && ours->enabled && rec != s.state.verified.end() &&
      rec->second.passed && rec->second.translator_identity == file_identity(ours->interpreter) &&
      (!o.translator || ours->interpreter == *o.translator)) {
    rep.lines.push_back(fmt::format("{}: already enabled ({})", pl->arch, ours->interpreter));
    return;
  }
  auto cands = candidates_for(s.translators, *pl);
  // A translator asked for by name (apply's "translator") is the only candidate: falling
  // back to another one would register what the administrator did not choose.
  if (o.translator) {
    std::erase_if(cands, [&](const Candidate& c) { return c.path != *o.translator; });
    if (cands.empty()) {
      keep_first(fail(exit_code::usage, "{}: translator {} is not described for it", pl->arch, *o.translator));
      return;
    }
  }
  prepare_rc(m, paths, s.state, s.translators, cands, pl->arch);
  auto usable = std::find_if(cands.begin(), cands.end(), [](const Candidate& c) { return c.problem.empty(); });
  if (usable == cands.end()) {
    keep_first(fail(exit_code::verify_failed, "{}: no usable translator: {}", pl->arch,
                    cands.empty() ? "none is described" : cands.front().problem));
    return;
  }
  // More than one installed candidate: verify them all here, in one run, and take the best
  // (fidelity/candidate_selection.h). The chosen one is verified again below from an empty root,
  // through the handler that is registered for it.
  std::vector<std::string> candidate_lines;
  std::string why_chosen;
  if (std::count_if(cands.begin(), cands.end(), [](const Candidate& c) { return c.problem.empty(); }) > 1) {
    CandidateSelection selection;
    auto runs = verify_candidates(m, paths, s.host, *pl, cands, o.strict, o.allow_slow, &selection);
    for (const auto& v : runs) candidate_lines.push_back(candidate_line(v));
    if (selection.index < 0) {
      keep_first(fail(exit_code::verify_failed, "{}: no translator runs both static and dynamic programs: {}", pl->arch,
                      fmt::join(candidate_lines, "; ")));
      return;
    }
    why_chosen = selection.why;
    usable = std::find_if(cands.begin(), cands.end(),
                          [&](const Candidate& c) { return c.path == runs[selection.index].path; });
    for (const auto& l : candidate_lines) rep.lines.push_back(fmt::format("{}: candidate {}", pl->arch, l));
    rep.lines.push_back(fmt::format("{}: {}", pl->arch, why_chosen));
  }
  BinfmtRule rule = own_rule(*pl, usable->path);
  if (!usable->requires_static) rule.flags = "P";
  if (auto hit = matches_native(rule, natives); !hit.empty()) {
    keep_first(fail(exit_code::refused, "{}: refusing: its handler would also match {}", pl->arch, hit));
    return;
  }
  auto foreign = foreign_overlaps(rule, *entries);
  // --take-over: the other tools' entries are disabled (never removed or edited) and ours is
  // registered and proven as if they were not there. Should ours not end up serving the
  // platform, `taking` gives theirs back on the way out.
  struct TakeOver {
    BinfmtTable& table;
    State& st;
    const std::string& arch;
    ChangeReport& rep;
    bool keep = false;
    TakeOver(BinfmtTable& t, State& s, const std::string& a, ChangeReport& r) : table(t), st(s), arch(a), rep(r) {}
    TakeOver(const TakeOver&) = delete;
    TakeOver& operator=(const TakeOver&) = delete;
    ~TakeOver() {
      if (!keep) give_back(table, st, arch, rep);
    }
  };
  std::optional<TakeOver> taking;
  if (!foreign.empty() && o.take_over) {
    auto& names = s.state.taken_over[pl->arch];
    taking.emplace(table, s.state, pl->arch, rep);
    for (const auto& f : foreign) {
      if (auto r = table.set_enabled(f.name, false); !r) return keep_first(r.error());
      if (!contains(names, f.name)) names.push_back(f.name);
      rep.lines.push_back(fmt::format(
          "{}: took over from entry '{}' of another tool (interpreter {}): disabled while {} is enabled, not removed",
          pl->arch, f.name, f.interpreter, pl->arch));
    }
    foreign.clear();
  }
  if (!foreign.empty()) {
    // Another tool already handles this magic. Its entry matches first whatever we add, so
    // verify the platform through it: adopt it when it passes, report it when it does not.
    const BinfmtRule& f = foreign.front();
    VerifyTarget t = with_rc(VerifyTarget{.platform = pl,
                                          .via = ProbeVia::binfmt_empty_root,
                                          .translator = f.interpreter,
                                          .env = usable->env,
                                          .expect_preserved_argv0 = f.flags.find('P') != std::string::npos},
                             cands, f.interpreter);
    t.allow_slow = o.allow_slow;
    VerifyResult v = verify_platform(m, paths, s.host, t, o.strict);
    s.state.verified[pl->arch] = record_of(v, file_identity(f.interpreter), probe_identity(paths, pl->arch));
    const std::string better = better_than_foreign(m, paths, s, *pl, cands, v, f, o);
    if (!v.passed) {
      keep_first(fail(
          exit_code::conflict,
          "{}: binfmt entry '{}' of another tool (interpreter {}, flags {}) already handles these programs and "
          "does not verify: {}. Not adding a second handler; fix or disable that entry, then retry, or use "
          "--take-over to disable it while {} is enabled{}",
          pl->arch, f.name, f.interpreter, f.flags.empty() ? "none" : f.flags, describe_failure(v), pl->arch, better));
      return;
    }
    if (!better.empty()) rep.warnings.push_back(fmt::format("{}: the adopted entry '{}'{}", pl->arch, f.name, better));
    if (ours) (void)table.remove_own(ours->name);  // never two handlers for one magic
    add_sorted(s.state.enabled, pl->arch);
    rep.changed = true;
    rep.lines.push_back(
        fmt::format("{}: served by the existing entry '{}' ({}); verified, fidelity {}; no second handler added",
                    pl->arch, f.name, f.interpreter, to_string(v.fidelity)));
    return;
  }
  if (ours) {
    // Stale (other translator, or the file was replaced: F pinned the old inode).
    if (auto r = table.remove_own(ours->name); !r) return keep_first(r.error());
  }
  if (auto r = table.add(rule); !r) {
    keep_first(r.error());
    return;
  }
  VerifyTarget t = with_rc(VerifyTarget{.platform = pl,
                                        .via = ProbeVia::binfmt_empty_root,
                                        .translator = usable->path,
                                        .env = usable->env,
                                        .expect_preserved_argv0 = true},
                           cands, usable->path);
  t.allow_slow = o.allow_slow;
  t.join_namespaces_of = o.verify_in_namespace_of;
  // A dynamic-only translator has no F (the kernel would pin a binary whose loader is looked
  // up in each caller's root): prove it from the real root, where BOINC runs its tasks.
  if (!usable->requires_static) t.via = ProbeVia::native;
  // A verdict measured with the same translator file and the same probe (a repair of a
  // flushed entry, or an enable after a disable) is kept: the identity run from an empty root
  // still proves the new registration, the fingerprint and the benchmark are not repeated.
  auto known = s.state.verified.find(pl->arch);
  t.identity_only =
      known != s.state.verified.end() && record_reusable(known->second, file_identity(usable->path),
                                                         probe_identity(paths, pl->arch), o.strict, o.allow_slow);
  VerifyResult v = verify_platform(m, paths, s.host, t, o.strict);
  v.candidates = candidate_lines;
  v.why_chosen = why_chosen;
  // BOINC projects ship dynamically linked apps too: a translator that cannot run them is not
  // one for this platform. Run from the real root through the new handler.
  if (v.passed && !t.identity_only) {
    VerifyTarget dt = t;
    dt.via = ProbeVia::native;  // exec the foreign probe: the kernel hands it to our handler
    if (auto d = verify_dynamic(m, paths, dt, o.strict); d.tested && !d.runs) {
      v.passed = false;
      v.runs = false;
      v.run_detail = d.detail;
    }
  }
  // A run that failed because our entry was flushed or disabled meanwhile (systemd-binfmt,
  // `echo 0 >` it) says nothing about the translator: record no verdict, so that the next
  // trigger (that change's own event, the next call) registers and proves it again.
  if (!v.passed && !own_entry_enabled(table, rule.name)) {
    keep_first(fail(exit_code::failure,
                    "{}: its entry {} was removed or disabled while it was being proven; not judged, tried again at "
                    "the next trigger",
                    pl->arch, rule.name));
    return;
  }
  const std::string identity = file_identity(usable->path);
  if (t.identity_only) {
    v.fidelity = known->second.fidelity;
    if (known->second.fp_ratio > 0) {
      v.fp_ratio = known->second.fp_ratio;
      v.int_ratio = known->second.int_ratio;
    }
    if (!v.passed) s.state.verified[pl->arch] = record_of(v, identity, probe_identity(paths, pl->arch));
  } else {
    s.state.verified[pl->arch] = record_of(v, identity, probe_identity(paths, pl->arch));
  }
  if (!v.passed && keep_on_failure && keep_on_failure()) {
    if (taking) taking->keep = true;
    add_sorted(s.state.enabled, pl->arch);
    rep.changed = true;
    rep.warnings.push_back(fmt::format(
        "{}: verification with {} failed: {}. Its handler is KEPT: BOINC holds unfinished tasks of this platform, "
        "which could not run without it; it is withdrawn once they are finished",
        pl->arch, usable->path, describe_failure(v)));
    return;
  }
  if (!v.passed) {
    (void)table.remove_own(rule.name);
    keep_first(
        fail(exit_code::verify_failed, "{}: verification failed, handler removed: {}", pl->arch, describe_failure(v)));
    return;
  }
  if (taking) taking->keep = true;
  add_sorted(s.state.enabled, pl->arch);
  rep.changed = true;
  std::string speed =
      v.fp_ratio ? fmt::format(", speed {:.1f}% of native", 100 * combined_speed(*v.fp_ratio, *v.int_ratio)) : "";
  rep.lines.push_back(fmt::format("{}: enabled with {} (entry {}, flags {}); fidelity {}{}{}", pl->arch, usable->path,
                                  rule.name, rule.flags, v.fidelity, speed,
                                  t.identity_only ? " (verdict of the same translator and probe files kept; the "
                                                    "handler was proven from an empty root)"
                                                  : ""));
  if (v.fidelity == Fidelity::warning)
    rep.warnings.push_back(fmt::format("{}: {}", pl->arch, s.state.verified[pl->arch].reason));
}

Result<ChangeReport> Broker::enable(const std::vector<std::string>& names, const ChangeOptions& o) {
  auto run = begin_change(m_, paths_, names);
  if (!run) return run.error();
  auto& s = run->s;
  // Each platform's scope: the one asked for; unasked, the one it is enabled in, and for one not
  // enabled yet the default (decide_default_scope), read once and said.
  std::optional<DefaultScope> dflt;
  std::vector<const Platform*> boinc, global;
  for (const Platform* pl : run->platforms) {
    Scope sc = Scope::global;
    if (o.scope) {
      sc = *o.scope;
    } else if (contains(s.state.enabled, pl->arch) || s.host.runs_natively(pl->arch)) {
      sc = s.state.scope_of(pl->arch);
    } else {
      if (!dflt) {
        dflt = default_scope(m_, paths_);
        run->rep.lines.push_back("default scope " + dflt->why);
      }
      sc = dflt->scope;
    }
    (sc == Scope::boinc ? boinc : global).push_back(pl);
  }
  // A platform enabled in one scope and asked for the other moves (docs/scoped.md). Its handler
  // changes under BOINC's tasks of it, so they are protected as by disable.
  std::vector<const Platform*> moving;
  for (const Platform* pl : run->platforms)
    if (o.scope && contains(s.state.enabled, pl->arch) && !s.host.runs_natively(pl->arch) &&
        s.state.scope_of(pl->arch) != *o.scope)
      moving.push_back(pl);
  if (!moving.empty() && !o.force) {
    std::string sources;
    auto tasks = unfinished_tasks(m_, paths_, moving, &sources);
    if (!tasks) return tasks.error();
    if (!tasks->empty())
      return fail(exit_code::work_at_risk,
                  "refusing to move to scope {}: BOINC holds {} unfinished task(s) of these platforms (from {}), "
                  "whose handler would change under them. Let them finish, or use --force:{}",
                  to_string(*o.scope), tasks->size(), sources, task_list(*tasks));
  }
  const auto all = run->platforms;
  if (!boinc.empty()) {
    run->platforms = boinc;
    ChangeOptions bo = o;
    bo.scope = Scope::boinc;
    enable_in_boinc_scope(m_, paths_, *run, bo);
  }
  if (!global.empty()) {
    BinfmtTable table(m_, paths_.binfmt_dir);
    if (auto ok = table.prepare(); !ok) return ok.error();
    auto natives = native_headers(paths_, s.host);
    for (const Platform* pl : global) {
      const bool from_boinc = contains(s.state.enabled, pl->arch) && s.state.scope_of(pl->arch) == Scope::boinc;
      // A move that fails changes nothing: the state (its verification record too) as it was.
      std::optional<State> before;
      if (from_boinc) before = s.state;
      if (from_boinc) std::erase(s.state.enabled, pl->arch);
      enable_one(m_, paths_, s, table, natives, pl, o, run->rep);
      if (!from_boinc) continue;
      if (contains(s.state.enabled, pl->arch)) {
        s.state.scope.erase(pl->arch);
        run->rep.lines.push_back(fmt::format(
            "{}: moved to every program (scope global); BOINC's namespace holds a copy of the machine's entry (it "
            "does not fall back to the machine's table)",
            pl->arch));
      } else {
        s.state = std::move(*before);
        run->rep.lines.push_back(
            fmt::format("{}: stays enabled for BOINC's tasks alone (scope boinc), its handler untouched", pl->arch));
      }
    }
  }
  // The running client's namespace follows at once: the platform stays advertised, so nothing
  // restarts the client.
  if (!moving.empty()) heal_boinc_instance(m_, paths_, s, run->rep, true);
  run->platforms = all;
  return finish_change(m_, paths_, *run, o);
}

}  // namespace platformd
