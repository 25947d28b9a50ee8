// Parsing the BOINC client's state (GUI RPC get_state reply, client_state.xml) with tinyxml2.
// Both list, as direct children of <client_state>, each <project> followed by the <app>,
// <app_version>, <workunit> and <result> items that belong to it.
#include "boinc/boinc_state.h"

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <map>
#include <set>
#include <tuple>

#include <tinyxml2.h>

#include "boinc/boinc_xml.h"
#include "exit_codes.h"

namespace platformd {

namespace {

using tinyxml2::XMLElement;

// RESULT_* in BOINC's lib/common_defs.h.
constexpr int kResultNew = 0;
constexpr int kResultFilesDownloading = 1;
constexpr int kResultFilesDownloaded = 2;
constexpr int kResultComputeError = 3;
constexpr int kResultFilesUploading = 4;
constexpr int kResultFilesUploaded = 5;
constexpr int kResultAborted = 6;
constexpr int kResultUploadFailed = 7;

constexpr std::size_t kMaxPlatforms = 64;

std::string text_of(const XMLElement* parent, const char* child) {
  return child_text(parent, child);
}

// std::atoi is undefined for text out of int's range, which a peer may send: strtoll, clamped.
int int_of(const XMLElement* parent, const char* child) {
  const long long v = std::strtoll(text_of(parent, child).c_str(), nullptr, 10);
  return static_cast<int>(std::clamp<long long>(v, INT_MIN, INT_MAX));
}

// rsc_fpops_* are doubles ("1.5e13"); a missing, malformed or negative one is 0 (unknown).
double fpops_of(const XMLElement* parent, const char* child) {
  const std::string t = text_of(parent, child);
  char* end = nullptr;
  double v = std::strtod(t.c_str(), &end);
  return end != t.c_str() && *end == '\0' && v > 0 && v < 1e30 ? v : 0;
}

// Walks the items of one <client_state> element. `rpc` selects the get_state spelling of the
// platform list (<platform>) over the state file's (<alt_platform>). More items of one kind
// than `limits` allow is an error naming `source`.
Result<BoincClientState> walk(const XMLElement* cs, bool rpc, std::string_view source, const BoincStateLimits& limits) {
  BoincClientState s;
  std::size_t projects = 0, workunits = 0;
  auto too_many = [&](std::string_view what) {
    return fail(exit_code::failure, "{}: more than {} <{}> elements (real hosts hold thousands); not believed", source,
                limits.max_items, what);
  };
  s.primary_platform = text_of(cs, "platform_name");
  if (!s.primary_platform.empty()) s.platforms.push_back(s.primary_platform);
  for (const XMLElement* p = cs->FirstChildElement(rpc ? "platform" : "alt_platform"); p;
       p = p->NextSiblingElement(rpc ? "platform" : "alt_platform")) {
    // Looked up linearly: a client has a handful, so a list past kMaxPlatforms is not one.
    if (s.platforms.size() >= kMaxPlatforms)
      return fail(exit_code::failure, "{}: more than {} platforms listed; not believed", source, kMaxPlatforms);
    std::string name = p->GetText() ? std::string(p->GetText()) : std::string();
    if (!name.empty() && std::find(s.platforms.begin(), s.platforms.end(), name) == s.platforms.end())
      s.platforms.push_back(name);
  }
  if (const XMLElement* hi = cs->FirstChildElement("host_info")) s.cpu_features = text_of(hi, "p_features");
  const std::string major = text_of(cs, "core_client_major_version");
  if (!major.empty())
    s.client_version =
        fmt::format("{}.{}.{}", major, text_of(cs, "core_client_minor_version"), text_of(cs, "core_client_release"));

  std::map<std::string, std::string> project_names;                                   // master URL -> name
  std::map<std::pair<std::string, std::string>, std::string> wu_app;                  // (project, wu) -> app
  std::map<std::pair<std::string, std::string>, std::pair<double, double>> wu_fpops;  // -> est, bound
  std::set<std::pair<std::string, std::string>> active;                               // (project URL, result name)
  std::string url;                                                                    // the current <project>
  auto project_label = [&](const std::string& u) {
    auto it = project_names.find(u);
    return it != project_names.end() && !it->second.empty() ? it->second : u;
  };

  // client_state.xml lists running tasks in <active_task_set>; get_state nests <active_task>
  // inside the <result>.
  if (const XMLElement* set = cs->FirstChildElement("active_task_set")) {
    for (const XMLElement* a = set->FirstChildElement("active_task"); a; a = a->NextSiblingElement("active_task")) {
      if (active.size() >= limits.max_items) return too_many("active_task");
      active.insert({text_of(a, "project_master_url"), text_of(a, "result_name")});
    }
  }

  for (const XMLElement* e = cs->FirstChildElement(); e; e = e->NextSiblingElement()) {
    std::string_view tag = e->Name();
    if (tag == "project") {
      if (++projects > limits.max_items) return too_many(tag);
      url = text_of(e, "master_url");
      project_names[url] = text_of(e, "project_name");
      s.projects.push_back({text_of(e, "project_name"), url});
    } else if (tag == "app_version") {
      if (s.app_versions.size() >= limits.max_items) return too_many(tag);
      s.app_versions.push_back({project_label(url), text_of(e, "app_name"), int_of(e, "version_num"),
                                text_of(e, "platform"), text_of(e, "plan_class")});
    } else if (tag == "workunit") {
      if (++workunits > limits.max_items) return too_many(tag);
      wu_app[{url, text_of(e, "name")}] = text_of(e, "app_name");
      wu_fpops[{url, text_of(e, "name")}] = {fpops_of(e, "rsc_fpops_est"), fpops_of(e, "rsc_fpops_bound")};
    } else if (tag == "result") {
      if (s.tasks.size() >= limits.max_items) return too_many(tag);
      std::string purl = text_of(e, "project_url");
      if (purl.empty()) purl = url;
      BoincTask t;
      t.name = text_of(e, "name");
      t.project = project_label(purl);
      auto app = wu_app.find({purl, text_of(e, "wu_name")});
      if (app != wu_app.end()) t.app = app->second;
      if (auto f = wu_fpops.find({purl, text_of(e, "wu_name")}); f != wu_fpops.end())
        std::tie(t.fpops_est, t.fpops_bound) = f->second;
      t.platform = text_of(e, "platform");
      t.version_num = int_of(e, "version_num");
      t.state = int_of(e, "state");
      t.active = e->FirstChildElement("active_task") != nullptr || active.count({purl, t.name}) > 0;
      // A task computed and waiting to be reported will not run again.
      if (e->FirstChildElement("ready_to_report") && t.state < kResultComputeError) t.state = kResultFilesUploaded;
      s.tasks.push_back(std::move(t));
    }
  }
  return s;
}

bool in(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

std::string BoincTask::state_text() const {
  switch (state) {
    case kResultNew:
      return "new";
    case kResultFilesDownloading:
      return "downloading";
    case kResultFilesDownloaded:
      return active ? "running or suspended" : "ready to run";
    case kResultComputeError:
      return "computation error";
    case kResultFilesUploading:
      return "uploading";
    case kResultFilesUploaded:
      return "ready to report";
    case kResultAborted:
      return "aborted";
    case kResultUploadFailed:
      return "upload failed";
    default:
      return fmt::format("state {}", state);
  }
}

bool BoincTask::unfinished() const {
  return state >= kResultNew && state <= kResultFilesDownloaded;
}

bool BoincTask::awaiting_report() const {
  return state == kResultFilesUploading || state == kResultFilesUploaded;
}

Result<BoincClientState> parse_get_state_reply(std::string_view reply, std::string_view source,
                                               const BoincStateLimits& limits) {
  auto d = load_bounded_xml(reply, source, limits);
  if (!d) return d.error();
  auto cs = gui_rpc_reply_child(**d, "client_state", source);
  if (!cs) return cs.error();
  return walk(*cs, true, source, limits);
}

Result<BoincClientState> parse_client_state_file(std::string_view xml, std::string_view source,
                                                 const BoincStateLimits& limits) {
  auto d = load_bounded_xml(xml, source, limits);
  if (!d) return d.error();
  const XMLElement* cs = (*d)->FirstChildElement("client_state");
  if (!cs) return fail(exit_code::failure, "{}: no <client_state> element", source);
  return walk(cs, false, source, limits);
}

std::vector<BoincTask> unfinished_tasks_of(const BoincClientState& s, const std::vector<std::string>& platforms) {
  std::vector<BoincTask> out;
  for (const auto& t : s.tasks)
    if (t.unfinished() && in(platforms, t.platform)) out.push_back(t);
  return out;
}

std::vector<BoincAppVersion> app_versions_of(const BoincClientState& s, const std::vector<std::string>& platforms) {
  std::vector<BoincAppVersion> out;
  for (const auto& a : s.app_versions)
    if (in(platforms, a.platform)) out.push_back(a);
  return out;
}

std::string describe(const BoincTask& t) {
  std::string app =
      t.app.empty() ? std::string() : fmt::format("{} {}.{:02}, ", t.app, t.version_num / 100, t.version_num % 100);
  return fmt::format("{} ({}, {}{}, {})", t.name, t.project, app, t.platform, t.state_text());
}

}  // namespace platformd
