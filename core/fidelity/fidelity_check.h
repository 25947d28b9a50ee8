// The effectful half of fidelity and speed checks: run the probe's fp and bench modes the
// same way the identity check ran, and judge the output with the pure code in fidelity.h.
#pragma once

#include <string>
#include <vector>

#include "fidelity/probe_runner.h"
#include "fidelity/verify_result.h"
#include "host.h"
#include "system/machine.h"
#include "system/paths.h"

namespace platformd {

struct FidelityOutcome {
  std::vector<CategoryResult> categories;
  Fidelity fidelity = Fidelity::blocked;
  std::string error;  // set when the check itself could not run (then fidelity is blocked)
};

FidelityOutcome check_fidelity(Machine& m, const Paths& p, std::string_view arch, ProbeInvocation inv, bool strict);

struct SpeedOutcome {
  double fp_ratio = 0;
  double int_ratio = 0;
  bool slow_risk = false;
  // The emulated benchmark did not finish within its timeout: the ratios are upper bounds
  // (native seconds / the timeout), not measurements. Slower than that is all that is known.
  bool upper_bound = false;
  double timeout_seconds = 0;
};

// Runs the bench mode emulated (as `inv` says) and natively (the host's own probe) in the same
// call, so the ratio compares runs under the same machine load.
Result<SpeedOutcome> measure_speed(Machine& m, const Paths& p, const HostInfo& host, std::string_view arch,
                                   ProbeInvocation inv);

}  // namespace platformd
