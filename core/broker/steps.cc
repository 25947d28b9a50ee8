// The steps the broker's operations share (broker/steps.h).
#include "broker/steps.h"

#include <algorithm>

#include "binfmt/binfmt_table.h"
#include "binfmt/elf_file.h"
#include "binfmt/platform_plan.h"
#include "boinc/boinc_locate.h"
#include "boinc/boinc_sync.h"
#include "boinc/cc_config.h"
#include "boinc/rc_home.h"
#include "exit_codes.h"
#include "fidelity/candidate_selection.h"
#include "fidelity/probe_runner.h"
#include "fidelity/speed_gate.h"
#include "fidelity/translator.h"
#include "fidelity/verifier.h"
#include "state.h"

namespace platformd {

bool contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

void add_sorted(std::vector<std::string>& v, const std::string& s) {
  if (!contains(v, s)) v.push_back(s);
  std::sort(v.begin(), v.end());
}

void remove_value(std::vector<std::string>& v, std::string_view s) {
  v.erase(std::remove(v.begin(), v.end(), s), v.end());
}

const BinfmtRule* find_entry(const std::vector<BinfmtRule>& table, std::string_view name) {
  for (const auto& e : table)
    if (e.name == name) return &e;
  return nullptr;
}

// Is our entry `name` in the table, and enabled, right now?
bool own_entry_enabled(BinfmtTable& table, std::string_view name) {
  auto entries = table.entries();
  if (!entries) return false;
  const BinfmtRule* e = find_entry(*entries, name);
  return e && e->enabled;
}

// The headers no handler may ever capture: the userland's own programs, and the probes of
// compat platforms the kernel was proven to run natively.
std::vector<NativeHeader> native_headers(const Paths& p, const HostInfo& h) {
  std::vector<NativeHeader> out;
  if (auto e = read_elf(userland_program()); e)
    out.push_back(
        {fmt::format("{} ({}, this machine's own programs)", userland_program().string(), h.userland_arch), e->header});
  for (const auto& arch : h.native_compat)
    if (auto e = read_elf(probe_path(p, arch)); e)
      out.push_back({fmt::format("{} programs, which this kernel runs natively", arch), e->header});
  // Not proven either way (the probe gave no answer): they may be the host's own programs.
  for (const auto& [arch, why] : h.undetermined_compat)
    if (auto e = read_elf(probe_path(p, arch)); e)
      out.push_back({fmt::format("{} programs, which this kernel may run natively ({})", arch, why), e->header});
  return out;
}

VerifyRecord record_of(const VerifyResult& v, const std::string& identity, const std::string& probe_identity) {
  VerifyRecord r;
  r.translator_identity = identity;
  r.probe_identity = probe_identity;
  r.fidelity = v.fidelity;
  r.passed = v.passed;
  r.fp_ratio = v.fp_ratio.value_or(0);
  r.int_ratio = v.int_ratio.value_or(0);
  r.candidates = v.candidates;
  r.why_chosen = v.why_chosen;
  r.guest_cpu = v.guest_cpu;
  if (!v.runs) {
    r.reason = v.run_detail;
    return r;
  }
  // One line, by impact class (fidelity/impact.h), then the speed gate's warning or refusal.
  std::vector<std::string> parts;
  auto classes = classes_of(v.arch, v.categories);
  r.verdict = verdict_line(classes);
  for (const auto& c : classes)
    if (!c.exact) {
      std::string name = c.impact ? std::string(impact_name(*c.impact)) : "unclassified";
      r.differing.push_back(name);
      if (c.blocking) r.blocking.push_back(name);
    }
  if (v.fidelity == Fidelity::blocked || v.fidelity == Fidelity::warning) {
    parts.push_back(verdict_line(classes));
    for (const auto& c : classes)
      if (!c.exact && c.blocking) {
        parts.back() += fmt::format(" [blocking: {}]", c.first_difference);
        break;
      }
  }
  if (v.fp_ratio && v.int_ratio) {
    auto text = speed_gate_text(speed_gate(std::min(*v.fp_ratio, *v.int_ratio)), *v.fp_ratio, *v.int_ratio, v.passed);
    if (!text.empty()) parts.push_back(text);
  }
  r.reason = fmt::format("{}", fmt::join(parts, "; "));
  return r;
}

std::string describe_failure(const VerifyResult& v) {
  if (!v.runs) return v.run_detail;
  return record_of(v, "", "").reason;
}

std::string probe_identity(const Paths& p, const std::string& arch) {
  return file_identity(probe_path(p, arch));
}

// The BOINC names we advertise: platforms chosen AND verified (a platform that fails
// verification stays chosen, but BOINC must not fetch work for it).
std::vector<std::string> advertised(const Catalog& c, const State& st) {
  std::vector<std::string> out;
  for (const auto& arch : st.enabled) {
    auto rec = st.verified.find(arch);
    if (const Platform* p = c.by_arch(arch); p && rec != st.verified.end() && rec->second.passed)
      out.push_back(p->boinc_name);
  }
  return out;
}

// Is there a BOINC client here at all? Without a data directory there is nothing to
// configure, which is not an error (binfmt handlers are useful without BOINC too).
std::optional<fs::path> boinc_data_dir(Machine& m, const Paths& p) {
  auto dd = find_boinc_data_dir(m, p, nullptr);
  std::error_code ec;
  if (!dd || !fs::is_directory(dd->dir, ec)) return std::nullopt;
  return dd->dir;
}

// Does BOINC hold unfinished tasks of this platform? Unknown counts as yes: never lose work.
bool boinc_busy_with(Machine& m, const Paths& p, const Platform& pl) {
  if (!boinc_data_dir(m, p)) return false;
  auto tasks = tasks_for_platforms(m, p, {pl.boinc_name});
  return !tasks || !tasks->empty();
}

// Candidates whose translator takes its settings from an rc file (box64) are verified with
// that file as BOINC's tasks will read it: the BOINC home's file with platformd's block for
// the platforms it will serve. One that cannot be prepared (the file is a FIFO, a symlink,
// too large, its directory swappable) is not a candidate, with that reason.
void prepare_rc(Machine& m, const Paths& p, const State& st, const std::vector<TranslatorSpec>& specs,
                std::vector<Candidate>& cands, const std::string& arch) {
  std::optional<std::optional<fs::path>> dd;
  for (auto& c : cands) {
    if (c.rcfile.file.empty() || !c.problem.empty()) continue;
    if (!dd) dd = boinc_data_dir(m, p);
    std::vector<std::string> archs = {arch};
    for (const auto& w : wanted_rc_blocks(st, specs))
      if (w.file == c.rcfile.file)
        for (const auto& a : w.archs) add_sorted(archs, a);
    std::sort(archs.begin(), archs.end());
    archs.erase(std::unique(archs.begin(), archs.end()), archs.end());
    auto text = rc_probe_text(m, *dd, c.rcfile, archs);
    if (!text)
      c.problem = fmt::format("its rc file cannot be prepared: {}", text.error().message);
    else
      c.rc_text = std::move(*text);
  }
}

// The description's settings of the candidate at `translator` (rc file, host libc) for `t`.
VerifyTarget with_rc(VerifyTarget t, const std::vector<Candidate>& cands, const std::string& translator) {
  for (const auto& c : cands)
    if (c.path == translator) {
      t.maps_host_libc = c.maps_host_libc;
      if (c.rcfile.file.empty() || !c.problem.empty()) continue;  // no text: the run does not pass (verify.cc)
      t.rc_file = c.rcfile.file;
      t.rc_text = c.rc_text;
    }
  return t;
}

// The rc files' blocks follow the state (boinc/rc_home.h): after every change and reconcile.
void sync_rc(Machine& m, const Paths& p, State& st, const std::vector<TranslatorSpec>& specs, ChangeReport& rep) {
  auto want = wanted_rc_blocks(st, specs);
  if (want.empty() && st.rc_files.empty()) return;
  auto r = sync_rc_blocks(m, boinc_data_dir(m, p), want, st);
  if (!r) {
    // BOINC's tasks would run without the settings that were verified: the operation fails
    // (reconcile exits non-zero and the daemon journals it; status says why).
    if (!rep.error)
      rep.error = fail(r.error().code, "the translator settings BOINC's tasks need could not be written: {}",
                       r.error().message);
    return;
  }
  for (auto& l : r->lines) rep.lines.push_back(std::move(l));
  for (auto& w : r->warnings) rep.warnings.push_back(std::move(w));
  if (!r->lines.empty()) rep.changed = true;
}

// Applies the advertised set to cc_config.xml, restarting and confirming as boinc_sync says.
// also_keep: BOINC names that stay advertised although they no longer verify (their tasks).
void sync_boinc(Machine& m, const Paths& p, const Catalog& c, State& st, const ChangeOptions& o, ChangeReport& rep,
                const std::vector<std::string>& also_keep, ClientListing* listing) {
  if (!boinc_data_dir(m, p)) {
    rep.warnings.push_back("no BOINC data directory found (use --boinc-dir); BOINC was not configured");
    if (listing) listing->kind = ClientListing::Kind::no_client;
    return;
  }
  BoincSyncOptions bo;
  bo.restart = o.restart_boinc;
  bo.force = o.force;
  auto names = advertised(c, st);
  for (const auto& n : also_keep) add_sorted(names, n);
  auto r = sync_alt_platforms(m, p, st, names, bo);
  if (!r) {
    if (!rep.error) rep.error = r.error();
    return;
  }
  rep.changed = rep.changed || r->changed;
  for (auto& l : r->lines) rep.lines.push_back("BOINC: " + l);
  for (auto& w : r->warnings) rep.warnings.push_back("BOINC: " + w);
  if (listing) {
    if (r->client_unreadable)
      listing->kind = ClientListing::Kind::unknown;
    else if (r->client_platforms)
      *listing = {ClientListing::Kind::answered, *r->client_platforms};
    else
      listing->kind = ClientListing::Kind::no_client;
  }
}

// Enables again the other tools' entries that `enable --take-over` disabled for `arch`, those
// that still exist, once our handler for it is gone: the machine is as the other tool left it.
void give_back(BinfmtTable& table, State& st, const std::string& arch, ChangeReport& rep) {
  auto t = st.taken_over.find(arch);
  if (t == st.taken_over.end()) return;
  auto entries = table.entries();
  for (const auto& name : t->second) {
    const BinfmtRule* e = entries ? find_entry(*entries, name) : nullptr;
    if (!e || e->enabled) continue;
    if (auto r = table.set_enabled(name, true); !r) {
      rep.warnings.push_back(
          fmt::format("{}: could not enable entry '{}' of another tool again: {}", arch, name, r.error().message));
      continue;
    }
    rep.lines.push_back(fmt::format("{}: enabled entry '{}' of another tool again (it was taken over)", arch, name));
    rep.changed = true;
  }
  st.taken_over.erase(t);
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Removes the handler of each withdrawing platform (Choice::withdrawing) once the client no
// longer lists it, or no client answers (one started later reads cc_config.xml, which no
// longer names it). While the client still lists it, or what it lists is unknown, the handler
// stays: the client goes on fetching tasks of the platform, which could not run without it.
// `say_kept`: report the handlers that stay (a disable does; the daemon's reconciles, which run
// on every call, do not repeat it).
void settle_withdrawals(Machine& m, const Paths& p, const Catalog& c, State& st, const ClientListing& listing,
                        bool say_kept, ChangeReport& rep) {
  if (st.withdrawing.empty()) return;
  BinfmtTable table(m, p.binfmt_dir);
  auto entries = table.entries();
  if (!entries) {  // cannot tell whether the handlers are there: decide next time
    rep.awaiting_client = true;
    return;
  }
  const std::int64_t now = unix_now();
  for (const auto& arch : std::vector<std::string>(st.withdrawing)) {
    const Platform* pl = c.by_arch(arch);
    const BinfmtRule* ours = pl ? find_entry(*entries, own_entry_name(arch)) : nullptr;
    if (contains(st.enabled, arch) || !ours) {  // enabled again, or the handler is gone anyway
      remove_value(st.withdrawing, arch);
      st.withdrawing_since.erase(arch);
      if (!contains(st.enabled, arch)) give_back(table, st, arch, rep);
      continue;
    }
    const bool listed = listing.kind == ClientListing::Kind::answered && contains(listing.platforms, pl->boinc_name);
    // Another tool's entry we took over is not kept disabled for ever by what answers on the
    // GUI RPC port or sits at cc_config.xml (a FIFO): after take_over_release_after it goes back.
    const bool release_due = st.taken_over.count(arch) && st.withdrawing_since.count(arch) &&
                             now - st.withdrawing_since.at(arch) >= p.take_over_release_after.count();
    if (st.taken_over.count(arch) && !st.withdrawing_since.count(arch)) st.withdrawing_since[arch] = now;  // old state
    if ((listed || listing.kind == ClientListing::Kind::unknown) && !release_due) {
      rep.awaiting_client = true;
      if (say_kept)
        rep.lines.push_back(fmt::format(
            "{}: withdrawing: its handler {} stays while the BOINC client {} {} (it builds that list only at start and "
            "fetches tasks for it); it is removed at the first reconcile after the client no longer lists it",
            arch, ours->name, listed ? "still lists" : "may still list", pl->boinc_name));
      continue;
    }
    if (auto r = table.remove_own(ours->name); !r) {
      if (!rep.error) rep.error = r.error();
      continue;
    }
    remove_value(st.withdrawing, arch);
    st.withdrawing_since.erase(arch);
    rep.changed = true;
    give_back(table, st, arch, rep);
    if (listed || listing.kind == ClientListing::Kind::unknown)
      rep.warnings.push_back(fmt::format(
          "{}: removed entry {} and gave the other tool's entry back after {} s of withdrawal, although the BOINC "
          "client {} {}: tasks of it now run under that tool's entry, which platformd did not verify",
          arch, ours->name, p.take_over_release_after.count(), listed ? "still lists" : "may still list",
          pl->boinc_name));
    else
      rep.lines.push_back(fmt::format("{}: disabled (removed entry {}: {})", arch, ours->name,
                                      listing.kind == ClientListing::Kind::answered
                                          ? fmt::format("the BOINC client no longer lists {}", pl->boinc_name)
                                          : std::string("no BOINC client answers")));
  }
}

// disable with keep_busy: takes the platforms BOINC holds unfinished tasks of out of
// `platforms` and reports each one as kept: its handler, its alt_platform and the
// administrator's choice stay, so the tasks go on running as that platform. Returns their
// BOINC names (sync_boinc keeps them advertised even if they no longer verify).
Result<std::vector<BoincTask>> unfinished_tasks(Machine& m, const Paths& p,
                                                const std::vector<const Platform*>& platforms, std::string* sources) {
  if (!boinc_data_dir(m, p)) return std::vector<BoincTask>{};
  std::vector<std::string> names;
  for (const Platform* pl : platforms) names.push_back(pl->boinc_name);
  return tasks_for_platforms(m, p, names, {}, sources);
}

std::string task_list(const std::vector<BoincTask>& tasks) {
  std::string list;
  for (const auto& t : tasks) list += (list.empty() ? " " : "; ") + describe(t);
  return list;
}

std::vector<std::string> keep_busy_platforms(std::vector<const Platform*>& platforms,
                                             const std::vector<BoincTask>& tasks, ChangeReport& rep) {
  std::vector<std::string> kept;
  std::erase_if(platforms, [&](const Platform* pl) {
    std::string list;
    std::size_t n = 0;
    for (const auto& t : tasks)
      if (t.platform == pl->boinc_name) {
        list += (list.empty() ? " " : "; ") + describe(t);
        ++n;
      }
    if (n == 0) return false;
    kept.push_back(pl->boinc_name);
    rep.lines.push_back(fmt::format("{}: kept (BOINC holds {} unfinished task(s) of it)", pl->arch, n));
    rep.warnings.push_back(fmt::format(
        "{}: kept, handler and alt_platform: BOINC holds {} unfinished task(s) of it, which the client would relabel "
        "as native after a restart. Disable it once they finish, or with --force:{}",
        pl->arch, n, list));
    return true;
  });
  return kept;
}

}  // namespace platformd
