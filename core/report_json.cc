#include "report_json.h"

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
                     {"state", p.state},
                     {"enabled", p.enabled},
                     {"translator", p.translator},
                     {"handler", p.handler},
                     {"reason", p.reason},
                     {"fidelity", p.fidelity},
                     {"speed_ratio", opt(p.speed_ratio)},
                     {"boinc_reports", opt(p.boinc_reports)}});
  return {{"host",
           {{"arch", r.host.kernel_arch},
            {"userland_arch", r.host.userland_arch},
            {"userland_bits", r.host.userland_bits},
            {"boinc_platform", r.host.boinc_platform},
            {"native_compat", r.host.native_compat}}},
          {"platforms", plats},
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
    out.push_back({{"arch", v.arch},
                   {"translator", v.translator},
                   {"runs", v.runs},
                   {"detail", v.run_detail},
                   {"fidelity", v.fidelity},
                   {"categories", cats},
                   {"fp_ratio", opt(v.fp_ratio)},
                   {"int_ratio", opt(v.int_ratio)},
                   {"slow_risk", v.slow_risk},
                   {"passed", v.passed}});
  }
  return out;
}

}  // namespace platformd
