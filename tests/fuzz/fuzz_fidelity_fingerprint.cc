// Fuzz target: parse_fingerprint and judge (core/fidelity/fidelity.h). The fingerprint is `probe fp`
// output from a foreign binary under the translator being tested: untrusted.
//
// Input: the probe's output.
//
// Invariants, when it parses:
//  - names and values hold only the allowed characters, names have a category, no duplicates,
//    and `cases` and `by_name` agree;
//  - printing the cases back as "<name> <value>" lines parses to the same fingerprint;
//  - judged against a reference made of its own cases, every category is exact and the verdict
//    is "exact", with nothing missing or extra, under the default and the strict policy;
//  - judged against a real reference (aarch64, a few cases), the counts add up and the verdict
//    follows from the categories.
#include <algorithm>

#include "fidelity/fidelity.h"
#include "fuzz_util.h"

using namespace platformd;
using platformd_fuzz::shown;

namespace {

const Reference& small_reference() {
  static const Reference ref = [] {
    auto r = parse_reference_text(R"({"arch": "aarch64", "probe_protocol": 1,
      "sources": {"ieee": "IEEE 754"},
      "cases": {"basic.add.f32.p0": {"value": "3f800000", "source": "ieee"},
                "nan.prop.f64.qa_qb": {"value": "7ff8000000000001", "source": "ieee"},
                "libm.sin.f64.p0": {"value": "3fead", "source": "observed"},
                "future.thing.x": {"value": "1", "source": "ieee"}}})",
                                  "reference/aarch64.json");
    if (!r) std::abort();
    return *r;
  }();
  return ref;
}

void check_judgement(const FidelityJudgement& j, const Reference& ref) {
  int cases = 0, devs = 0;
  bool blocked = false, deviated = false;
  for (const auto& c : j.categories) {
    FUZZ_CHECK(c.deviations <= c.cases && c.cases > 0, "category {}: {} deviations of {} cases", c.category,
               c.deviations, c.cases);
    FUZZ_CHECK(c.exact == (c.deviations == 0), "category {}: exact={} with {} deviations", c.category, c.exact,
               c.deviations);
    FUZZ_CHECK(c.exact == c.first_difference.empty(), "category {}: first_difference inconsistent", c.category);
    cases += c.cases;
    devs += c.deviations;
    blocked |= !c.exact && c.blocking;
    deviated |= !c.exact;
  }
  FUZZ_CHECK(cases == static_cast<int>(ref.cases.size()), "categories count {} cases, the reference has {}", cases,
             ref.cases.size());
  FUZZ_CHECK(j.missing <= devs, "{} missing but only {} deviations", j.missing, devs);
  FUZZ_CHECK(j.fidelity == (blocked    ? Fidelity::blocked
                            : deviated ? Fidelity::warning
                                       : Fidelity::exact),
             "fidelity {} does not follow", j.fidelity);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto fp = parse_fingerprint(platformd_fuzz::as_text(data, size));
  check_judgement(judge(fp ? *fp : Fingerprint{}, small_reference(), default_fidelity_policy()), small_reference());
  if (!fp) return 0;

  FUZZ_CHECK(fp->cases.size() == fp->by_name.size(), "cases and by_name differ in size");
  std::string printed;
  Reference self;
  self.arch = "self";
  for (const auto& [name, value] : fp->cases) {
    FUZZ_CHECK(fp->by_name.at(name) == value, "by_name disagrees for {}", shown(name));
    FUZZ_CHECK(name.find('.') != std::string::npos && name.front() != '.', "case {} has no category", shown(name));
    FUZZ_CHECK(!value.empty() && std::all_of(value.begin(), value.end(), [](char c) { return c > ' ' && c < 127; }),
               "value \"{}\" has forbidden bytes", shown(value));
    printed += name + " " + value + "\n";
    self.cases.push_back({name, value, "self"});
  }
  auto again = parse_fingerprint(printed);
  FUZZ_CHECK(again.ok() && again->cases == fp->cases, "printed fingerprint does not parse back the same");

  FidelityPolicy strict = default_fidelity_policy();
  strict.strict = true;
  for (const FidelityPolicy& policy : {default_fidelity_policy(), strict}) {
    auto j = judge(*fp, self, policy);
    check_judgement(j, self);
    FUZZ_CHECK(j.fidelity == Fidelity::exact && j.missing == 0 && j.extra.empty(),
               "a fingerprint judged against itself is {} (missing {}, extra {})", j.fidelity, j.missing,
               j.extra.size());
  }
  return 0;
}
