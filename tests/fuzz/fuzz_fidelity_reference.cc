// Fuzz target: parse_reference_text and parse_fidelity_policy (core/fidelity/fidelity.h), the files
// platforms/reference/<arch>.json and platforms/fidelity-policy.json.
//
// Input: JSON text, given to both parsers.
//
// Invariants:
//  - a parsed reference has an arch and cases with valid names and values, and the probe
//    output that prints exactly those cases parses (parse_fingerprint) and is judged "exact"
//    against it: a reference must describe output a probe can actually print, or its platform
//    could never pass;
//  - a parsed policy has no impact class in both lists, and blocks() follows its lists.
#include <algorithm>

#include "fidelity/fidelity.h"
#include "fuzz_util.h"

using namespace platformd;
using platformd_fuzz::shown;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in = platformd_fuzz::as_text(data, size);

  auto ref = parse_reference_text(in, "reference/fuzz.json");
  if (ref) {
    FUZZ_CHECK(!ref->arch.empty() && !ref->cases.empty(), "reference without arch or cases");
    std::string printed;
    for (const auto& c : ref->cases) printed += c.name + " " + c.value + "\n";
    auto fp = parse_fingerprint(printed);
    FUZZ_CHECK(fp.ok(), "the probe output a reference expects is not a valid fingerprint: {}", fp.error().message);
    auto j = judge(*fp, *ref, default_fidelity_policy());
    FUZZ_CHECK(j.fidelity == Fidelity::exact, "a reference judged against its own output is {}", j.fidelity);
  }

  auto doc = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return 0;
  auto pol = parse_fidelity_policy(doc, "fidelity-policy.json");
  if (!pol) return 0;
  for (ImpactClass c : pol->blocking) {
    FUZZ_CHECK(!pol->warning.count(c), "class {} both blocking and warning", impact_name(c));
    FUZZ_CHECK(pol->blocks(c), "blocking class {} does not block", impact_name(c));
  }
  for (ImpactClass c : pol->warning)
    FUZZ_CHECK(pol->blocks(c) == pol->strict, "warning class {} blocks", impact_name(c));
  FUZZ_CHECK(pol->blocks("x86_64", "zz_unknown_category") == (pol->unknown_blocks || pol->strict),
             "unknown category handling inconsistent");
  return 0;
}
