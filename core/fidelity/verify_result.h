// What one verification of a platform found: whether the probe ran, the fidelity by
// category, the speed, and whether the platform may be advertised. Made by the verifier
// (fidelity/verifier.h), kept by the broker in the state file (VerifyRecord).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "fidelity/fidelity.h"

namespace platformd {

struct VerifyResult {
  std::string arch;
  std::string translator;
  bool runs = false;       // the probe ran and answered
  std::string run_detail;  // how it was run, or why it failed
  std::vector<CategoryResult> categories;
  std::string fidelity;  // "exact" | "warning" | "blocked"
  std::optional<double> fp_ratio, int_ratio;
  bool slow_risk = false;  // below the elapsed-time-limit threshold
  bool too_slow = false;   // below kTooSlowRatio: refused unless allow_slow
  bool passed = false;     // may be advertised
  // When the translator was chosen among several: every candidate's line (candidate_line)
  // and why this one won. Not carried over D-Bus (its signature predates them): the daemon's
  // answer carries the choice in run_detail.
  std::vector<std::string> candidates;
  std::string choice;
};

}  // namespace platformd
