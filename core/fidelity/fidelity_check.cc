#include "fidelity/fidelity_check.h"

#include "exit_codes.h"
#include "fidelity/fidelity.h"
#include "fidelity/probe_output.h"
#include "untrusted_text.h"

namespace platformd {

namespace {

// The policy in force: DATA_DIR/fidelity-policy.json when installed, else the built-in one.
Result<FidelityPolicy> load_policy(Machine& m, const Paths& p) {
  fs::path f = p.data_dir / "fidelity-policy.json";
  std::error_code ec;
  if (!fs::exists(f, ec)) return default_fidelity_policy();
  auto text = m.read_file(f, 1 << 20);
  if (!text) return text.error();
  auto doc = nlohmann::json::parse(*text, nullptr, false);
  if (doc.is_discarded()) return fail(exit_code::bad_config, "{}: not valid JSON", f.string());
  return parse_fidelity_policy(doc, f.string());
}

Result<std::string> run_mode(Machine& m, const Paths& p, std::string_view arch, ProbeInvocation inv, const char* mode,
                             bool* timed_out = nullptr) {
  inv.mode = mode;
  auto r = run_probe(m, p, arch, inv);
  if (!r) return r.error();
  if (timed_out) *timed_out = r->timed_out;
  if (!r->succeeded()) {
    const std::string err = stderr_excerpt(r->err);  // untrusted: quoted, never shown raw
    return fail(exit_code::verify_failed, "the {} probe's {} mode {}{}", arch, mode, r->describe(),
                err.empty() ? "" : ": " + err);
  }
  return r->out;
}

}  // namespace

FidelityOutcome check_fidelity(Machine& m, const Paths& p, std::string_view arch, ProbeInvocation inv, bool strict) {
  FidelityOutcome o;
  o.fidelity = Fidelity::blocked;
  auto out = run_mode(m, p, arch, inv, "fp");
  if (!out) {
    o.error = out.error().message;
    return o;
  }
  auto fp = parse_fingerprint(*out);
  if (!fp) {
    o.error = fp.error().message;
    return o;
  }
  fs::path ref_file = p.data_dir / "reference" / fmt::format("{}.json", arch);
  auto ref_text = m.read_file(ref_file, 4 << 20);
  if (!ref_text) {
    o.error = fmt::format("no fidelity reference: {}", ref_text.error().message);
    return o;
  }
  auto ref = parse_reference_text(*ref_text, ref_file.string());
  auto policy = load_policy(m, p);
  if (!ref || !policy) {
    o.error = !ref ? ref.error().message : policy.error().message;
    return o;
  }
  policy->strict = policy->strict || strict;
  FidelityJudgement j = judge(*fp, *ref, *policy);
  for (const auto& c : j.categories) o.categories.push_back({c.category, c.exact, c.blocking, c.first_difference});
  o.fidelity = j.fidelity;
  return o;
}

Result<SpeedOutcome> measure_speed(Machine& m, const Paths& p, const HostInfo& host, std::string_view arch,
                                   ProbeInvocation inv) {
  bool timed_out = false;
  auto emulated_out = run_mode(m, p, arch, inv, "bench", &timed_out);
  if (!emulated_out && !timed_out) return emulated_out.error();
  ProbeInvocation native;
  native.via = ProbeVia::native;
  native.timeout = inv.timeout;
  auto native_out = run_mode(m, p, host.userland_arch, native, "bench");
  if (!native_out) return native_out.error();
  auto n = parse_bench(*native_out);
  if (!n) return n.error();
  if (timed_out) {
    // Not a reason to skip the speed gate (a VM run enabled i686 under qemu-i386 with no speed
    // at all this way): the same work took the host n seconds and the translator more than
    // the whole timeout, so it runs at most that fast.
    const double limit = static_cast<double>(inv.timeout.count()) / 1000.0;
    const double bound = limit > 0 ? (n->fp_seconds + n->int_seconds) / limit : 0;
    SpeedOutcome o{bound, bound, true, true, limit};
    return o;
  }
  auto e = parse_bench(*emulated_out);
  if (!e) return e.error();
  SpeedRatios r = speed_ratios(*n, *e);
  return SpeedOutcome{r.fp, r.integer, slow_risk(r)};
}

}  // namespace platformd
