// Broker: status, enable, disable, verify and reconcile, each read top to bottom as the steps
// it takes. Mutating operations hold the state lock for their whole run, so concurrent
// platformctl runs and the daemon take turns.
#include "broker.h"

#include <algorithm>
#include <functional>

#include "binfmt/binfmt_table.h"
#include "binfmt/elf_file.h"
#include "binfmt/platform_plan.h"
#include "boinc/boinc_locate.h"
#include "boinc/boinc_sync.h"
#include "boinc/cc_config.h"
#include "boinc/rc_home.h"
#include "exit_codes.h"
#include "fidelity/candidate_choice.h"
#include "fidelity/probe_runner.h"
#include "fidelity/speed_gate.h"
#include "fidelity/translator.h"
#include "fidelity/verifier.h"
#include "state.h"

namespace platformd {

// Everything one operation reads before it decides anything.
struct Broker::Session {
  Catalog catalog;
  std::vector<TranslatorSpec> translators;
  State state;
  HostInfo host;
  std::vector<std::string> notes;
  bool state_recovered = false;
};

namespace {

Result<Catalog> load_catalog(Machine& m, const Paths& p) {
  fs::path f = p.data_dir / "catalog.json";
  auto text = m.read_file(f, 1 << 20);
  if (!text) return text.error();
  return parse_catalog(*text, f.string());
}

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

Result<std::vector<const Platform*>> resolve_all(const Catalog& c, const std::vector<std::string>& names) {
  std::vector<const Platform*> out;
  for (const auto& n : names) {
    if (auto v = validate_platform_name(n); !v) return v.error();
    const Platform* p = c.resolve(n);
    if (!p) {
      std::string known;
      for (const auto& q : c.platforms) known += (known.empty() ? "" : ", ") + q.arch;
      return fail(exit_code::usage, "unknown platform \"{}\" (known: {}; BOINC names and aliases work too)", n, known);
    }
    if (std::find(out.begin(), out.end(), p) == out.end()) out.push_back(p);
  }
  return out;
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
  r.choice = v.choice;
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
  if (v.fidelity == "blocked" || v.fidelity == "warning") {
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

// A stored verdict stands for a new registration when it passed with the same translator file
// and the same probe, and is good enough for the policy asked for now.
bool verdict_reusable(const VerifyRecord& r, const Paths& p, const Platform& pl, const std::string& translator,
                      const ChangeOptions& o) {
  return r.passed && r.translator_identity == file_identity(translator) &&
         r.probe_identity == probe_identity(p, pl.arch) && (!o.strict || r.fidelity == "exact") &&
         (o.allow_slow || speed_gate(std::min(r.fp_ratio, r.int_ratio)) != SpeedGate::too_slow);
}

// The translator identity of a compat platform enabled natively (no translator, no handler).
constexpr std::string_view kNativeIdentity = "native";

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
    auto text = rc_text_with_block(m, *dd, c.rcfile, archs);
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
      if (c.rcfile.file.empty()) continue;
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
    rep.warnings.push_back(fmt::format("translator settings: {}", r.error().message));
    return;
  }
  for (auto& l : r->lines) rep.lines.push_back(std::move(l));
  for (auto& w : r->warnings) rep.warnings.push_back(std::move(w));
  if (!r->lines.empty()) rep.changed = true;
}

// What the BOINC client listed at the end of a sync: what decides whether the handler of a
// withdrawn platform may go.
struct ClientListing {
  enum class Kind {
    no_client,  // nothing answers (or no BOINC here): a client started later reads the file as it is now
    answered,   // `platforms` is its effective list
    unknown,    // the sync failed, or something answered that is not a client's state
  };
  Kind kind = Kind::unknown;
  std::vector<std::string> platforms;
};

// Applies the advertised set to cc_config.xml, restarting and confirming as boinc_sync says.
// also_keep: BOINC names that stay advertised although they no longer verify (their tasks).
void sync_boinc(Machine& m, const Paths& p, const Catalog& c, State& st, const ChangeOptions& o, ChangeReport& rep,
                const std::vector<std::string>& also_keep = {}, ClientListing* listing = nullptr) {
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
  for (const auto& arch : std::vector<std::string>(st.withdrawing)) {
    const Platform* pl = c.by_arch(arch);
    const BinfmtRule* ours = pl ? find_entry(*entries, own_entry_name(arch)) : nullptr;
    if (contains(st.enabled, arch) || !ours) {  // enabled again, or the handler is gone anyway
      remove_value(st.withdrawing, arch);
      if (!contains(st.enabled, arch)) give_back(table, st, arch, rep);
      continue;
    }
    const bool listed = listing.kind == ClientListing::Kind::answered && contains(listing.platforms, pl->boinc_name);
    if (listed || listing.kind == ClientListing::Kind::unknown) {
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
    rep.changed = true;
    give_back(table, st, arch, rep);
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

// After the state file was lost: the <alt_platform> entries that name a platform our kernel
// entries serve are taken as ours (we wrote them; a user's duplicate would be redundant), so
// a later disable withdraws them. Entries of platforms without our entry stay the user's.
std::vector<std::string> recover_owned_alt_platforms(Machine& m, const Paths& p, const Catalog& c,
                                                     const std::vector<std::string>& enabled) {
  std::vector<std::string> owned;
  auto dd = boinc_data_dir(m, p);
  if (!dd) return owned;
  auto loc = locate_cc_config(m, *dd);
  if (!loc || !loc->exists) return owned;
  auto text = m.read_file_at(loc->dir, loc->name);
  if (!text || !*text) return owned;
  auto view = read_cc_config((*text)->text, loc->real.string());
  if (!view) return owned;
  for (const auto& arch : enabled)
    if (const Platform* pl = c.by_arch(arch))
      for (const auto& e : view->alt_platforms)
        if (e.name == pl->boinc_name) add_sorted(owned, e.name);
  return owned;
}

}  // namespace

Broker::Broker(Machine& m, Paths p) : m_(m), paths_(std::move(p)) {}

// Loads catalog, translators and state, and detects the host. A corrupt state file is
// rebuilt from the kernel table (our entries say what was enabled), and the caller is told.
static Result<Broker::Session> open_session(Machine& m, const Paths& p, bool reprobe_host) {
  Broker::Session s;
  auto cat = load_catalog(m, p);
  if (!cat) return cat.error();
  s.catalog = std::move(*cat);
  auto tr = load_translators(p);
  if (!tr) return tr.error();
  s.translators = std::move(*tr);
  auto st = load_state(m, p);
  if (st) {
    s.state = std::move(*st);
  } else {
    s.state_recovered = true;
    BinfmtTable table(m, p.binfmt_dir);
    if (auto entries = table.entries(); entries)
      for (const auto& e : *entries)
        if (is_own_entry(e.name)) add_sorted(s.state.enabled, e.name.substr(kOwnPrefix.size()));
    s.state.owned_alt_platforms = recover_owned_alt_platforms(m, p, s.catalog, s.state.enabled);
    s.notes.push_back(fmt::format(
        "{}; rebuilt the choice from the kernel table (enabled: {}) and cc_config.xml (ours: {})", st.error().message,
        s.state.enabled.empty() ? "none" : fmt::format("{}", fmt::join(s.state.enabled, ", ")),
        s.state.owned_alt_platforms.empty() ? "none"
                                            : fmt::format("{}", fmt::join(s.state.owned_alt_platforms, ", "))));
  }
  auto host = detect_host(m, p, s.catalog, s.state.host, reprobe_host);
  if (!host) return host.error();
  s.host = std::move(*host);
  return s;
}

Result<StatusReport> Broker::status() {
  auto sess = open_session(m_, paths_, false);
  if (!sess) return sess.error();
  auto& s = *sess;
  StatusReport rep;
  rep.host = s.host;
  rep.notes = s.notes;
  BinfmtTable table(m_, paths_.binfmt_dir);
  std::vector<BinfmtRule> entries;
  if (auto e = table.entries(); e)
    entries = std::move(*e);
  else
    rep.notes.push_back(fmt::format("binfmt_misc is not readable at {} (not mounted?)", paths_.binfmt_dir.string()));

  std::optional<std::vector<std::string>> client;
  if (boinc_data_dir(m_, paths_)) {
    if (auto c = client_platforms(m_, paths_); c)
      client = *c;
    else
      rep.notes.push_back(c.error().message);
  }
  for (const auto& pl : s.catalog.platforms) {
    PlatformStatus ps;
    if (client) ps.boinc_reports = contains(*client, pl.boinc_name);
    ps.arch = pl.arch;
    ps.boinc_name = pl.boinc_name;
    ps.boinc_canonical = pl.boinc_canonical;
    ps.enabled = contains(s.state.enabled, pl.arch);
    if (auto u = s.host.undetermined_compat.find(pl.arch); u != s.host.undetermined_compat.end() && !ps.enabled) {
      ps.state = "unavailable";
      ps.reason = fmt::format(
          "cannot tell whether this kernel runs it natively: {}; no handler is registered for it "
          "until that is known",
          u->second);
      rep.platforms.push_back(std::move(ps));
      continue;
    }
    if (s.host.runs_natively(pl.arch)) {
      ps.state = "native";
      ps.reason = pl.arch == s.host.userland_arch ? "this machine's userland" : "proven by running its probe natively";
      if (ps.enabled && pl.arch != s.host.userland_arch) ps.reason += "; enabled: advertised to BOINC, no handler";
      rep.platforms.push_back(std::move(ps));
      continue;
    }
    std::error_code ec;
    bool have_probe = fs::exists(probe_path(paths_, pl.arch), ec);
    auto cands = candidates_for(s.translators, pl);
    if (ps.enabled) {
      const BinfmtRule* h = find_entry(entries, own_entry_name(pl.arch));
      if (!h) {
        auto rule = own_rule(pl, cands.empty() ? "/" : cands.front().path);
        auto f = foreign_overlaps(rule, entries);
        if (!f.empty()) h = find_entry(entries, f.front().name);
      }
      auto rec = s.state.verified.find(pl.arch);
      if (!h || !h->enabled) {
        ps.state = "unavailable";
        ps.reason =
            "enabled, but its binfmt_misc entry is missing (platformd repairs this; or run 'platformctl enable " +
            pl.arch + "')";
      } else {
        ps.handler = h->name;
        ps.translator = h->interpreter;
        if (rec == s.state.verified.end()) {
          ps.state = "unavailable";
          ps.reason = "not verified yet";
        } else {
          ps.fidelity = rec->second.fidelity;
          ps.verdict = rec->second.verdict;
          ps.candidates = rec->second.candidates;
          ps.choice = rec->second.choice;
          if (rec->second.fp_ratio > 0) ps.speed_ratio = combined_speed(rec->second.fp_ratio, rec->second.int_ratio);
          if (!rec->second.passed) {
            ps.state = "unavailable";
            ps.reason = rec->second.reason;
          } else if (file_identity(h->interpreter) != rec->second.translator_identity) {
            ps.state = "unavailable";
            ps.reason = fmt::format("{} changed since it was verified; re-verification pending", h->interpreter);
          } else {
            ps.state = "emulated";
            ps.reason = rec->second.reason;
            if (auto t = s.state.taken_over.find(pl.arch); t != s.state.taken_over.end())
              ps.reason += fmt::format(
                  "{}taken over (--take-over) from entry '{}' of another tool, disabled while {} is enabled",
                  ps.reason.empty() ? "" : "; ", fmt::join(t->second, "', '"), pl.arch);
          }
        }
      }
    } else if (const BinfmtRule* h = find_entry(entries, own_entry_name(pl.arch));
               h && choice_of(s.state, pl.arch) == Choice::withdrawing) {
      ps.state = std::string(to_string(Choice::withdrawing));
      ps.handler = h->name;
      ps.translator = h->interpreter;
      ps.reason = ps.boinc_reports.has_value() && !*ps.boinc_reports
                      ? "disabled; the BOINC client no longer lists it: the handler goes at the next reconcile"
                      : fmt::format(
                            "disabled; the handler stays while the BOINC client lists {} (it fetches tasks "
                            "for it until it is restarted)",
                            pl.boinc_name);
    } else {
      auto usable = std::find_if(cands.begin(), cands.end(), [](const Candidate& c) { return c.problem.empty(); });
      if (!have_probe) {
        ps.state = "unavailable";
        ps.reason = probe_missing_reason(paths_, pl.arch);
      } else if (usable == cands.end()) {
        ps.state = "unavailable";
        ps.reason = cands.empty() ? "no translator is described for it" : cands.front().problem;
      } else {
        ps.state = "available";
        ps.translator = usable->path;
        auto rec = s.state.verified.find(pl.arch);
        if (rec != s.state.verified.end() && rec->second.translator_identity == file_identity(usable->path)) {
          ps.fidelity = rec->second.fidelity;
          ps.verdict = rec->second.verdict;
          ps.candidates = rec->second.candidates;
          ps.choice = rec->second.choice;
          if (rec->second.fp_ratio > 0) ps.speed_ratio = combined_speed(rec->second.fp_ratio, rec->second.int_ratio);
          if (!rec->second.passed) ps.reason = "last verification failed: " + rec->second.reason;
        }
        // Never "available" without a word (issue 13: i686 was listed bare on arm64 after
        // postinst could not enable it): what is known, and the command that acts on it.
        bool verified_here = rec != s.state.verified.end() && rec->second.passed &&
                             rec->second.translator_identity == file_identity(usable->path);
        if (ps.reason.empty())
          ps.reason = verified_here ? fmt::format("not enabled; verified with {} ('platformctl enable {}')",
                                                  usable->path, pl.arch)
                                    : fmt::format("not enabled; {} not verified with {} yet ('platformctl verify {}')",
                                                  pl.arch, usable->path, pl.arch);
      }
    }
    // Once BOINC holds tasks of an emulated platform, their real bounds say whether the
    // measured slowdown gets them aborted; the project would lose the work it sent.
    if (ps.state == "emulated") {
      auto rec = s.state.verified.find(pl.arch);
      double worst = rec == s.state.verified.end() ? 0 : std::min(rec->second.fp_ratio, rec->second.int_ratio);
      if (worst > 0 && boinc_data_dir(m_, paths_))
        if (auto tasks = tasks_for_platforms(m_, paths_, {pl.boinc_name}); tasks)
          for (const auto& r : abort_risks(*tasks, pl.boinc_name, worst)) {
            ps.abort_risks.push_back(describe(r, worst));
            ps.reason += std::string(ps.reason.empty() ? "" : "; ") + "WARNING: " + ps.abort_risks.back();
          }
    }
    if (!pl.boinc_canonical)
      ps.reason += std::string(ps.reason.empty() ? "" : "; ") + "BOINC servers do not know this platform name";
    // The client's own detection (x86: any 32-bit ELF under /lib*) can claim a platform the
    // kernel cannot run; its tasks would then fail. Seen here: i686 on an x86_64 kernel
    // without IA32 emulation (docs/boinc.md).
    if (ps.boinc_reports.value_or(false) && ps.state != "emulated" && ps.state != to_string(Choice::withdrawing))
      ps.reason += std::string(ps.reason.empty() ? "" : "; ") +
                   "WARNING: the BOINC client advertises it, but this machine cannot run it; enable it to emulate it";
    rep.platforms.push_back(std::move(ps));
  }
  return rep;
}

// When another tool's entry serves the platform: our best installed candidate, if it beats
// that entry (fewer deviating impact classes, blocking first, or the entry does not verify),
// with how to hand the magic over; "" otherwise. The kernel uses the most recently registered
// matching entry, and platformd never edits another tool's entry, so the hand-over is the
// administrator's: mask the binfmt.d file that registers it, remove the entry, enable again.
static std::string better_than_foreign(Machine& m, const Paths& paths, Broker::Session& s, const Platform& pl,
                                       const std::vector<Candidate>& cands, const VerifyResult& foreign,
                                       const BinfmtRule& f, const ChangeOptions& o) {
  CandidateChoice choice;
  auto ours = verify_candidates(m, paths, s.host, pl, cands, o.strict, o.allow_slow, &choice);
  if (choice.index < 0) return "";
  CandidateVerdict theirs;
  theirs.name = f.name;
  theirs.path = f.interpreter;
  theirs.result = foreign;
  summarize(theirs, pl.arch);
  const CandidateVerdict& best = ours[choice.index];
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
static void enable_one(Machine& m, const Paths& paths, Broker::Session& s, BinfmtTable& table,
                       const std::vector<NativeHeader>& natives, const Platform* pl, const ChangeOptions& o,
                       ChangeReport& rep, const std::function<bool()>& keep_on_failure = {}) {
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
        rec->second.translator_identity == kNativeIdentity) {
      rep.lines.push_back(fmt::format("{}: already enabled (runs natively)", pl->arch));
      return;
    }
    VerifyRecord r;
    r.translator_identity = kNativeIdentity;
    r.probe_identity = probe_identity(paths, pl->arch);
    r.fidelity = "native";
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
  // (fidelity/candidate_choice.h). The chosen one is verified again below from an empty root,
  // through the handler that is registered for it.
  std::vector<std::string> candidate_lines;
  std::string choice_why;
  if (std::count_if(cands.begin(), cands.end(), [](const Candidate& c) { return c.problem.empty(); }) > 1) {
    CandidateChoice choice;
    auto verdicts = verify_candidates(m, paths, s.host, *pl, cands, o.strict, o.allow_slow, &choice);
    for (const auto& v : verdicts) candidate_lines.push_back(candidate_line(v));
    if (choice.index < 0) {
      keep_first(fail(exit_code::verify_failed, "{}: no translator runs both static and dynamic programs: {}", pl->arch,
                      fmt::join(candidate_lines, "; ")));
      return;
    }
    choice_why = choice.why;
    usable = std::find_if(cands.begin(), cands.end(),
                          [&](const Candidate& c) { return c.path == verdicts[choice.index].path; });
    for (const auto& l : candidate_lines) rep.lines.push_back(fmt::format("{}: candidate {}", pl->arch, l));
    rep.lines.push_back(fmt::format("{}: {}", pl->arch, choice_why));
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
                    pl->arch, f.name, f.interpreter, v.fidelity));
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
  // A dynamic-only translator has no F (the kernel would pin a binary whose loader is looked
  // up in each caller's root): prove it from the real root, where BOINC runs its tasks.
  if (!usable->requires_static) t.via = ProbeVia::native;
  // A verdict measured with the same translator file and the same probe (a repair of a
  // flushed entry, or an enable after a disable) is kept: the identity run from an empty root
  // still proves the new registration, the fingerprint and the benchmark are not repeated.
  auto known = s.state.verified.find(pl->arch);
  t.identity_only = known != s.state.verified.end() && verdict_reusable(known->second, paths, *pl, usable->path, o);
  VerifyResult v = verify_platform(m, paths, s.host, t, o.strict);
  v.candidates = candidate_lines;
  v.choice = choice_why;
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
  if (v.fidelity == "warning")
    rep.warnings.push_back(fmt::format("{}: {}", pl->arch, s.state.verified[pl->arch].reason));
}

// One enable or disable: holds the state lock from the first read to the last write, so
// concurrent platformctl runs and the daemon take turns.
struct ChangeRun {
  FileLock lock;
  Broker::Session s;
  std::vector<const Platform*> platforms;
  ChangeReport rep;
};

static Result<ChangeRun> begin_change(Machine& m, const Paths& p, const std::vector<std::string>& names) {
  auto lock = FileLock::acquire(lock_file(p));
  if (!lock) return lock.error();
  auto sess = open_session(m, p, false);
  if (!sess) return sess.error();
  auto platforms = resolve_all(sess->catalog, names);
  if (!platforms) return platforms.error();
  ChangeReport rep;
  rep.warnings = sess->notes;
  return ChangeRun{std::move(*lock), std::move(*sess), std::move(*platforms), std::move(rep)};
}

// Saves the kernel-side result first: a crash before the BOINC edit leaves a state that the
// next run (or the daemon's reconcile) completes. Then cc_config.xml, then what we own in it.
// Handlers of platforms being withdrawn go last, once the client's list is known.
static Result<ChangeReport> finish_change(Machine& m, const Paths& p, ChangeRun& c, const ChangeOptions& o,
                                          const std::vector<std::string>& keep_advertised = {}) {
  if (auto r = save_state(m, p, c.s.state); !r) return r.error();
  ClientListing listing;
  sync_boinc(m, p, c.s.catalog, c.s.state, o, c.rep, keep_advertised, &listing);
  settle_withdrawals(m, p, c.s.catalog, c.s.state, listing, true, c.rep);
  sync_rc(m, p, c.s.state, c.s.translators, c.rep);
  if (auto r = save_state(m, p, c.s.state); !r) return r.error();
  return std::move(c.rep);
}

Result<ChangeReport> Broker::enable(const std::vector<std::string>& names, const ChangeOptions& o) {
  auto run = begin_change(m_, paths_, names);
  if (!run) return run.error();
  auto& s = run->s;
  BinfmtTable table(m_, paths_.binfmt_dir);
  if (auto ok = table.prepare(); !ok) return ok.error();
  auto natives = native_headers(paths_, s.host);
  for (const Platform* pl : run->platforms) enable_one(m_, paths_, s, table, natives, pl, o, run->rep);
  return finish_change(m_, paths_, *run, o);
}

Result<ChangeReport> Broker::disable(const std::vector<std::string>& names, const ChangeOptions& o) {
  auto run = begin_change(m_, paths_, names);
  if (!run) return run.error();
  auto& s = run->s;
  auto& rep = run->rep;
  auto* platforms = &run->platforms;
  // Never lose work: after a withdrawal the client relabels tasks of the platform as native
  // and would run them as native binaries. Refuse while any exist, unless forced; with
  // keep_busy, keep the platforms that have tasks (reported) and withdraw the others.
  std::vector<std::string> kept_busy;
  if (!o.force && boinc_data_dir(m_, paths_)) {
    std::vector<std::string> names_b;
    for (const Platform* pl : *platforms) names_b.push_back(pl->boinc_name);
    std::string sources;
    auto tasks = tasks_for_platforms(m_, paths_, names_b, {}, &sources);
    if (!tasks) return tasks.error();
    if (!tasks->empty() && o.keep_busy) {
      kept_busy = keep_busy_platforms(*platforms, *tasks, rep);
    } else if (!tasks->empty()) {
      std::string list;
      for (const auto& t : *tasks) list += (list.empty() ? " " : "; ") + describe(t);
      return fail(
          exit_code::work_at_risk,
          "refusing to withdraw: BOINC holds {} unfinished task(s) of these platforms (from {}), which the client "
          "would relabel as native after a restart. Let them finish, or use --force:{}",
          tasks->size(), sources, list);
    }
  }
  BinfmtTable table(m_, paths_.binfmt_dir);
  auto entries = table.entries();
  for (const Platform* pl : *platforms) {
    if (s.host.runs_natively(pl->arch)) {
      if (contains(s.state.enabled, pl->arch)) {  // enabled natively: only the advertisement goes
        remove_value(s.state.enabled, pl->arch);
        rep.changed = true;
        rep.lines.push_back(fmt::format("{}: disabled (runs natively; no longer advertised to BOINC)", pl->arch));
      } else if (!rep.error) {
        rep.error = fail(exit_code::refused, "{} runs natively on this machine; there is nothing to disable", pl->arch);
      }
      continue;
    }
    bool was_enabled = contains(s.state.enabled, pl->arch);
    remove_value(s.state.enabled, pl->arch);
    const BinfmtRule* ours = entries ? find_entry(*entries, own_entry_name(pl->arch)) : nullptr;
    if (ours) {
      // Its handler goes once the BOINC client no longer lists it (finish_change).
      add_sorted(s.state.withdrawing, pl->arch);
      rep.changed = true;
    } else if (s.state.taken_over.count(pl->arch)) {
      give_back(table, s.state, pl->arch, rep);
    } else if (was_enabled) {
      rep.lines.push_back(fmt::format("{}: disabled (it was served by another tool's entry, which stays)", pl->arch));
      rep.changed = true;
    } else {
      rep.lines.push_back(fmt::format("{}: already disabled", pl->arch));
    }
  }
  return finish_change(m_, paths_, *run, o, kept_busy);
}

Result<std::vector<VerifyResult>> Broker::verify(const std::vector<std::string>& names, const VerifyOptions& o) {
  auto sess = open_session(m_, paths_, false);
  if (!sess) return sess.error();
  auto& s = *sess;
  std::vector<const Platform*> platforms;
  if (names.empty()) {
    for (const auto& pl : s.catalog.platforms)
      if (!s.host.runs_natively(pl.arch) || o.translator) platforms.push_back(&pl);
  } else {
    auto r = resolve_all(s.catalog, names);
    if (!r) return r.error();
    platforms = *r;
  }
  BinfmtTable table(m_, paths_.binfmt_dir);
  std::vector<BinfmtRule> entries;
  if (auto e = table.entries(); e) entries = std::move(*e);
  std::vector<VerifyResult> out;
  for (const Platform* pl : platforms) {
    auto cands = candidates_for(s.translators, *pl);
    prepare_rc(m_, paths_, s.state, s.translators, cands, pl->arch);
    VerifyTarget t{.platform = pl, .via = ProbeVia::native};
    t.allow_slow = o.allow_slow;
    if (o.translator) {
      if (*o.translator != "native") {
        t.via = ProbeVia::translator;
        t.translator = *o.translator;
        for (const auto& c : cands)
          if (c.path == t.translator) t.env = c.env;
        t = with_rc(t, cands, t.translator);
      } else {
        t.translator = "native";
      }
    } else if (s.host.runs_natively(pl->arch)) {
      t.translator = "native";
    } else if (const BinfmtRule* h = find_entry(entries, own_entry_name(pl->arch)); h && h->enabled) {
      t = VerifyTarget{.platform = pl,
                       .via = ProbeVia::binfmt_empty_root,
                       .translator = h->interpreter,
                       .env = {},
                       .expect_preserved_argv0 = h->flags.find('P') != std::string::npos};
      t.allow_slow = o.allow_slow;
      for (const auto& c : cands)
        if (c.path == h->interpreter) t.env = c.env;
      t = with_rc(t, cands, h->interpreter);
    } else {
      // Nothing registered: verify every candidate and show the choice enable would make.
      CandidateChoice choice;
      auto verdicts = verify_candidates(m_, paths_, s.host, *pl, cands, o.strict, o.allow_slow, &choice);
      VerifyResult v;
      v.arch = pl->arch;
      v.fidelity = "blocked";
      if (choice.index >= 0) v = verdicts[choice.index].result;
      for (const auto& c : verdicts) v.candidates.push_back(candidate_line(c));
      v.choice = choice.index >= 0 ? choice.why : "no candidate runs both static and dynamic programs";
      if (cands.empty()) v.run_detail = "no translator is described for it";
      if (choice.index < 0 && !cands.empty()) {
        v.runs = false;
        v.passed = false;
        v.run_detail = fmt::format("no usable translator: {}", fmt::join(v.candidates, "; "));
      }
      // The daemon's answer has no field for the table: the choice travels in run_detail.
      if (verdicts.size() > 1 && choice.index >= 0) v.run_detail += "; " + v.choice;
      out.push_back(std::move(v));
      continue;
    }
    VerifyResult v = verify_platform(m_, paths_, s.host, t, o.strict);
    // A pinned dynamic-only translator (box64) that cannot run the static probe is still no
    // candidate, but what it does with dynamic programs is shown: its settings (the rc file)
    // and its fidelity there are what an administrator asking about it wants to see.
    const bool dynamic_only = std::any_of(
        cands.begin(), cands.end(), [&](const Candidate& c) { return c.path == t.translator && !c.requires_static; });
    if (!v.runs && o.translator && dynamic_only) {
      auto d = verify_dynamic(m_, paths_, t, o.strict);
      if (d.runs) {
        auto cls = classes_of(pl->arch, d.categories);
        v.run_detail += fmt::format("; dynamic probe (not enough: static programs must run too): {}; {}", d.detail,
                                    verdict_line(cls));
      } else {
        v.run_detail += "; " + d.detail;
      }
    }
    // The dynamically linked probe too (BOINC projects ship both kinds), from the real root.
    if (v.runs && t.translator != "native") {
      VerifyTarget dt = t;
      if (dt.via == ProbeVia::binfmt_empty_root) dt.via = ProbeVia::native;  // exec: the kernel picks the handler
      auto d = verify_dynamic(m_, paths_, dt, o.strict);
      if (d.tested && !d.runs) {
        v.passed = false;
        v.run_detail += "; " + d.detail;
      } else if (!d.tested) {
        v.run_detail += "; " + d.detail;
      } else {
        v.run_detail += fmt::format("; dynamic probe: ran from the real root, fidelity {}", d.fidelity);
      }
    }
    out.push_back(std::move(v));
  }
  return out;
}

Result<ChangeReport> Broker::reconcile() {
  auto lock = FileLock::acquire(lock_file(paths_));
  if (!lock) return lock.error();
  auto sess = open_session(m_, paths_, false);
  if (!sess) return sess.error();
  auto& s = *sess;
  ChangeReport rep;
  rep.warnings = s.notes;
  // The daemon reconciles on every D-Bus call: when nothing changed, write nothing (each
  // save is an fsync and a rename).
  const std::string state_before = serialize_state(s.state);
  BinfmtTable table(m_, paths_.binfmt_dir);
  if (auto ok = table.prepare(); !ok) return ok.error();
  auto entries = table.entries();
  if (!entries) return entries.error();
  // Leftovers: our entries for platforms no longer chosen (those being withdrawn wait for the
  // client's list: settle_withdrawals below).
  for (const auto& e : *entries)
    if (is_own_entry(e.name) && !contains(s.state.enabled, e.name.substr(kOwnPrefix.size())) &&
        !contains(s.state.withdrawing, e.name.substr(kOwnPrefix.size()))) {
      if (auto r = table.remove_own(e.name); r) {
        rep.lines.push_back(fmt::format("removed leftover entry {}", e.name));
        rep.changed = true;
      }
    }
  // Taken over (--take-over): an entry of the other tool's that is enabled again (its tool
  // registered it anew: systemd-binfmt at boot or restart) is disabled again while the
  // platform is enabled; given back once the platform is neither enabled nor being withdrawn.
  for (const auto& [arch, names] : std::map<std::string, std::vector<std::string>>(s.state.taken_over)) {
    if (!contains(s.state.enabled, arch)) {
      if (!contains(s.state.withdrawing, arch)) give_back(table, s.state, arch, rep);
      continue;
    }
    for (const auto& name : names)
      if (const BinfmtRule* e = find_entry(*entries, name); e && e->enabled) {
        if (auto r = table.set_enabled(name, false); !r) {
          rep.warnings.push_back(r.error().message);
          continue;
        }
        rep.lines.push_back(fmt::format(
            "{}: disabled entry '{}' of another tool again (taken over; its tool registered it anew)", arch, name));
        rep.changed = true;
      }
  }
  if (auto again = table.entries(); again) *entries = std::move(*again);
  // Chosen platforms whose entry is gone (flushed by systemd-binfmt or another tool) or whose
  // translator file was replaced (F pinned the old inode) are registered and verified again.
  auto natives = native_headers(paths_, s.host);
  std::vector<std::string> kept_busy;
  for (const auto& arch : std::vector<std::string>(s.state.enabled)) {
    const Platform* pl = s.catalog.by_arch(arch);
    if (!pl) continue;
    if (s.host.runs_natively(arch)) continue;  // enabled natively: nothing to register or repair
    const BinfmtRule* ours = find_entry(*entries, own_entry_name(arch));
    auto rec = s.state.verified.find(arch);
    bool healthy = ours && ours->enabled && rec != s.state.verified.end() && rec->second.passed &&
                   rec->second.translator_identity == file_identity(ours->interpreter);
    bool adopted = !ours && rec != s.state.verified.end() && rec->second.passed &&
                   !foreign_overlaps(own_rule(*pl, "/x"), *entries).empty();
    if (healthy || adopted) continue;
    // A platform that failed verification with the translator still installed as it was is
    // not retried on every trigger (each try runs the probes); a new translator file is.
    auto cands = candidates_for(s.translators, *pl);
    bool failed_same = rec != s.state.verified.end() && !rec->second.passed && !cands.empty() &&
                       rec->second.translator_identity == file_identity(cands.front().path);
    // Never lose work: a platform that stops verifying keeps its handler and its alt_platform
    // while BOINC holds tasks of it; both go with the first reconcile after they finish.
    // Asking BOINC (GUI RPC or client_state.xml) is for failures only, at most once each.
    std::optional<bool> busy_answer;
    auto busy = [&] {
      if (!busy_answer)
        busy_answer =
            (ours || contains(s.state.owned_alt_platforms, pl->boinc_name)) && boinc_busy_with(m_, paths_, *pl);
      return *busy_answer;
    };
    if (failed_same && ours) {
      if (busy()) {
        kept_busy.push_back(pl->boinc_name);
      } else if (auto r = table.remove_own(ours->name); r) {
        rep.lines.push_back(fmt::format("{}: removed entry {}: its verification failed and no BOINC task needs it now",
                                        arch, ours->name));
        rep.changed = true;
      }
      continue;
    }
    // Failed with this very translator and no handler left: retrying would fail the same way,
    // unless the handler is kept for BOINC's tasks (and was flushed meanwhile): register it again.
    if (failed_same && !busy()) continue;
    std::size_t before = rep.lines.size();
    enable_one(m_, paths_, s, table, natives, pl, ChangeOptions{}, rep, busy);
    if (!s.state.verified[arch].passed && busy_answer.value_or(false)) kept_busy.push_back(pl->boinc_name);
    if (rep.lines.size() > before) {
      rep.lines.back() = "repaired " + rep.lines.back();
      rep.changed = true;
    }
    if (auto again = table.entries(); again) *entries = std::move(*again);
  }
  if (serialize_state(s.state) != state_before || s.state_recovered) {
    if (auto r = save_state(m_, paths_, s.state); !r) return r.error();
  }
  ClientListing listing;
  sync_boinc(m_, paths_, s.catalog, s.state, ChangeOptions{}, rep, kept_busy, &listing);
  settle_withdrawals(m_, paths_, s.catalog, s.state, listing, false, rep);
  sync_rc(m_, paths_, s.state, s.translators, rep);
  if (serialize_state(s.state) != state_before || s.state_recovered) {
    if (auto r = save_state(m_, paths_, s.state); !r) return r.error();
  }
  return rep;
}

}  // namespace platformd
