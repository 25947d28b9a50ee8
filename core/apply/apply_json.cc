#include "apply/apply_json.h"

namespace platformd {

using nlohmann::json;

namespace {

json snapshot_json(const PlatformSnapshot& s) {
  return {{"enabled", s.enabled},
          {"state", to_string(s.state)},
          {"translator", s.translator},
          {"fidelity", to_string(s.fidelity)},
          {"speed_ratio", s.speed_ratio ? json(*s.speed_ratio) : json(nullptr)},
          {"reason", s.reason}};
}

json error_json(const std::optional<Error>& e) {
  if (!e) return nullptr;
  return {{"message", e->message}, {"code", e->code}};
}

}  // namespace

json to_json(const ApplyReport& r) {
  json items = json::array();
  for (const auto& it : r.items) {
    // The verdict of the verification that decided the platform: after the run, or (check)
    // the one on record now. null: not verified.
    const Fidelity verdict = r.check ? it.before.fidelity : it.after.fidelity;
    items.push_back({{"name", it.arch},
                     {"boinc_name", it.boinc_name},
                     {"desired", std::string(to_string(it.desired))},
                     {"listed", it.listed},
                     {"action", std::string(to_string(it.action))},
                     {"outcome", std::string(to_string(it.outcome))},
                     {"changed", it.outcome == ApplyOutcome::changed || it.outcome == ApplyOutcome::would_change},
                     {"before", snapshot_json(it.before)},
                     {"after", snapshot_json(it.after)},
                     {"verdict", verdict == Fidelity::unverified ? json(nullptr) : json(to_string(verdict))},
                     {"reason", it.reason},
                     {"error", error_json(it.error)}});
  }
  return {{"source", r.source},
          {"check", r.check},
          {"changed", r.changed},
          {"platforms", items},
          {"lines", r.lines},
          {"warnings", r.warnings},
          {"error", error_json(r.error)},
          {"exit_code", apply_exit_code(r)}};
}

}  // namespace platformd
