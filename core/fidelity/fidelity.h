// Fidelity: does a translator compute floating point the way the guest architecture does?
//
// The probe (platforms/probe/) prints a fingerprint, "<category>.<case> <value>" per line; the
// reference (platforms/reference/<arch>.json) holds what the architecture must print and where
// each expected value comes from; the policy (platforms/fidelity-policy.json) says which
// impact classes (fidelity/impact.h) block advertising a platform. judge() compares the three. Everything here is a
// pure function of text and JSON values: the broker reads the files and runs the probe.
// docs/fidelity.md explains the categories and how the references were derived.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "fidelity/fidelity_verdict.h"
#include "fidelity/impact.h"
#include "result.h"

namespace platformd {

// The category of a case: its name up to the first dot ("nan" for "nan.prop.f64.qa_qb").
std::string_view fidelity_category(std::string_view case_name);

// ---- fingerprint ----------------------------------------------------------------------------

struct Fingerprint {
  std::vector<std::pair<std::string, std::string>> cases;  // in the probe's order
  std::map<std::string, std::string, std::less<>> by_name;
};

// Parses `probe fp` output. Every non-empty line is "<name> <value>": the name is lower-case
// letters, digits, '_' and '.', with a category before a dot; the value is printable ASCII
// without spaces. Malformed lines, duplicates and oversized input are errors naming the line.
Result<Fingerprint> parse_fingerprint(std::string_view text);

// ---- reference --------------------------------------------------------------------------------

struct ReferenceCase {
  std::string name;
  std::string value;
  std::string source;  // resolved: the text, not the key into "sources"
};

struct Reference {
  std::string arch;
  int probe_protocol = 1;
  std::vector<ReferenceCase> cases;  // in file order when parsed from text
};

// A reference document: {"arch", "probe_protocol", "sources": {key: text},
// "cases": {name: {"value", "source"}}}. A case's "source" is a key of "sources" or the text
// itself. `origin` names the file in error messages.
Result<Reference> parse_reference(const nlohmann::json& doc, std::string_view origin);
// The same from text; keeps the file's case order (the probe's order).
Result<Reference> parse_reference_text(std::string_view text, std::string_view origin);

// ---- policy -----------------------------------------------------------------------------------

struct FidelityPolicy {
  std::set<ImpactClass> blocking;  // a deviation in these classes blocks the platform
  std::set<ImpactClass> warning;   // reported, never blocks
  bool unknown_blocks = true;      // a category without a class (a newer probe), or a class in
                                   // neither list, blocks
  bool strict = false;             // every deviation blocks

  bool blocks(std::optional<ImpactClass> c) const;
  // The class of `category` on `arch` (impact_of), judged by this policy.
  bool blocks(std::string_view arch, std::string_view category) const { return blocks(impact_of(arch, category)); }
};

// The built-in policy: a deviation in every-program (finite results of ordinary code in the
// default environment) blocks; every other class changes only programs that opt into
// something (long double, NEON, fesetround, flags, fast-math, NaN payloads, x87 trig, libm)
// and warns, naming the class and its first differing case.
FidelityPolicy default_fidelity_policy();

// {"blocking": [class...], "warning": [class...], "unknown_categories": "blocking" |
//  "warning", "strict": false}, with class names as impact_name() spells them. The caller may
// still set `strict` afterwards (platformctl verify --strict). Keys starting with '_' are
// ignored. A class in both lists, or a category name where a class belongs, is an error.
Result<FidelityPolicy> parse_fidelity_policy(const nlohmann::json& doc, std::string_view origin);

// ---- judgement --------------------------------------------------------------------------------

struct CategoryJudgement {
  std::string category;
  std::optional<ImpactClass> impact;  // impact_of(reference arch, category)
  bool exact = true;
  bool blocking = false;         // deviations here block under the policy in force
  std::string first_difference;  // "case: got X, expected Y (source)", empty when exact
  int cases = 0;                 // cases the reference has in this category
  int deviations = 0;            // of which differ or are missing
};

struct FidelityJudgement {
  std::vector<CategoryJudgement> categories;  // canonical category order, then by name
  Fidelity fidelity = Fidelity::blocked;
  int missing = 0;                 // reference cases the probe did not print
  std::vector<std::string> extra;  // probe cases the reference does not know (ignored)

  bool passed() const { return fidelity != Fidelity::blocked; }
};

// Compares a fingerprint with a reference. A case the reference has and the probe did not
// print is a deviation ("missing"); a case the probe printed that the reference lacks is
// listed in `extra` but judged by nothing (an older reference cannot vouch for it).
FidelityJudgement judge(const Fingerprint& fp, const Reference& ref, const FidelityPolicy& policy);

}  // namespace platformd
