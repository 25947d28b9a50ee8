// Uptake: what the projects' schedulers did with this host's foreign platforms, for the owner
// whose board sits idle (issue 22). Read from the running client: its state (tasks and app
// versions of each platform, by project), its event log (the last scheduler reply of each
// project, with the server's own words) and the tasks it reported in the last hour. Pure.
//
// Limits, from the client's side: a task the client reported is kept in its state only until
// the server acknowledges it, then for an hour in memory (get_old_results, which names the app
// but not the platform: a task is counted for a platform only when every version of its app the
// client holds is of that platform); the event log keeps the last 2,000 lines.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "boinc/boinc_messages.h"
#include "boinc/boinc_state.h"

namespace platformd {

struct UptakeVersion {
  std::string app;
  int version_num = 0;
  std::string plan_class;  // "" for a plain version
};

// A project's last scheduler reply in the event log: "Scheduler request completed[: got N new
// tasks]" and the server's messages that came with it ("No tasks sent", "Project has no tasks
// available", ...), quoted (they are the server's text).
struct SchedulerReply {
  long long time = 0;      // Unix seconds
  std::optional<int> got;  // tasks received; unset when the request asked for none
  std::vector<std::string> words;
};

// Every text field holds printable ASCII only (quote_untrusted): names come from the client.
struct PlatformUptake {
  std::string platform;  // BOINC platform name
  std::string project;   // the project's name (its URL before the first reply)
  std::string url;
  int waiting = 0;    // received, not started (or downloading)
  int running = 0;    // started: running or suspended
  int to_report = 0;  // computed (uploading, or ready to report)
  int reported_last_hour = 0;
  std::vector<UptakeVersion> versions;       // this platform's app versions from this project
  int versions_not_shown = 0;                // past kMaxUptakeVersions
  std::optional<SchedulerReply> last_reply;  // the project's, whatever the platform
  bool received_any() const { return waiting + running + to_report + reported_last_hour > 0 || !versions.empty(); }
};

// What a status shows at most, whatever the client (or whoever answers on its port) lists: a
// real client attaches to a few dozen projects and holds a few versions per app and platform.
inline constexpr std::size_t kMaxUptakeProjects = 64;
inline constexpr std::size_t kMaxUptakeVersions = 32;

// One entry per (attached project, platform in `platforms`), projects in the client's order,
// each project URL once, the first kMaxUptakeProjects of them; each entry's first
// kMaxUptakeVersions versions. Linear in the input's size (up to logarithmic factors).
std::vector<PlatformUptake> decide_uptake(const BoincClientState& state, const std::vector<BoincMessage>& messages,
                                          const std::vector<BoincOldResult>& old_results,
                                          const std::vector<std::string>& platforms);

// "the BOINC client lists N projects ...: uptake shows the first 64" when it lists more than
// kMaxUptakeProjects; nullopt otherwise.
std::optional<std::string> uptake_projects_note(const BoincClientState& state);

// The last reply of `project` in `messages` (oldest first); nullopt when the log has none.
std::optional<SchedulerReply> last_scheduler_reply(const std::vector<BoincMessage>& messages,
                                                   const std::string& project);

// Why versions with SIMD plan classes never come: a host that reports no x86 features to the
// schedulers while `platforms` holds an x86 one. nullopt when that is not the case.
std::optional<std::string> plan_class_note(const BoincClientState& state, const std::vector<std::string>& platforms);

// "fpapp 1.00" or "fpapp 1.01 (avx)"
std::string describe(const UptakeVersion& v);
// "platformd test project: 1 running, 0 waiting, 0 to report; 2 reported in the last hour;
// versions received: fpapp 1.00"
std::string describe(const PlatformUptake& u);
// "2026-12-06 10:52:15 UTC: got 0 new tasks; the server said: "Project has no tasks available""
std::string describe(const SchedulerReply& r);

}  // namespace platformd
