// Speed gates and the projects' elapsed-time bounds. See speed_gate.h.
#include "fidelity/speed_gate.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "fidelity/probe_output.h"

namespace platformd {

SpeedGate speed_gate(double worst_ratio) {
  if (worst_ratio <= 0) return SpeedGate::ok;  // not measured: nothing to judge
  if (worst_ratio < kTooSlowRatio) return SpeedGate::too_slow;
  if (worst_ratio < kSlowSpeedRatio) return SpeedGate::at_risk;
  return SpeedGate::ok;
}

std::string speed_gate_text(SpeedGate g, double fp_ratio, double int_ratio, bool allowed) {
  const bool fp_worse = fp_ratio <= int_ratio;
  const double worst = fp_worse ? fp_ratio : int_ratio;
  const char* kernel = fp_worse ? "FP" : "integer";
  switch (g) {
    case SpeedGate::ok:
      return "";
    case SpeedGate::at_risk:
      return fmt::format(
          "slow: {:.1f}% of native ({} kernel), below {:.0f}%: at risk of BOINC's elapsed-time limit (tasks whose "
          "rsc_fpops_bound allows less than {:.0f}x the estimate are aborted)",
          100 * worst, kernel, 100 * kSlowSpeedRatio, 1 / worst);
    case SpeedGate::too_slow:
      return fmt::format(
          "too slow: {:.1f}% of native ({} kernel), below {:.0f}%: BOINC would abort its tasks at any plausible "
          "rsc_fpops_bound (they run {:.0f}x longer than the client allows for){}",
          100 * worst, kernel, 100 * kTooSlowRatio, 1 / worst,
          allowed ? "; enabled anyway (--allow-slow)" : "; refused without --allow-slow");
  }
  return "";
}

std::vector<AbortRisk> abort_risks(const std::vector<BoincTask>& tasks, const std::string& platform, double ratio) {
  std::vector<AbortRisk> out;
  if (ratio <= 0) return out;
  std::map<std::string, AbortRisk> by_project;
  for (const auto& t : tasks) {
    if (t.platform != platform || !t.unfinished() || t.fpops_est <= 0 || t.fpops_bound <= 0) continue;
    double factor = t.fpops_bound / t.fpops_est;
    auto [it, fresh] = by_project.try_emplace(t.project, AbortRisk{t.project, factor, 0});
    it->second.bound_factor = std::min(it->second.bound_factor, factor);
    ++it->second.tasks;
  }
  for (auto& [name, r] : by_project)
    if (r.bound_factor < 1 / ratio) out.push_back(std::move(r));
  return out;
}

std::string describe(const AbortRisk& r, double ratio) {
  return fmt::format(
      "{}: its {} task(s) allow {:.3g}x the estimate (rsc_fpops_bound / rsc_fpops_est), emulation runs them about "
      "{:.0f}x slower than the client expects; they will be aborted (\"exceeded elapsed time limit\")",
      r.project, r.tasks, r.bound_factor, 1 / ratio);
}

}  // namespace platformd
