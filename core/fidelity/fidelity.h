// Fidelity: does a translator compute floating point the way the guest architecture does?
//
// The probe (platforms/probe/) prints a fingerprint, "<category>.<case> <value>" per line; the
// reference (platforms/reference/<arch>.json) holds what the architecture must print and where
// each expected value comes from; the policy (platforms/fidelity-policy.json) says which
// categories block advertising a platform. judge() compares the three. Everything here is a
// pure function of text and JSON values: the broker reads the files and runs the probe.
// docs/fidelity.md explains the categories and how the references were derived.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

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
  std::set<std::string, std::less<>> blocking;  // a deviation here blocks the platform
  std::set<std::string, std::less<>> warning;   // reported, never blocks
  bool unknown_blocks = true;                   // a category in neither list (a newer probe) blocks
  bool strict = false;                          // every deviation blocks

  bool blocks(std::string_view category) const;
};

// The built-in policy: the IEEE-mandated and architecture-specified categories block
// (basic, rounding, flags, tininess, subnormal, ftz, nan, conversion, x87pc, neon); x87
// transcendentals and libm, which no standard pins to the bit, only warn.
FidelityPolicy default_fidelity_policy();

// {"blocking": [...], "warning": [...], "unknown_categories": "blocking" | "warning",
//  "strict": false}. The caller may still set `strict` afterwards (platformctl verify --strict).
// Keys starting with '_' and documentation keys are ignored. A category in both lists is an
// error.
Result<FidelityPolicy> parse_fidelity_policy(const nlohmann::json& doc, std::string_view origin);

// ---- judgement --------------------------------------------------------------------------------

struct CategoryVerdict {
  std::string category;
  bool exact = true;
  bool blocking = false;         // deviations here block under the policy in force
  std::string first_difference;  // "case: got X, expected Y (source)", empty when exact
  int cases = 0;                 // cases the reference has in this category
  int deviations = 0;            // of which differ or are missing
};

struct FidelityJudgement {
  std::vector<CategoryVerdict> categories;  // canonical category order, then by name
  std::string verdict;                      // "exact" | "warning" | "blocked"
  int missing = 0;                          // reference cases the probe did not print
  std::vector<std::string> extra;           // probe cases the reference does not know (ignored)

  bool passed() const { return verdict != "blocked"; }
};

// Compares a fingerprint with a reference. A case the reference has and the probe did not
// print is a deviation ("missing"); a case the probe printed that the reference lacks is
// listed in `extra` but judged by nothing (an older reference cannot vouch for it).
FidelityJudgement judge(const Fingerprint& fp, const Reference& ref, const FidelityPolicy& policy);

}  // namespace platformd
