#include "report_json.h"

#include <algorithm>

#include "fidelity/impact.h"
#include "fidelity/speed_gate.h"

namespace platformd {

using nlohmann::json;

namespace {

template <typename T>
json opt(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

json error_json(const std::optional<Error>& e) {
  if (!e) return nullptr;
  return {{"message", e->message}, {"code", e->code}};
}

}  // namespace

json to_json(const StatusReport& r) {
  json plats = json::array();
  for (const auto& p : r.platforms)
    plats.push_back({{"name", p.boinc_name},
                     {"arch", p.arch},
                     {"boinc_canonical", p.boinc_canonical},
                     {"state", to_string(p.state)},
                     {"scope", to_string(p.scope)},
                     {"enabled", p.enabled},
                     {"translator", p.translator},
                     {"handler", p.handler},
                     {"reason", p.reason},
                     {"fidelity", to_string(p.fidelity)},
                     {"speed_ratio", opt(p.speed_ratio)},
                     {"boinc_reports", opt(p.boinc_reports)},
                     {"verdict", p.verdict},
                     {"candidates", p.candidates},
                     {"choice", p.why_chosen},
                     {"abort_risks", p.abort_risks}});
  json uptake = json::array();
  for (const auto& u : r.uptake) {
    json versions = json::array();
    for (const auto& v : u.versions)
      versions.push_back({{"app", v.app}, {"version_num", v.version_num}, {"plan_class", v.plan_class}});
    json reply = nullptr;
    if (u.last_reply)
      reply = {{"time", u.last_reply->time},
               {"got", u.last_reply->got ? json(*u.last_reply->got) : json(nullptr)},
               {"words", u.last_reply->words},
               {"text", describe(*u.last_reply)}};
    uptake.push_back({{"platform", u.platform},
                      {"project", u.project},
                      {"url", u.url},
                      {"waiting", u.waiting},
                      {"running", u.running},
                      {"to_report", u.to_report},
                      {"reported_last_hour", u.reported_last_hour},
                      {"versions_not_shown", u.versions_not_shown},
                      {"versions", versions},
                      {"last_scheduler_reply", reply},
                      {"text", describe(u)}});
  }
  return {{"host",
           {{"arch", r.host.kernel_arch},
            {"userland_arch", r.host.userland_arch},
            {"userland_bits", r.host.userland_bits},
            {"boinc_platform", r.host.boinc_platform},
            {"native_compat", r.host.native_compat}}},
          {"platforms", plats},
          {"uptake", uptake},
          {"notes", r.notes}};
}

json to_json(const ChangeReport& r) {
  return {{"lines", r.lines}, {"warnings", r.warnings}, {"changed", r.changed}, {"error", error_json(r.error)}};
}

json to_json(const std::vector<VerifyResult>& results) {
  json out = json::array();
  for (const auto& v : results) {
    json cats = json::array();
    for (const auto& c : v.categories)
      cats.push_back({{"category", c.category},
                      {"exact", c.exact},
                      {"blocking", c.blocking},
                      {"first_difference", c.first_difference}});
    // The classes are derived from the categories (fidelity/impact.h), so a result that came
    // over D-Bus, which carries categories only, gets the same classes.
    json classes = json::array();
    auto by_class = classes_of(v.arch, v.categories);
    for (const auto& c : by_class)
      classes.push_back({{"class", c.impact ? std::string(impact_name(*c.impact)) : std::string("unclassified")},
                         {"exact", c.exact},
                         {"blocking", c.blocking},
                         {"first_case", c.first_case},
                         {"first_difference", c.first_difference},
                         {"categories", c.categories}});
    out.push_back({{"arch", v.arch},
                   {"translator", v.translator.empty() && v.native_run ? std::string("native") : v.translator},
                   {"runs", v.runs},
                   {"detail", v.run_detail},
                   {"fidelity", to_string(v.fidelity)},
                   {"categories", cats},
                   {"fp_ratio", opt(v.fp_ratio)},
                   {"int_ratio", opt(v.int_ratio)},
                   {"slow_risk", v.slow_risk},
                   {"too_slow", v.fp_ratio && v.int_ratio &&
                                    speed_gate(std::min(*v.fp_ratio, *v.int_ratio)) == SpeedGate::too_slow},
                   {"verdict", verdict_line(by_class)},
                   {"classes", classes},
                   {"candidates", v.candidates},
                   {"choice", v.why_chosen},
                   {"passed", v.passed}});
  }
  return out;
}

}  // namespace platformd
