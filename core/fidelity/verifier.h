// Verifying one platform before it is advertised: the probe must run (through the registered
// handler from an empty root, or through a named translator), its floating-point fingerprint
// must agree with the architecture's reference under the policy in force, and its speed
// relative to native is measured.
#pragma once

#include <map>
#include <string>

#include "catalog.h"
#include "fidelity/probe_output.h"
#include "fidelity/probe_runner.h"
#include "fidelity/verify_result.h"
#include "host.h"
#include "system/machine.h"
#include "system/paths.h"

namespace platformd {

struct VerifyTarget {
  const Platform* platform = nullptr;
  ProbeVia via = ProbeVia::binfmt_empty_root;
  std::string translator{};                  // path, for display and for ProbeVia::translator
  std::map<std::string, std::string> env{};  // translator settings (QEMU_CPU, box64 exactness)
  bool expect_preserved_argv0 = false;       // the handler has P
  // Only prove that the handler runs the probe (from an empty root): used when re-registering
  // a platform whose fidelity and speed were already measured with this very translator file.
  bool identity_only = false;
  bool allow_slow = false;      // a platform below kTooSlowRatio passes (with its warning)
  bool maps_host_libc = false;  // TranslatorSpec::maps_host_libc: no guest loader needed
  // The translator's rc file as BOINC's tasks will read it (ProbeInvocation::rc_file).
  std::string rc_file{};
  std::string rc_text{};
  // Probes run in this process's user and mount namespaces (BOINC's own, or a scratch one like
  // it: issue 21), where the handler under test is registered.
  pid_t join_namespaces_of = 0;
};

VerifyResult verify_platform(Machine& m, const Paths& p, const HostInfo& host, const VerifyTarget& t, bool strict);

// The dynamically linked probe (probe-<arch>-dynamic) through the same translator, from the
// real root (a dynamic program needs its loader and libraries: BOINC runs such apps in the
// slot directory of the real root). Identity and fingerprint; no speed (the static run
// measured it).
struct DynamicCheck {
  bool tested = false;  // false: no dynamic probe installed
  bool runs = false;
  std::string detail;  // how it ran, why it failed, or why it was not tested
  std::vector<CategoryResult> categories;
  Fidelity fidelity = Fidelity::unverified;
};
DynamicCheck verify_dynamic(Machine& m, const Paths& p, const VerifyTarget& t, bool strict);

// Geometric mean of the FP and integer ratios: one number for `status`.
double combined_speed(double fp_ratio, double int_ratio);

}  // namespace platformd
