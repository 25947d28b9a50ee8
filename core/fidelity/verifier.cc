#include "fidelity/verifier.h"

#include <cmath>

#include "binfmt/elf_file.h"
#include "exit_codes.h"
#include "fidelity/fidelity_check.h"
#include "fidelity/speed_gate.h"
#include "untrusted_text.h"

namespace platformd {

double combined_speed(double fp_ratio, double int_ratio) {
  if (fp_ratio <= 0 || int_ratio <= 0) return 0;
  return std::sqrt(fp_ratio * int_ratio);
}

VerifyResult verify_platform(Machine& m, const Paths& p, const HostInfo& host, const VerifyTarget& t, bool strict) {
  VerifyResult v;
  v.arch = t.platform->arch;
  v.translator = t.translator;
  v.native_run = t.via == ProbeVia::native && t.translator.empty();
  ProbeInvocation inv;
  inv.via = t.via;
  inv.translator = t.translator;
  inv.env = t.env;
  inv.rc_file = t.rc_file;
  inv.rc_text = t.rc_text;
  inv.join_namespaces_of = t.join_namespaces_of;

  auto id_run = run_probe(m, p, v.arch, inv);
  if (!id_run) {
    v.run_detail = id_run.error().message;
    return v;
  }
  if (!id_run->succeeded()) {
    // The probe's stderr comes from the translator under test: quoted, never shown raw.
    const std::string err = stderr_excerpt(id_run->err);
    v.run_detail = fmt::format("the {} probe {}{}", v.arch, id_run->describe(), err.empty() ? "" : ": " + err);
    // The F-flag hint only where the kernel or the translator refused: a set-up failure is
    // platformd's own and proves nothing about the handler (issue 13 blamed flag F for it).
    if (id_run->setup_failed)
      v.run_detail += " (nothing was learnt about the translator or its handler)";
    else if (t.via == ProbeVia::binfmt_empty_root)
      v.run_detail += " (run from an empty root: the handler needs flag F and a static translator)";
    return v;
  }
  auto id = parse_identity_answer(id_run->out);
  if (!id) {
    v.run_detail = id.error().message;
    return v;
  }
  if (id->arch != v.arch) {
    v.run_detail = fmt::format("the probe reports architecture {}, expected {}", id->arch, v.arch);
    return v;
  }
  if (t.expect_preserved_argv0 && id->argv0 != kProbeArgv0) {
    v.run_detail =
        fmt::format("argv[0] was not preserved (got \"{}\"); the translator does not support flag P", id->argv0);
    return v;
  }
  v.runs = true;
  v.run_detail = t.via == ProbeVia::binfmt_empty_root ? "ran through binfmt_misc from an empty root"
                 : t.via == ProbeVia::translator      ? fmt::format("ran under {}", t.translator)
                 : !t.translator.empty()
                     ? "ran through binfmt_misc from the real root (no F: a dynamic-only translator)"
                     : "ran natively";
  // x86: the CPU the guest sees decides whose results its libm calls match. A probe without
  // the cpu mode (an older install) or a translator that stops it: nothing said.
  if (v.arch == "x86_64" || v.arch == "i686") {
    ProbeInvocation ci = inv;
    ci.mode = "cpu";
    if (auto r = run_probe(m, p, v.arch, ci); r && r->succeeded())
      if (auto c = parse_cpu_answer(r->out); c && *c) v.guest_cpu = describe_matching_hosts(**c);
    if (!v.guest_cpu.empty()) v.run_detail += "; " + v.guest_cpu;  // every edge shows run_detail
  }
  if (t.identity_only) {
    v.passed = true;
    return v;
  }
  auto fid = check_fidelity(m, p, v.arch, inv, strict);
  v.categories = fid.categories;
  v.fidelity = fid.fidelity;
  if (!fid.error.empty()) v.run_detail += "; " + fid.error;
  auto speed = measure_speed(m, p, host, v.arch, inv);
  if (speed) {
    v.fp_ratio = speed->fp_ratio;
    v.int_ratio = speed->int_ratio;
    v.slow_risk = speed->slow_risk;
    if (speed->upper_bound)
      v.run_detail += fmt::format(
          "; the emulated benchmark did not finish within {:.0f} s: at most {:.2f}% of native (the native run's "
          "time over the timeout)",
          speed->timeout_seconds, 100 * speed->fp_ratio);
    // Refused (unless allowed) because BOINC would abort its tasks anyway: the project would
    // lose every workunit it sent, and the host would keep fetching more.
    SpeedGate gate = speed_gate(std::min(speed->fp_ratio, speed->int_ratio));
    v.too_slow = gate == SpeedGate::too_slow;
    if (v.too_slow) v.run_detail += "; " + speed_gate_text(gate, speed->fp_ratio, speed->int_ratio, t.allow_slow);
  } else {
    v.run_detail += "; speed not measured: " + speed.error().message;
  }
  v.passed = v.runs && v.fidelity != Fidelity::blocked && (!v.too_slow || t.allow_slow);
  return v;
}

DynamicCheck verify_dynamic(Machine& m, const Paths& p, const VerifyTarget& t, bool strict) {
  DynamicCheck d;
  const std::string arch = t.platform->arch;
  const fs::path probe = probe_path(p, arch, true);
  auto elf = read_elf(probe);
  if (!elf) {
    d.detail = fmt::format("dynamic programs not tested: no dynamically linked {} probe installed", arch);
    return d;
  }
  // A missing guest loader says nothing about the translator: BOINC's dynamic apps for this
  // platform could not start under any translator until the guest's libc is installed.
  std::error_code ec;
  if (!t.maps_host_libc && !elf->interp.empty() && !fs::exists(elf->interp, ec)) {
    d.detail = fmt::format("dynamic programs not tested: {}'s loader {} is not installed (its libc6 package for {})",
                           arch, elf->interp, arch);
    return d;
  }
  ProbeInvocation inv;
  inv.via = t.via == ProbeVia::native ? ProbeVia::native : ProbeVia::translator;
  inv.translator = t.translator;
  inv.env = t.env;
  inv.rc_file = t.rc_file;
  inv.rc_text = t.rc_text;
  inv.join_namespaces_of = t.join_namespaces_of;
  inv.dynamic = true;
  auto id_run = run_probe(m, p, arch, inv);
  d.tested = true;
  if (!id_run) {
    d.detail = "dynamic probe: " + id_run.error().message;
    return d;
  }
  if (!id_run->succeeded()) {
    const std::string err = stderr_excerpt(id_run->err);  // untrusted: quoted, never shown raw
    d.detail = fmt::format("dynamically linked {} programs fail: the probe {}{}", arch, id_run->describe(),
                           err.empty() ? "" : ": " + err);
    return d;
  }
  auto id = parse_identity_answer(id_run->out);
  if (!id || id->arch != arch) {
    d.detail = "dynamic probe: " + (id ? fmt::format("reports architecture {}", id->arch) : id.error().message);
    return d;
  }
  d.runs = true;
  auto fid = check_fidelity(m, p, arch, inv, strict);
  d.categories = fid.categories;
  d.fidelity = fid.fidelity;
  d.detail = fid.error.empty() ? "dynamic probe ran from the real root" : "dynamic probe: " + fid.error;
  if (!fid.error.empty()) d.runs = false;
  return d;
}

}  // namespace platformd
