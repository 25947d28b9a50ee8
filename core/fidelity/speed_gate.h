// Speed gates: is a platform fast enough for BOINC's elapsed-time limit? The client aborts a
// task once it runs past rsc_fpops_bound / (the host's NATIVE FLOPS); emulated at ratio r a
// task runs 1/r times longer than the client expects, so it is aborted when 1/r exceeds the
// workunit's bound / estimate. Two thresholds on the worse of the FP and integer ratios
// (docs/fidelity.md "Speed"), then, once BOINC holds tasks of the platform, the projects'
// real bounds. Pure.
#pragma once

#include <string>
#include <vector>

#include "boinc/boinc_state.h"

namespace platformd {

// Below this (50 times slower than native) no plausible rsc_fpops_bound survives: refused by
// default, `--allow-slow` enables anyway. i686 under qemu-i386 (x87 in softfloat) measures
// about 0.01-0.015 here.
inline constexpr double kTooSlowRatio = 0.02;
// kSlowSpeedRatio (0.05, probe_output.h): below it the platform is enabled with a warning.

enum class SpeedGate { ok, at_risk, too_slow };

SpeedGate speed_gate(double worst_ratio);

// The warning or refusal text for a gate that is not ok, e.g. "too slow: 1.4% of native (FP
// kernel), below 2%: BOINC would abort its tasks at any plausible rsc_fpops_bound; refused
// without --allow-slow". "" for ok.
std::string speed_gate_text(SpeedGate g, double fp_ratio, double int_ratio, bool allowed);

// A project whose tasks of the platform allow less slowdown than emulation costs.
struct AbortRisk {
  std::string project;
  double bound_factor = 0;  // the smallest rsc_fpops_bound / rsc_fpops_est among its tasks
  int tasks = 0;            // its unfinished tasks of the platform with a known factor
};

// Projects (sorted by name) whose unfinished tasks of `platform` would pass their elapsed-time
// limit at `ratio` (the worse of the two speed ratios): bound / est < 1 / ratio. Tasks without
// both numbers are left out; they cannot be judged.
std::vector<AbortRisk> abort_risks(const std::vector<BoincTask>& tasks, const std::string& platform, double ratio);

// "Fake Project: its tasks allow 20x the estimate, emulation runs them 66x slower; they will be
// aborted (exceeded elapsed time limit)"
std::string describe(const AbortRisk& r, double ratio);

}  // namespace platformd
