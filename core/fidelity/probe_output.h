// The probe's other two answers: its identity (run with no arguments) and its benchmark
// (`probe bench`), parsed from text, and the speed ratio the broker derives from two
// benchmarks. The fingerprint (`probe fp`) is in fidelity.h. Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "result.h"

namespace platformd {

inline constexpr int kProbeProtocol = 1;

// `probe-<arch>` with no arguments prints exactly:
//   platformd-probe 1 / arch <arch> / uname <uname(2) machine> / argv0 <argv[0]> / answer 42
// (probe_runner.h has a lenient parse_probe_identity; this one checks line order, the protocol
// version and stray lines, and escapes untrusted bytes in its messages.)
struct IdentityAnswer {
  int protocol = 0;
  std::string arch;        // the arch the probe was built for, as in catalog.json
  std::string uname;       // the machine the probe saw: the guest's under qemu-user, the kernel's natively
  std::string argv0;       // shows whether the binfmt handler preserved argv[0] (flag P)
  bool answer_ok = false;  // "answer 42": the program really ran to the end
};

// Errors name the line. An unknown protocol version is an error: the broker and its probes
// are installed together, so a mismatch means a stale install.
Result<IdentityAnswer> parse_identity_answer(std::string_view text);

// `probe cpu` prints "cpu x86-64-v3 fma avx2" on x86 (the psABI feature level the program
// sees, then which of fma, avx2, avx512f it has), "cpu -" elsewhere.
struct GuestCpu {
  int level = 0;  // x86-64-v1..v4; 0 when not even v1
  bool fma = false, avx2 = false, avx512f = false;
};
// nullopt for "cpu -"; an error for anything else than the two forms.
Result<std::optional<GuestCpu>> parse_cpu_answer(std::string_view text);
// Whose results a program's libm calls will match: glibc picks each function's code by FMA
// and AVX2 (both, or the generic code), measured with AutoDock Vina under QEMU's `max` and
// `qemu64` models and natively with GLIBC_TUNABLES hiding FMA (docs/fidelity.md).
std::string describe_matching_hosts(const GuestCpu& c);

// `probe bench` prints "bench.fp <seconds> <checksum>" and "bench.int <seconds> <checksum>".
struct BenchResult {
  double fp_seconds = 0;
  double int_seconds = 0;
  std::string fp_checksum;   // bits of the Leibniz sum: equal on every IEEE binary64 machine
  std::string int_checksum;  // the hash: equal everywhere
};

Result<BenchResult> parse_bench(std::string_view text);

// How much of the host's speed the emulated platform gets: native seconds / emulated seconds
// for the same fixed work (1.0 = as fast as native; QEMU is typically 0.05 on FP, 0.6 on
// integer code). Both probes run in the same broker invocation.
struct SpeedRatios {
  double fp = 0;
  double integer = 0;
  double combined = 0;  // geometric mean of the two, for display
  double worst = 0;     // min of the two, for the elapsed-time risk
};

SpeedRatios speed_ratios(const BenchResult& native, const BenchResult& emulated);

// Below this the platform is reported as slow: at risk of BOINC's "exceeded elapsed time
// limit". The client aborts a task after rsc_fpops_bound / flops seconds, with flops derived
// from the host's NATIVE benchmark; a task emulated at ratio r runs 1/r times longer than that
// estimate. 0.05 (20 times slower) exceeds even generous bounds of 20 x rsc_fpops_est; see
// docs/fidelity.md for the derivation and why we do not warn at 0.1.
inline constexpr double kSlowSpeedRatio = 0.05;

// True when the worse of the two kernels is below kSlowSpeedRatio: an app's mix of FP and
// integer work is unknown, so the slower kernel bounds the risk.
bool slow_risk(const SpeedRatios& r);

}  // namespace platformd
