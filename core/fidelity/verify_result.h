// What one verification of a platform found: whether the probe ran, the fidelity by
// category, the speed, and whether the platform may be advertised. Made by the verifier
// (fidelity/verifier.h), kept by the broker in the state file (VerifyRecord).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "fidelity/fidelity.h"
#include "fidelity/fidelity_verdict.h"

namespace platformd {

struct VerifyResult {
  std::string arch;
  std::string translator;   // the translator's path; empty when the probes ran natively
  bool native_run = false;  // ran with no translator at all (the text edges say "native")
  bool runs = false;        // the probe ran and answered
  std::string run_detail;   // how it was run, or why it failed
  std::vector<CategoryResult> categories;
  Fidelity fidelity = Fidelity::unverified;
  std::optional<double> fp_ratio, int_ratio;
  bool slow_risk = false;  // below the elapsed-time-limit threshold
  bool too_slow = false;   // below kTooSlowRatio: refused unless allow_slow
  bool passed = false;     // may be advertised
  // When the translator was chosen among several: every candidate's line (candidate_line)
  // and why this one won. Not carried over D-Bus (its signature predates them): the daemon's
  // answer carries the choice in run_detail.
  std::vector<std::string> candidates;
  std::string why_chosen;
  // x86: the CPU the guest program sees and whose native hosts its libm results match
  // (describe_matching_hosts); "" elsewhere, or when the probe could not say.
  std::string guest_cpu;
};

// The translator as the text edges (text, JSON, D-Bus) spell it: its path, "native" for a run
// with none, "-" when nothing ran.
inline std::string translator_word(const VerifyResult& v) {
  if (!v.translator.empty()) return v.translator;
  return v.native_run ? "native" : "-";
}

}  // namespace platformd
