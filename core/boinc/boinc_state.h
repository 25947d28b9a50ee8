// What the BOINC client holds: its platforms, app versions and tasks, read from a GUI RPC
// <get_state/> reply or from DATA_DIR/client_state.xml when the client is stopped. Pure.
//
// Why it matters: when an alt_platform is withdrawn and the client restarted, the client
// relabels every app version and task of that platform to the PRIMARY platform ("App version
// has unsupported platform aarch64-unknown-linux-gnu; changing to x86_64-pc-linux-gnu",
// observed on 7.20.5) and would run them as native binaries. So a platform's unfinished tasks
// must be known before it is withdrawn.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "result.h"

namespace platformd {

struct BoincAppVersion {
  std::string project;  // project name, or its master URL when the name is unknown
  std::string app;      // app name
  int version_num = 0;
  std::string platform;
  std::string plan_class;
};

struct BoincTask {
  std::string name;     // result name
  std::string project;  // project name, or master URL
  std::string app;      // app name (from the task's workunit), when known
  std::string platform;
  int version_num = 0;
  // The workunit's <rsc_fpops_est> and <rsc_fpops_bound> (0 when absent): the client aborts
  // the task once it runs past bound / (the host's native FLOPS), so bound / est is how much
  // slower than estimated it may run (fidelity/speed_gate.h compares it with emulation).
  double fpops_est = 0;
  double fpops_bound = 0;
  int state = 0;                   // RESULT_* from BOINC's common_defs.h
  bool active = false;             // has an active task (started, maybe suspended)
  std::string state_text() const;  // "downloading", "ready to run", "running", "uploading", ...
  // Not computed yet: it would start (again) under whatever platform the client then has.
  bool unfinished() const;
  // Computed: its output uploading or uploaded, not yet acknowledged by the project.
  bool awaiting_report() const;
};

// An attached project, as the client lists it.
struct BoincProject {
  std::string name;  // <project_name>; empty before the first scheduler reply
  std::string url;   // <master_url>
  std::string label() const { return name.empty() ? url : name; }
};

struct BoincClientState {
  std::string primary_platform;        // <platform_name>
  std::vector<std::string> platforms;  // effective list, primary first (see below)
  std::string client_version;          // "7.20.5", when known
  std::vector<BoincAppVersion> app_versions;
  std::vector<BoincTask> tasks;  // every task (result) the client holds
  std::vector<BoincProject> projects;
  // <host_info><p_features>: the CPU features the client reports to every project's
  // scheduler, read from this machine's /proc/cpuinfo (its own CPU's, never an emulated one's).
  std::string cpu_features;
};

// What is accepted from one reply or one state file, so that a peer or a file built to bloat
// us costs little memory. The DOM tinyxml2 builds takes about 120 bytes per element, and a
// task held as a BoincTask about 200 more: 7 million empty <result/> in 64 MiB (the old
// single cap) made `platformctl status` peak at 2.2 GB. Every '<' in the text (an element, a
// closing tag, a comment) is counted before anything is parsed, so the DOM is bounded by
// `max_tags` whatever the elements are; `max_items` bounds the <result>, <workunit> and
// <app_version> kept. Sizes measured with the real 7.20.5 client (tests/data/boinc): a task
// is about 1 KB and 50 tags in a get_state reply (result + workunit), about twice that in
// client_state.xml (its <file_info>s). Real hosts hold thousands of tasks; these allow
// 10,000.
struct BoincStateLimits {
  std::size_t max_bytes;
  std::size_t max_tags;
  std::size_t max_items;  // of each of <result>, <workunit>, <app_version>, <project>
};
inline constexpr BoincStateLimits kGetStateLimits{16u << 20, 750'000, 10'000};
inline constexpr BoincStateLimits kClientStateFileLimits{32u << 20, 1'500'000, 10'000};
// The GUI RPC reply cap (GuiRpcEndpoint::max_reply): the largest reply read at all.
inline constexpr std::size_t kMaxBoincStateBytes = kGetStateLimits.max_bytes;

// The reply to <get_state/>: <boinc_gui_rpc_reply><client_state>... with one <platform> per
// effective platform. An <error> reply, a missing <client_state>, malformed XML or more than
// `limits` allow is an error naming `source`.
Result<BoincClientState> parse_get_state_reply(std::string_view reply, std::string_view source,
                                               const BoincStateLimits& limits = kGetStateLimits);

// client_state.xml: same items; the platform list is <platform_name> plus one <alt_platform>
// per further platform as the client saw them when it last wrote the file.
Result<BoincClientState> parse_client_state_file(std::string_view xml, std::string_view source,
                                                 const BoincStateLimits& limits = kClientStateFileLimits);

// Unfinished tasks whose platform is one of `platforms`.
std::vector<BoincTask> unfinished_tasks_of(const BoincClientState& s, const std::vector<std::string>& platforms);
// App versions whose platform is one of `platforms`.
std::vector<BoincAppVersion> app_versions_of(const BoincClientState& s, const std::vector<std::string>& platforms);

// "wu1_0 (Fake Project, fakeapp 1.00, ready to run)"
std::string describe(const BoincTask& t);

}  // namespace platformd
