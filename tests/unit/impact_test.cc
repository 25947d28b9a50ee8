// Impact classes, the one-line verdict, the speed gates and the translator choice, on plain
// values and on probe outputs recorded from real translators (tests/data/fidelity/, recorded
// on this project's x86_64 machine with QEMU 7.2 and 10.0.2; README there says how).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "boinc/boinc_state.h"
#include "fidelity/candidate_selection.h"
#include "fidelity/fidelity.h"
#include "fidelity/impact.h"
#include "fidelity/probe_output.h"
#include "fidelity/speed_gate.h"

using namespace platformd;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  REQUIRE_MESSAGE(in, "cannot read " << p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

fs::path source(const std::string& rel) {
  return fs::path(PLATFORMD_SOURCE_DIR) / rel;
}

Reference reference(const std::string& arch) {
  auto r = parse_reference_text(slurp(source("platforms/reference/" + arch + ".json")), arch + ".json");
  REQUIRE_MESSAGE(r.ok(), r.error().message);
  return *r;
}

FidelityPolicy committed_policy() {
  auto doc = nlohmann::json::parse(slurp(source("platforms/fidelity-policy.json")));
  auto p = parse_fidelity_policy(doc, "fidelity-policy.json");
  REQUIRE_MESSAGE(p.ok(), p.error().message);
  return *p;
}

bool is_directed(std::string_view name) {
  return name.find(".rtz") != std::string_view::npos || name.find(".up") != std::string_view::npos ||
         name.find(".down") != std::string_view::npos;
}

// A binary32 or binary64 NaN, as the probe prints values (8 or 16 hex digits).
bool is_nan_bits(const std::string& v) {
  if (v.size() != 8 && v.size() != 16) return false;
  if (v.find_first_not_of("0123456789abcdef") != std::string::npos) return false;
  unsigned long long b = std::stoull(v, nullptr, 16);
  if (v.size() == 8) return (b & 0x7f800000ull) == 0x7f800000ull && (b & 0x007fffffull);
  return (b & 0x7ff0000000000000ull) == 0x7ff0000000000000ull && (b & 0x000fffffffffffffull);
}

// A recorded verify of one translator: the fingerprint judged against the committed
// reference and the policy, and the bench ratios of the same run.
VerifyResult recorded(const std::string& arch, const std::string& stem, const FidelityPolicy& policy) {
  const fs::path dir = source("tests/data/fidelity");
  auto f = parse_fingerprint(slurp(dir / (stem + ".fp")));
  REQUIRE_MESSAGE(f.ok(), f.error().message);
  auto j = judge(*f, reference(arch), policy);
  VerifyResult v;
  v.arch = arch;
  v.translator = stem;
  v.runs = true;
  v.fidelity = j.fidelity;
  for (const auto& c : j.categories) v.categories.push_back({c.category, c.exact, c.blocking, c.first_difference});
  auto emulated = parse_bench(slurp(dir / (stem + ".bench")));
  auto native = parse_bench(slurp(dir / "native-x86_64.bench"));
  REQUIRE(emulated.ok());
  REQUIRE(native.ok());
  auto r = speed_ratios(*native, *emulated);
  v.fp_ratio = r.fp;
  v.int_ratio = r.integer;
  v.passed = j.passed();
  return v;
}

const ClassResult* find_class(const std::vector<ClassResult>& cs, ImpactClass c) {
  for (const auto& r : cs)
    if (r.impact == c) return &r;
  return nullptr;
}

}  // namespace

TEST_CASE("impact classes: names round-trip, every category of every arch has one") {
  for (ImpactClass c : kImpactClasses) {
    CHECK(parse_impact_name(impact_name(c)) == c);
    CHECK_FALSE(impact_audience(c).empty());
  }
  CHECK_FALSE(parse_impact_name("nan"));
  CHECK(impact_of("i686", "x87pc") == ImpactClass::every_program);
  CHECK(impact_of("x86_64", "x87pc") == ImpactClass::long_double);
  CHECK(impact_of("x86_64", "nan") == ImpactClass::nan_payloads);
  CHECK(impact_of("armhf", "neon") == ImpactClass::neon_simd);
  CHECK(impact_of("x86_64", "tininess") == ImpactClass::fp_flags);
  CHECK_FALSE(impact_of("x86_64", "future"));
}

// "Make the classes true": a category must not hold cases of different classes. Checked on
// every case of every committed reference by what the case computes: a NaN result can only
// change results that are already NaN; a directed rounding mode only programs that set one; a
// flag only programs that read flags; NEON only vectorised code. The references before this
// check failed it: tininess.mul.f64.rne (a value in fp-flags), neon.vfp.* (scalar VFP code
// in neon-simd).
TEST_CASE("impact classes are true for every case of every reference") {
  int cases = 0;
  for (const auto& entry : fs::directory_iterator(source("platforms/reference"))) {
    if (entry.path().extension() != ".json") continue;
    const std::string arch = entry.path().stem().string();
    for (const auto& c : reference(arch).cases) {
      CAPTURE(arch);
      CAPTURE(c.name);
      ++cases;
      const std::string_view cat = fidelity_category(c.name);
      auto impact = impact_of(arch, cat);
      REQUIRE(impact);
      const bool flags_value = c.value == "none" || c.value.find_first_of("|") != std::string::npos ||
                               c.value == "NV" || c.value == "DZ" || c.value == "OF" || c.value == "UF" ||
                               c.value == "NX";
      switch (*impact) {
        case ImpactClass::every_program:
          CHECK_FALSE(is_directed(c.name));
          CHECK_FALSE(c.name.ends_with(".flags"));
          if (cat != "conversion") CHECK_FALSE(is_nan_bits(c.value));  // conversions print integers
          break;
        case ImpactClass::rounding_modes:
          CHECK(is_directed(c.name));
          CHECK_FALSE(is_nan_bits(c.value));
          CHECK_FALSE(flags_value);
          break;
        case ImpactClass::fp_flags:
          CHECK(flags_value);
          break;
        case ImpactClass::neon_simd:
          CHECK(c.name.find(".simd.") != std::string::npos);
          break;
        case ImpactClass::long_double:
          CHECK(arch == "x86_64");
          break;
        case ImpactClass::x87_transcendentals:
          CHECK((arch == "x86_64" || arch == "i686"));
          break;
        default:
          break;
      }
    }
  }
  CHECK(cases > 2000);
}

TEST_CASE("classes_of and the one-line verdict") {
  std::vector<CategoryResult> cats = {
      {"basic", true, true, ""},
      {"nan", false, false, "nan.prop.f64.qa_qb: got 7ff80000000000b2, expected 7ff80000000000a1 (native)"},
      {"ftz", false, false, "ftz.ftz.round_to_normal.f64: got 0000000000000000, expected 0010000000000000 (native)"},
      {"x87trans", false, false, "x87trans.fsin.one: got a, expected b (native)"},
      {"libm", true, false, ""},
  };
  auto classes = classes_of("x86_64", cats);
  REQUIRE(classes.size() == 5);
  CHECK(classes[0].impact == ImpactClass::every_program);  // report order, not input order
  CHECK(classes[1].impact == ImpactClass::flush_modes);
  CHECK(classes[2].impact == ImpactClass::nan_payloads);
  CHECK(classes[2].first_case == "nan.prop.f64.qa_qb");
  CHECK(verdict_line(classes) ==
        "exact for ordinary FP; differs for: flush-modes (fast-math programs, at the smallest normal; first "
        "ftz.ftz.round_to_normal.f64), nan-payloads (results that are already NaN; first nan.prop.f64.qa_qb), "
        "x87-transcendentals (programs using x87 fsin/fcos/fptan; first x87trans.fsin.one)");

  cats[0] = {"basic", false, true, "basic.add.f64.p0: got 1, expected 2 (ieee)"};
  cats[1].blocking = true;  // --strict, or a policy that blocks nan-payloads
  auto blocked = verdict_line(classes_of("x86_64", cats));
  CHECK(blocked.starts_with("DIFFERS FOR ORDINARY FP, BLOCKS (first basic.add.f64.p0); differs for: "));
  CHECK(blocked.find("nan-payloads BLOCKS (") != std::string::npos);

  CHECK(verdict_line(classes_of("x86_64", {{"basic", true, true, ""}, {"nan", true, false, ""}})) == "exact");
  CHECK(verdict_line({}) == "");
}

TEST_CASE("speed gates: too slow below 2%, at risk below 5%") {
  CHECK(speed_gate(0.015) == SpeedGate::too_slow);
  CHECK(speed_gate(0.02) == SpeedGate::at_risk);
  CHECK(speed_gate(0.049) == SpeedGate::at_risk);
  CHECK(speed_gate(0.05) == SpeedGate::ok);
  CHECK(speed_gate(0) == SpeedGate::ok);  // not measured
  auto refused = speed_gate_text(SpeedGate::too_slow, 0.013, 0.5, false);
  CHECK(refused.starts_with("too slow: 1.3% of native (FP kernel), below 2%"));
  CHECK(refused.ends_with("refused without --allow-slow"));
  CHECK(speed_gate_text(SpeedGate::too_slow, 0.5, 0.013, true).find("(integer kernel)") != std::string::npos);
  CHECK(speed_gate_text(SpeedGate::at_risk, 0.03, 0.5, true).starts_with("slow: 3.0% of native"));
  CHECK(speed_gate_text(SpeedGate::ok, 0.5, 0.5, false).empty());
}

// tests/data/boinc/client_state_task_aarch64.xml was written by a real boinc-client 7.20.5:
// its workunit has rsc_fpops_est 1e12 and rsc_fpops_bound 1e13, a factor of 10.
TEST_CASE("abort risks: a project whose bound allows less than the slowdown is reported") {
  auto s = parse_client_state_file(slurp(source("tests/data/boinc/client_state_task_aarch64.xml")), "client_state.xml");
  REQUIRE_MESSAGE(s.ok(), s.error().message);
  REQUIRE(s->tasks.size() == 1);
  CHECK(s->tasks[0].fpops_est == doctest::Approx(1e12));
  CHECK(s->tasks[0].fpops_bound == doctest::Approx(1e13));
  const std::string aarch64 = "aarch64-unknown-linux-gnu";
  // 7% of native (QEMU's FP kernel here): 14x slower than a 10x bound allows.
  auto risks = abort_risks(s->tasks, aarch64, 0.07);
  REQUIRE(risks.size() == 1);
  CHECK(risks[0].project == s->tasks[0].project);
  CHECK(risks[0].bound_factor == doctest::Approx(10));
  CHECK(risks[0].tasks == 1);
  CHECK(describe(risks[0], 0.07).find("allow 10x the estimate") != std::string::npos);
  CHECK(describe(risks[0], 0.07).find("about 14x slower") != std::string::npos);
  CHECK(abort_risks(s->tasks, aarch64, 0.2).empty());  // 5x fits a 10x bound
  CHECK(abort_risks(s->tasks, "x86_64-pc-linux-gnu", 0.01).empty());
  auto unknown = s->tasks;
  unknown[0].fpops_bound = 0;  // no bound: cannot be judged
  CHECK(abort_risks(unknown, aarch64, 0.01).empty());
}

// Outputs recorded from the real translators (tests/data/fidelity/README). QEMU 7.2 and
// 10.0.2 deviate in the same classes for an x86_64 guest, none of them blocking.
TEST_CASE("recorded qemu runs: x86_64 guest classes under the committed policy") {
  auto policy = committed_policy();
  for (const char* stem : {"qemu-7.2-x86_64", "qemu-10.0.2-x86_64"}) {
    CAPTURE(stem);
    auto v = recorded("x86_64", stem, policy);
    CHECK(v.fidelity == Fidelity::warning);
    CHECK(v.passed);
    auto classes = classes_of("x86_64", v.categories);
    std::vector<std::string> differing;
    for (const auto& c : classes)
      if (!c.exact) differing.push_back(std::string(impact_name(*c.impact)));
    CHECK(differing == std::vector<std::string>{"flush-modes", "nan-payloads", "x87-transcendentals"});
    CHECK(find_class(classes, ImpactClass::flush_modes)->first_case == "ftz.ftz.round_to_normal.f64");
    CHECK(find_class(classes, ImpactClass::nan_payloads)->first_case == "nan.prop.f64.qa_qb");
    CHECK(find_class(classes, ImpactClass::x87_transcendentals)->first_case == "x87trans.fsin.one");
    CHECK(verdict_line(classes).starts_with("exact for ordinary FP; differs for: flush-modes"));
    policy.strict = true;
    CHECK(recorded("x86_64", stem, policy).fidelity == Fidelity::blocked);
    policy.strict = false;
  }
  // i686 under qemu-i386: x87 is i686's FP unit, and it is exact there; the deviations are
  // in nan-payloads and flush-modes, and the x87 trig.
  auto i686 = recorded("i686", "qemu-7.2-i686", policy);
  CHECK(i686.passed);
  CHECK(find_class(classes_of("i686", i686.categories), ImpactClass::every_program)->exact);
  CHECK(speed_gate(std::min(*i686.fp_ratio, *i686.int_ratio)) == SpeedGate::too_slow);
}

TEST_CASE("choice on recorded runs: equal classes, so the faster; a crashing one is no candidate") {
  auto policy = committed_policy();
  std::vector<CandidateRun> cands(3);
  cands[0].name = "qemu-user-static";
  cands[0].path = "/usr/bin/qemu-x86_64-static";
  cands[0].result = recorded("x86_64", "qemu-7.2-x86_64", policy);
  cands[1].name = "qemu-user";
  cands[1].path = "/usr/bin/qemu-x86_64";
  cands[1].result = recorded("x86_64", "qemu-10.0.2-x86_64", policy);
  // The static probe under box64 0.3.4 (shared/REFERENCE.md section 6): it does not run.
  cands[2].name = "box64";
  cands[2].path = "/usr/bin/box64";
  cands[2].result.arch = "x86_64";
  cands[2].result.run_detail = "the x86_64 probe exited with status 128: \"CALL to 0x0\"";
  for (auto& c : cands) summarize(c, "x86_64");
  CHECK(cands[0].deviating == 3);
  CHECK(cands[0].blocking == 0);
  CHECK(cands[1].deviating == 3);
  CHECK(cands[2].problem.starts_with("static x86_64 programs fail: "));
  auto ch = select_candidate(cands);
  REQUIRE(ch.index >= 0);
  // Equal classes: the speed of the same run decides (whichever was faster when recorded).
  const double s0 = combined_speed(*cands[0].result.fp_ratio, *cands[0].result.int_ratio);
  const double s1 = combined_speed(*cands[1].result.fp_ratio, *cands[1].result.int_ratio);
  CHECK(ch.index == (s1 > s0 ? 1 : 0));
  CHECK(ch.why.find("as many deviating classes") != std::string::npos);
  CHECK(ch.why.find("box64") == std::string::npos);  // not a candidate, not "beaten"
  CHECK(candidate_line(cands[2]).find("box64 (/usr/bin/box64): not a candidate: static x86_64 programs fail") == 0);

  // Fewer deviating classes beat speed: drop the x87 trig deviation from the slower one.
  int slower = ch.index == 0 ? 1 : 0;
  for (auto& c : cands[slower].result.categories)
    if (c.category == "x87trans") c = {c.category, true, c.blocking, ""};
  summarize(cands[slower], "x86_64");
  CHECK(cands[slower].deviating == 2);
  auto ch2 = select_candidate(cands);
  CHECK(ch2.index == slower);
  CHECK(ch2.why.find("3 deviating class(es) against 2") != std::string::npos);

  // Blocking classes first: a candidate that blocks loses to one with more warnings.
  for (auto& c : cands[slower].result.categories)
    if (c.category == "basic") c = {c.category, false, true, "basic.add.f64.p0: got 1, expected 2 (native)"};
  summarize(cands[slower], "x86_64");
  CHECK(cands[slower].blocking == 1);
  CHECK(select_candidate(cands).index == (slower == 0 ? 1 : 0));

  // A dynamic probe that fails removes a candidate too.
  cands[0].dynamic.tested = true;
  cands[0].dynamic.runs = false;
  cands[0].dynamic.detail = "dynamically linked x86_64 programs fail: the probe was killed by signal 11";
  cands[0].problem.clear();
  summarize(cands[0], "x86_64");
  CHECK(cands[0].problem == cands[0].dynamic.detail);
}
