#include "boinc/uptake.h"

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <map>
#include <set>

#include <fmt/format.h>

#include "untrusted_text.h"

namespace platformd {

namespace {

constexpr std::string_view kCompleted = "Scheduler request completed";

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// The client's own lines that can share the second of a reply: not the server's words.
bool client_bookkeeping(std::string_view body) {
  for (std::string_view p : {"Started download", "Finished download", "Starting task", "Computation for task",
                             "Started upload", "Finished upload", "Sending scheduler request", "Requesting new tasks",
                             "Not requesting tasks", "Reporting ", "[", "update requested"})
    if (starts_with(body, p)) return true;
  return false;
}

std::optional<int> tasks_got(std::string_view body) {
  constexpr std::string_view kGot = ": got ";
  auto at = body.find(kGot);
  if (at == std::string_view::npos) return std::nullopt;
  std::string digits(body.substr(at + kGot.size(), 9));
  char* end = nullptr;
  long n = std::strtol(digits.c_str(), &end, 10);
  if (end == digits.c_str() || n < 0) return std::nullopt;
  return static_cast<int>(n);
}

std::string utc(long long t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  if (!gmtime_r(&tt, &tm)) return fmt::format("{}", t);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

}  // namespace

std::optional<SchedulerReply> last_scheduler_reply(const std::vector<BoincMessage>& messages,
                                                   const std::string& project) {
  std::optional<std::size_t> at;
  for (std::size_t i = 0; i < messages.size(); ++i)
    if (messages[i].project == project && starts_with(messages[i].body, kCompleted)) at = i;
  if (!at) return std::nullopt;
  SchedulerReply r;
  r.time = messages[*at].time;
  r.got = tasks_got(messages[*at].body);
  // The client prints the server's messages right after "completed", in the same second (the
  // reply is handled at once); a later request's lines end them.
  for (std::size_t i = *at + 1; i < messages.size(); ++i) {
    const auto& m = messages[i];
    if (m.project != project) continue;
    if (m.time - r.time > 1 || starts_with(m.body, "Sending scheduler request")) break;  // times clamped: no overflow
    if (client_bookkeeping(m.body)) continue;
    if (r.words.size() < 8) r.words.push_back(quote_untrusted(m.body, 200));
  }
  return r;
}

// Each project URL once, in the client's order (a project listed twice is one project).
static std::vector<const BoincProject*> distinct_projects(const BoincClientState& state) {
  std::vector<const BoincProject*> out;
  std::set<std::string_view> seen;
  for (const auto& proj : state.projects)
    if (seen.insert(proj.url).second) out.push_back(&proj);
  return out;
}

std::optional<std::string> uptake_projects_note(const BoincClientState& state) {
  const std::size_t n = distinct_projects(state).size();
  if (n <= kMaxUptakeProjects) return std::nullopt;
  return fmt::format(
      "the BOINC client lists {} projects (real clients attach to a few dozen at most): uptake shows "
      "the first {}",
      n, kMaxUptakeProjects);
}

std::vector<PlatformUptake> decide_uptake(const BoincClientState& state, const std::vector<BoincMessage>& messages,
                                          const std::vector<BoincOldResult>& old_results,
                                          const std::vector<std::string>& platforms) {
  // Everything here is the client's word, and whoever answers on its port may be any local user
  // (docs/boinc.md): each list is read once into an index, so the work is linear in what was
  // read (within the parse limits) and the output bounded, whatever the lists hold.
  using Key = std::pair<std::string, std::string>;
  auto wanted = [&platforms](const std::string& p) {
    return std::find(platforms.begin(), platforms.end(), p) != platforms.end();
  };
  struct Counts {
    int waiting = 0, running = 0, to_report = 0;
  };
  std::map<Key, Counts> counts;  // (project label, platform)
  for (const auto& t : state.tasks) {
    if (!wanted(t.platform)) continue;
    Counts& c = counts[{t.project, t.platform}];
    if (t.unfinished())
      (t.active ? c.running : c.waiting) += 1;
    else if (t.awaiting_report())
      c.to_report += 1;
  }
  std::map<Key, std::vector<const BoincAppVersion*>> versions;  // (project label, platform)
  std::map<Key, std::set<std::string>> platforms_of_app;        // (project label, app)
  for (const auto& v : state.app_versions) {
    platforms_of_app[{v.project, v.app}].insert(v.platform);
    if (wanted(v.platform)) versions[{v.project, v.platform}].push_back(&v);
  }
  std::map<Key, int> reported;  // (project URL, app)
  for (const auto& r : old_results)
    if (!r.app.empty()) reported[{r.project_url, r.app}] += 1;
  std::map<std::string, std::vector<BoincMessage>> log_of;  // project name -> its messages
  for (const auto& m : messages) log_of[m.project].push_back(m);

  std::vector<PlatformUptake> out;
  auto projects = distinct_projects(state);
  if (projects.size() > kMaxUptakeProjects) projects.resize(kMaxUptakeProjects);
  for (const BoincProject* proj : projects) {
    const std::string label = proj->label();
    std::optional<SchedulerReply> reply;
    if (auto it = log_of.find(proj->name); it != log_of.end()) reply = last_scheduler_reply(it->second, proj->name);
    for (const auto& platform : platforms) {
      PlatformUptake u;
      // Names from the client's state are the project's text: quoted once, here, so that every
      // edge (terminal, JSON, D-Bus) gets printable ASCII.
      u.platform = platform;
      u.project = quote_untrusted(label, 80);
      u.url = quote_untrusted(proj->url, 120);
      u.last_reply = reply;
      if (auto it = counts.find({label, platform}); it != counts.end()) {
        u.waiting = it->second.waiting;
        u.running = it->second.running;
        u.to_report = it->second.to_report;
      }
      if (auto it = versions.find({label, platform}); it != versions.end()) {
        for (const BoincAppVersion* v : it->second) {
          if (u.versions.size() >= kMaxUptakeVersions) {
            u.versions_not_shown += 1;
            continue;
          }
          u.versions.push_back({quote_untrusted(v->app, 64), v->version_num, quote_untrusted(v->plan_class, 64)});
        }
      }
      // An old result names its app: it ran on `platform` when every version of that app the
      // client holds from this project is of `platform`.
      for (auto it = reported.lower_bound({proj->url, ""}); it != reported.end() && it->first.first == proj->url;
           ++it) {
        auto of_app = platforms_of_app.find({label, it->first.second});
        if (of_app != platforms_of_app.end() && of_app->second.size() == 1 && *of_app->second.begin() == platform)
          u.reported_last_hour += it->second;
      }
      out.push_back(std::move(u));
    }
  }
  return out;
}

std::optional<std::string> plan_class_note(const BoincClientState& state, const std::vector<std::string>& platforms) {
  const bool x86 = std::any_of(platforms.begin(), platforms.end(), [](const std::string& p) {
    return starts_with(p, "x86_64-") || starts_with(p, "i686-") || starts_with(p, "windows_");
  });
  if (!x86 || state.cpu_features.empty()) return std::nullopt;
  const std::string f = " " + state.cpu_features + " ";
  if (f.find(" sse2 ") != std::string::npos) return std::nullopt;
  return fmt::format(
      "this host reports its own CPU's features to every project's scheduler ('{}'), none of them x86: versions "
      "with an SSE or AVX plan class are never sent to it, only plain x86 ones (docs/boinc.md)",
      quote_untrusted(state.cpu_features, 120));
}

std::string describe(const UptakeVersion& v) {
  std::string s = fmt::format("{} {}.{:02}", v.app, v.version_num / 100, v.version_num % 100);
  if (!v.plan_class.empty()) s += fmt::format(" ({})", v.plan_class);
  return s;
}

std::string describe(const PlatformUptake& u) {
  std::string s = u.project + ": ";
  if (!u.received_any()) {
    s += "nothing of it received";
  } else {
    s += fmt::format("{} running, {} waiting, {} to report; {} reported in the last hour", u.running, u.waiting,
                     u.to_report, u.reported_last_hour);
    std::vector<std::string> v;
    for (const auto& x : u.versions) v.push_back(describe(x));
    s += v.empty() ? std::string("; no version held") : fmt::format("; versions received: {}", fmt::join(v, ", "));
    if (u.versions_not_shown > 0) s += fmt::format(" and {} more", u.versions_not_shown);
  }
  return s;
}

std::string describe(const SchedulerReply& r) {
  std::string s = utc(r.time) + ": ";
  s += r.got ? fmt::format("got {} new task{}", *r.got, *r.got == 1 ? "" : "s") : std::string("asked for no tasks");
  if (!r.words.empty()) {
    std::vector<std::string> q;
    for (const auto& w : r.words) q.push_back("\"" + w + "\"");
    s += fmt::format("; the server said: {}", fmt::join(q, ", "));
  }
  return s;
}

}  // namespace platformd
