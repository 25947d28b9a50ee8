#include "fidelity/verifier.h"

#include <cmath>

#include "exit_codes.h"
#include "fidelity/fidelity_check.h"
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
  ProbeInvocation inv;
  inv.via = t.via;
  inv.translator = t.translator;
  inv.env = t.env;

  auto id_run = run_probe(m, p, v.arch, inv);
  if (!id_run) {
    v.run_detail = id_run.error().message;
    return v;
  }
  if (!id_run->succeeded()) {
    // The probe's stderr comes from the translator under test: quoted, never shown raw.
    const std::string err = stderr_excerpt(id_run->err);
    v.run_detail = fmt::format("the {} probe {}{}", v.arch, id_run->describe(), err.empty() ? "" : ": " + err);
    if (t.via == ProbeVia::binfmt_empty_root)
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
                                                      : "ran natively";
  if (t.identity_only) {
    v.passed = true;
    return v;
  }
  auto fid = check_fidelity(m, p, v.arch, inv, strict);
  v.categories = fid.categories;
  v.fidelity = fid.verdict;
  if (!fid.error.empty()) v.run_detail += "; " + fid.error;
  auto speed = measure_speed(m, p, host, v.arch, inv);
  if (speed) {
    v.fp_ratio = speed->fp_ratio;
    v.int_ratio = speed->int_ratio;
    v.slow_risk = speed->slow_risk;
  } else {
    v.run_detail += "; speed not measured: " + speed.error().message;
  }
  v.passed = v.runs && v.fidelity != "blocked";
  return v;
}

}  // namespace platformd
