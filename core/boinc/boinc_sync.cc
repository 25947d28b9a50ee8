// sync_alt_platforms: read, edit, protect work, write atomically, restart, confirm.
#include "boinc/boinc_sync.h"

#include <algorithm>
#include <thread>

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boinc/boinc_rpc.h"
#include "boinc/client_holdings.h"
#include "exit_codes.h"

namespace platformd {

namespace {

constexpr int kMaxWriteAttempts = 5;

bool contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

// Whether `id` exists in this user namespace's map (/proc/self/uid_map or gid_map). In the test
// namespaces only root is mapped, and chown to an unmapped id fails; outside any namespace the
// map is the identity.
bool id_mapped(Machine& m, const char* map_file, unsigned id) {
  auto text = m.read_file(map_file, 1 << 16);
  if (!text) return true;
  std::size_t pos = 0;
  while (pos < text->size()) {
    auto nl = text->find('\n', pos);
    std::string line = text->substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    unsigned long inside = 0, outside = 0, count = 0;
    if (std::sscanf(line.c_str(), "%lu %lu %lu", &inside, &outside, &count) == 3 && id >= inside && id - inside < count)
      return true;
    if (nl == std::string::npos) break;
    pos = nl + 1;
  }
  return false;
}

// An existing file keeps its owner, group and mode (as fstat said of the file we read). A new
// one is boinc:boinc 0664 like Debian's, where that user exists (and can own files here); else
// ours, 0644. It is only ever created in the directory locate_cc_config resolved.
FileOwnership ownership_for(Machine& m, const std::optional<FileRead>& existing) {
  if (existing) return existing->own;
  if (const passwd* pw = ::getpwnam("boinc")) {
    gid_t gid = pw->pw_gid;
    if (const group* gr = ::getgrnam("boinc")) gid = gr->gr_gid;
    if (id_mapped(m, "/proc/self/uid_map", pw->pw_uid) && id_mapped(m, "/proc/self/gid_map", gid))
      return {pw->pw_uid, gid, 0664};
  }
  return {::geteuid(), ::getegid(), 0644};
}

// Refuses (work_at_risk) to withdraw platforms that unfinished tasks use, unless forced; warns
// about app versions, which the client relabels as native too.
Result<void> check_work(Machine& m, const fs::path& data_dir, const Result<std::optional<BoincClientState>>& rpc,
                        const GuiRpcEndpoint& ep, const std::vector<std::string>& removing, bool force,
                        BoincSyncReport& report) {
  auto read = read_client_holdings(m, data_dir, rpc, ep);
  if (!read) {
    if (!force)
      return fail(exit_code::work_at_risk,
                  "cannot tell whether BOINC tasks use {} ({}); not withdrawing it (--force to withdraw anyway); "
                  "nothing was changed",
                  join(removing), read.error().message);
    report.warnings.push_back(
        fmt::format("withdrawing {} without knowing the client's tasks: {}", join(removing), read.error().message));
    return {};
  }
  for (const auto& w : read->warnings) report.warnings.push_back(w);
  if (!read->state) return {};
  const BoincClientState& s = *read->state;
  const std::string primary = s.primary_platform.empty() ? "the primary platform" : s.primary_platform;
  auto tasks = unfinished_tasks_of(s, removing);
  if (!tasks.empty()) {
    std::string list;
    for (const auto& t : tasks) list += "\n  " + describe(t);
    if (!force)
      return fail(exit_code::work_at_risk,
                  "{} unfinished BOINC task(s) use {} (from {}):{}\nWithdrawing the platform would make the client "
                  "relabel them as {} and run them as native programs. Let them finish (or abort them), or use "
                  "--force; nothing was changed",
                  tasks.size(), join(removing), read->sources, list, primary);
    report.warnings.push_back(fmt::format("--force: {} unfinished task(s) of {} will be relabelled as {}:{}",
                                          tasks.size(), join(removing), primary, list));
  }
  for (const auto& a : app_versions_of(s, removing))
    report.warnings.push_back(fmt::format(
        "the client holds {} app version {} {}.{:02} for {}; after the restart it relabels it as {} and may use it "
        "for native tasks of the same version: reset the project ({}) once its tasks are done",
        a.project, a.app, a.version_num / 100, a.version_num % 100, a.platform, primary, a.project));
  return {};
}

bool same_dir(const fs::path& a, const fs::path& b) {
  std::error_code ea, eb;
  auto ca = fs::weakly_canonical(a, ea), cb = fs::weakly_canonical(b, eb);
  return (ea ? a : ca) == (eb ? b : cb);
}

Result<void> record_intent(Machine& m, const Paths& p, const State& state, const std::vector<std::string>& adding,
                           bool creating_options) {
  State intent = state;
  bool more = creating_options && !state.owned_options;
  intent.owned_options = intent.owned_options || creating_options;
  for (const auto& a : adding)
    if (!contains(intent.owned_alt_platforms, a)) {
      intent.owned_alt_platforms.push_back(a);
      more = true;
    }
  if (!more) return {};
  std::sort(intent.owned_alt_platforms.begin(), intent.owned_alt_platforms.end());
  return save_state(m, p, intent);
}

}  // namespace

Result<BoincSyncReport> sync_alt_platforms(Machine& m, const Paths& p, State& state,
                                           const std::vector<std::string>& advertised_boinc_names,
                                           const BoincSyncOptions& options) {
  SystemdBoincService systemd;
  BoincServiceControl& svc = options.service ? *options.service : systemd;
  const GuiRpcEndpoint ep{p.gui_rpc_port};
  BoincSyncReport report;

  auto dd = find_boinc_data_dir(m, p, &svc, options.files);
  if (!dd) return dd.error();
  auto loc = locate_cc_config(m, dd->dir, options.files);
  if (!loc) return loc.error();
  report.data_dir = dd->dir;
  report.data_dir_how = dd->how;
  report.cc_config = loc->real;
  report.through_symlink = loc->through_symlink;
  const std::string source = loc->real.string();

  // One get_state serves both the work check and the restart decision: writing the file does
  // not change what the running client holds.
  std::string why_unreachable;
  const auto before = rpc_get_state(m, ep, &why_unreachable);
  if (!before) {
    report.warnings.push_back(before.error().message);
    report.client_unreadable = true;
  }

  // Read, edit, write; if the file changes between our read and our rename (another editor,
  // another platformctl), start over from the new content.
  std::optional<CcConfigEdit> edit;
  std::vector<std::string> work_checked;
  for (int attempt = 1;; ++attempt) {
    auto read = m.read_file_at(loc->dir, loc->name);
    if (!read) return read.error();
    loc->exists = read->has_value();
    const std::string original = loc->exists ? (*read)->text : std::string();
    auto e =
        edit_alt_platforms(original, source, advertised_boinc_names, state.owned_alt_platforms, state.owned_options);
    if (!e) return e.error();
    std::vector<std::string> unchecked;
    for (const auto& r : e->removed)
      if (!contains(work_checked, r)) unchecked.push_back(r);
    if (!unchecked.empty()) {
      if (auto w = check_work(m, dd->dir, before, ep, unchecked, options.force, report); !w) return w.error();
      work_checked.insert(work_checked.end(), unchecked.begin(), unchecked.end());
    }
    edit = std::move(*e);
    if (!edit->changed) break;
    // Write-ahead: the entries about to be added are recorded as ours before the file can
    // hold them. A crash between the two writes then leaves a claim on an entry that is not
    // there (the next edit adds it again or drops the claim), never an entry of ours that the
    // next run would take for the user's and keep forever.
    if (auto r = record_intent(m, p, state, edit->added, edit->options_ours); !r) return r.error();
    auto w = m.replace_file_at(loc->dir, loc->name, edit->text, ownership_for(m, *read), original);
    if (w) break;
    auto now = m.read_file_at(loc->dir, loc->name);
    const bool moved = !now || (*now ? (**now).text != original : !original.empty());
    if (!moved) return w.error();
    if (attempt == kMaxWriteAttempts)
      return fail(exit_code::failure, "{} kept changing while we edited it ({} attempts); nothing was written", source,
                  attempt);
  }

  state.owned_alt_platforms = edit->owned;
  state.owned_options = edit->options_ours;
  report.changed = edit->changed;
  report.added = edit->added;
  report.removed = edit->removed;
  report.user_entries = edit->user_entries;
  report.no_alt_platform = edit->no_alt_platform;

  const std::string where = loc->through_symlink ? fmt::format("{} (via {})", source, loc->link.string()) : source;
  for (const auto& a : edit->added)
    report.lines.push_back(fmt::format("{}: added <alt_platform>{}</alt_platform>", where, a));
  for (const auto& r : edit->removed)
    report.lines.push_back(fmt::format("{}: removed <alt_platform>{}</alt_platform>", where, r));
  for (const auto& u : edit->user_entries)
    report.lines.push_back(fmt::format("{}:{}: kept your own <alt_platform>{}</alt_platform>", source, u.line, u.name));
  for (const auto& n : edit->notes) report.lines.push_back(n);
  if (edit->no_alt_platform)
    report.lines.push_back(fmt::format(
        "{}: your <no_alt_platform> is kept: the client then drops the alternates it detects itself (i686 on "
        "x86_64) but still adds every <alt_platform> entry",
        source));

  // Does the running client need a restart? Its list is built once, at start.
  std::vector<std::string> pending, stale;
  const bool reachable = before.ok() && before->has_value();
  if (reachable) {
    const auto& listed = (*before)->platforms;
    for (const auto& a : advertised_boinc_names)
      if (!contains(listed, a)) pending.push_back(a);
    for (const auto& r : edit->removed) {
      bool still_configured = std::any_of(edit->user_entries.begin(), edit->user_entries.end(),
                                          [&](const AltPlatformEntry& u) { return u.name == r; });
      if (contains(listed, r) && !still_configured) stale.push_back(r);
    }
  }
  const bool need = edit->changed || !pending.empty() || !stale.empty();
  std::optional<BoincClientState> after = reachable ? std::optional<BoincClientState>(**before) : std::nullopt;

  if (need) {
    std::optional<BoincUnit> unit;
    if (auto q = svc.query(); q)
      unit = *q;
    else
      report.warnings.push_back(q.error().message);
    const bool unit_runs_here = unit && unit->loaded() && unit->running() &&
                                (unit->working_directory.empty() || same_dir(unit->working_directory, dd->dir));
    const std::string manual = fmt::format(
        "restart the BOINC client answering on {} (it is not run by {} here): cd {} && boinccmd --host "
        "localhost:{} --quit, then start it again the way it was started",
        describe(ep), kBoincUnit, dd->dir.string(), ep.port);
    if (unit_runs_here && options.restart) {
      if (auto r = svc.restart(options.restart_timeout); !r) {
        report.restart = BoincRestart::failed;
        report.warnings.push_back(r.error().message);
      } else {
        report.restart = BoincRestart::done;
        report.client_unreadable = false;  // what answers from now on is the restarted client
        report.lines.push_back(
            fmt::format("restarted {} (the client builds its platform list only at start)", kBoincUnit));
        const auto deadline = std::chrono::steady_clock::now() + options.restart_timeout;
        after.reset();
        for (;;) {
          auto s = rpc_get_state(m, ep);
          if (s && *s) {
            after = std::move(**s);
            break;
          }
          if (std::chrono::steady_clock::now() >= deadline) {
            report.warnings.push_back(fmt::format("{} restarted, but no client answered on {} within {} s", kBoincUnit,
                                                  describe(ep), options.restart_timeout.count() / 1000));
            break;
          }
          std::this_thread::sleep_for(std::chrono::milliseconds(300));
        }
      }
    } else if (unit_runs_here) {
      report.restart = BoincRestart::needed;
      report.restart_command = fmt::format("systemctl restart {}", kBoincUnit);
    } else if (reachable) {
      report.restart = BoincRestart::needed;
      report.restart_command = manual;
    } else {
      report.restart = BoincRestart::not_running;
      report.restart_command = unit && unit->loaded() ? fmt::format("systemctl start {}", kBoincUnit)
                                                      : fmt::format("boinc --dir {}", dd->dir.string());
      report.lines.push_back(fmt::format("no BOINC client answers on {}; the platforms apply when it starts ({})",
                                         describe(ep), report.restart_command));
    }
    if (report.restart == BoincRestart::needed)
      report.warnings.push_back(
          fmt::format("the BOINC client must be restarted to apply this: {}", report.restart_command));
  }

  if (after) {
    report.client_platforms = after->platforms;
    for (const auto& a : advertised_boinc_names)
      if (!contains(after->platforms, a)) report.not_listed.push_back(a);
    report.lines.push_back(fmt::format("the BOINC client{} reports: {}",
                                       after->client_version.empty() ? "" : " " + after->client_version,
                                       join(after->platforms)));
    if (report.not_listed.empty() && !advertised_boinc_names.empty())
      report.lines.push_back("every enabled platform is listed by the client");
    else if (!report.not_listed.empty() && report.restart != BoincRestart::needed)
      report.warnings.push_back(fmt::format("the BOINC client does not list {} (is {} the file it reads?)",
                                            join(report.not_listed), loc->link.string()));
    for (const auto& r : edit->removed) {
      const bool users = std::any_of(edit->user_entries.begin(), edit->user_entries.end(),
                                     [&](const AltPlatformEntry& u) { return u.name == r; });
      if (!contains(after->platforms, r))
        report.lines.push_back(fmt::format("the client no longer lists {}", r));
      else if (users)
        report.lines.push_back(fmt::format("the client still lists {}: your own entry names it", r));
      else if (report.restart != BoincRestart::needed)
        report.warnings.push_back(fmt::format("the client still lists {}", r));
    }
  }
  return report;
}

Result<std::vector<BoincTask>> tasks_for_platforms(Machine& m, const Paths& p, const std::vector<std::string>& names,
                                                   const BoincSyncOptions& options, std::string* sources,
                                                   const Result<std::optional<BoincClientState>>* rpc) {
  SystemdBoincService systemd;
  BoincServiceControl& svc = options.service ? *options.service : systemd;
  const GuiRpcEndpoint ep{p.gui_rpc_port};
  auto dd = find_boinc_data_dir(m, p, &svc, options.files);
  if (!dd) return dd.error();
  std::optional<Result<std::optional<BoincClientState>>> asked;
  if (!rpc) rpc = &asked.emplace(rpc_get_state(m, ep));
  auto read = read_client_holdings(m, dd->dir, *rpc, ep);
  if (!read) return read.error();
  if (sources) *sources = read->sources;
  if (!read->state) return std::vector<BoincTask>{};
  return unfinished_tasks_of(*read->state, names);
}

Result<std::optional<BoincClientState>> client_state(Machine& m, const Paths& p) {
  return rpc_get_state(m, GuiRpcEndpoint{p.gui_rpc_port});
}

Result<std::optional<std::vector<std::string>>> client_platforms(Machine& m, const Paths& p) {
  auto s = rpc_get_state(m, GuiRpcEndpoint{p.gui_rpc_port});
  if (!s) return s.error();
  if (!*s) return std::optional<std::vector<std::string>>{};
  return std::optional<std::vector<std::string>>((*s)->platforms);
}

}  // namespace platformd
