// Impact classes and the one-line verdict. See impact.h and docs/fidelity.md.
#include "fidelity/impact.h"

#include <algorithm>

#include <fmt/format.h>

namespace platformd {

namespace {

struct ClassInfo {
  ImpactClass impact;
  std::string_view name;
  std::string_view audience;
};

constexpr ClassInfo kInfo[] = {
    {ImpactClass::every_program, "every-program", "ordinary FP"},
    {ImpactClass::long_double, "long-double", "long double programs"},
    {ImpactClass::neon_simd, "neon-simd", "NEON-vectorised programs"},
    {ImpactClass::rounding_modes, "rounding-modes", "programs that call fesetround"},
    {ImpactClass::fp_flags, "fp-flags", "programs that read FP exception flags"},
    {ImpactClass::flush_modes, "flush-modes", "fast-math programs"},
    {ImpactClass::nan_payloads, "nan-payloads", "results that are already NaN"},
    {ImpactClass::x87_transcendentals, "x87-transcendentals", "programs using x87 fsin/fcos/fptan"},
    {ImpactClass::libm, "libm", "programs calling libm (exp, log, pow, sin...)"},
};

const ClassInfo& info(ImpactClass c) {
  return *std::find_if(std::begin(kInfo), std::end(kInfo), [c](const ClassInfo& i) { return i.impact == c; });
}

std::size_t rank(const std::optional<ImpactClass>& c) {
  if (!c) return kImpactClasses.size();
  return static_cast<std::size_t>(std::find(kImpactClasses.begin(), kImpactClasses.end(), *c) - kImpactClasses.begin());
}

// Where in the range a flush deviation shows, for the verdict line: the cases name their
// operands (platforms/probe/cases.c), and "at the smallest normal" tells a reader more than
// the case name does.
std::string_view where(std::string_view case_name) {
  if (case_name.find("round_to_normal") != std::string_view::npos) return "at the smallest normal";
  if (case_name.find("sub_in") != std::string_view::npos) return "on subnormal inputs";
  if (case_name.find("tiny_out") != std::string_view::npos) return "on tiny results";
  return {};
}

}  // namespace

std::string_view impact_name(ImpactClass c) {
  return info(c).name;
}

std::string_view impact_audience(ImpactClass c) {
  return info(c).audience;
}

std::optional<ImpactClass> parse_impact_name(std::string_view name) {
  for (const auto& i : kInfo)
    if (i.name == name) return i.impact;
  return std::nullopt;
}

std::optional<ImpactClass> impact_of(std::string_view arch, std::string_view category) {
  // Each category computes one kind of thing, so one class fits all its cases; the probe's
  // case names were chosen for that (docs/fidelity.md "Impact classes"), and the unit test
  // checks every committed reference against this table.
  if (category == "basic" || category == "subnormal" || category == "conversion") return ImpactClass::every_program;
  if (category == "x87pc") return arch == "i686" ? ImpactClass::every_program : ImpactClass::long_double;
  if (category == "rounding") return ImpactClass::rounding_modes;
  if (category == "flags" || category == "tininess") return ImpactClass::fp_flags;
  if (category == "ftz") return ImpactClass::flush_modes;
  if (category == "neon") return ImpactClass::neon_simd;
  if (category == "nan") return ImpactClass::nan_payloads;
  if (category == "x87trans") return ImpactClass::x87_transcendentals;
  if (category == "libm") return ImpactClass::libm;
  return std::nullopt;
}

std::vector<ClassResult> classes_of(std::string_view arch, const std::vector<CategoryResult>& categories) {
  std::vector<ClassResult> out;
  for (const auto& c : categories) {
    auto impact = impact_of(arch, c.category);
    auto it = std::find_if(out.begin(), out.end(), [&](const ClassResult& r) { return r.impact == impact; });
    if (it == out.end()) {
      out.push_back({impact, true, false, "", "", {}});
      it = out.end() - 1;
    }
    it->categories.push_back(c.category);
    it->blocking = it->blocking || c.blocking;
    if (!c.exact && it->exact) {
      it->exact = false;
      it->first_difference = c.first_difference;
      it->first_case = c.first_difference.substr(0, c.first_difference.find(':'));
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const ClassResult& a, const ClassResult& b) { return rank(a.impact) < rank(b.impact); });
  return out;
}

std::string verdict_line(const std::vector<ClassResult>& classes) {
  if (classes.empty()) return "";
  std::string head;
  std::vector<std::string> differs;
  bool any_deviation = false;
  for (const auto& c : classes) {
    any_deviation |= !c.exact;
    if (c.impact == ImpactClass::every_program) {
      head = c.exact ? "exact for ordinary FP"
                     : fmt::format("DIFFERS FOR ORDINARY FP{} (first {})", c.blocking ? ", BLOCKS" : "", c.first_case);
      continue;
    }
    if (c.exact) continue;
    std::string name =
        c.impact ? std::string(impact_name(*c.impact)) : fmt::format("unclassified {}", fmt::join(c.categories, "/"));
    std::string detail = c.impact ? std::string(impact_audience(*c.impact)) : std::string("a newer probe's cases");
    if (auto w = where(c.first_case); !w.empty()) detail += fmt::format(", {}", w);
    differs.push_back(fmt::format("{}{} ({}; first {})", name, c.blocking ? " BLOCKS" : "", detail, c.first_case));
  }
  if (!any_deviation) return "exact";
  if (head.empty()) head = "exact for ordinary FP";
  if (differs.empty()) return head;
  return fmt::format("{}; differs for: {}", head, fmt::join(differs, ", "));
}

}  // namespace platformd
