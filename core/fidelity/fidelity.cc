// Fidelity parsing and judging. See fidelity.h and docs/fidelity.md.
#include "fidelity/fidelity.h"

#include <algorithm>
#include <array>

#include "exit_codes.h"
#include "json_number.h"
#include "untrusted_text.h"

namespace platformd {

namespace {

// Bounds on probe output: the probe is a foreign binary run under a translator we are testing,
// so its output is untrusted. The real fingerprint has a few hundred short lines.
constexpr std::size_t kMaxFingerprintBytes = 1 << 20;
constexpr std::size_t kMaxLine = 256;

// The order categories are reported in: IEEE basics first, then the architecture-specific
// ones, then the warning-only ones.
constexpr std::array<std::string_view, 12> kCategoryOrder = {"basic",     "rounding", "flags",      "tininess",
                                                             "subnormal", "nan",      "conversion", "ftz",
                                                             "neon",      "x87pc",    "x87trans",   "libm"};

bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
}
bool value_char(char c) {
  return c > ' ' && c < 127;
}

// Why `name value` cannot be a fingerprint line, or "" when it can. The fingerprint parser
// applies it to what the probe printed and the reference parser to every case it expects:
// a reference case the probe could never print would fail that platform on every machine.
std::string_view case_problem(std::string_view name, std::string_view value) {
  if (name.empty() || !std::all_of(name.begin(), name.end(), name_char))
    return "case name has characters other than a-z 0-9 _ .";
  if (name.find('.') == std::string_view::npos || name.front() == '.') return "case name has no category";
  if (value.empty() || !std::all_of(value.begin(), value.end(), value_char))
    return "value is empty or has spaces or control characters";
  if (name.size() + 1 + value.size() > kMaxLine) return "line too long";
  return {};
}

std::size_t category_rank(std::string_view c) {
  auto it = std::find(kCategoryOrder.begin(), kCategoryOrder.end(), c);
  return static_cast<std::size_t>(it - kCategoryOrder.begin());
}

template <typename Json>
Result<Reference> reference_from(const Json& doc, std::string_view origin) {
  auto bad = [&](std::string_view what) { return fail(exit_code::bad_config, "{}: {}", origin, what); };
  if (!doc.is_object()) return bad("not a JSON object");
  Reference ref;
  auto arch = doc.find("arch");
  if (arch == doc.end() || !arch->is_string() || arch->template get<std::string>().empty())
    return bad("\"arch\" must be a non-empty string");
  ref.arch = arch->template get<std::string>();
  if (auto p = doc.find("probe_protocol"); p != doc.end()) {
    auto protocol = json_integer(*p, origin, "\"probe_protocol\"", 0, 1'000'000);
    if (!protocol) return protocol.error();
    ref.probe_protocol = static_cast<int>(*protocol);
  }
  std::map<std::string, std::string, std::less<>> sources;
  if (auto s = doc.find("sources"); s != doc.end()) {
    if (!s->is_object()) return bad("\"sources\" must be an object");
    for (auto it = s->begin(); it != s->end(); ++it) {
      if (!it.value().is_string()) return bad(fmt::format("source \"{}\" must be a string", quote_untrusted(it.key())));
      sources[it.key()] = it.value().template get<std::string>();
    }
  }
  auto cases = doc.find("cases");
  if (cases == doc.end() || !cases->is_object() || cases->empty()) return bad("\"cases\" must be a non-empty object");
  for (auto it = cases->begin(); it != cases->end(); ++it) {
    const std::string& name = it.key();
    const auto& c = it.value();
    if (!c.is_object()) return bad(fmt::format("case \"{}\" is not an object", quote_untrusted(name)));
    auto v = c.find("value");
    auto src = c.find("source");
    if (v == c.end() || !v->is_string() || src == c.end() || !src->is_string())
      return bad(fmt::format("case \"{}\" needs string \"value\" and \"source\"", quote_untrusted(name)));
    std::string value = v->template get<std::string>();
    if (auto why = case_problem(name, value); !why.empty())
      return bad(fmt::format("case \"{}\" with value \"{}\" is not a line the probe can print ({})",
                             quote_untrusted(name), quote_untrusted(value), why));
    std::string source = src->template get<std::string>();
    if (auto known = sources.find(source); known != sources.end()) source = known->second;
    ref.cases.push_back({name, std::move(value), std::move(source)});
  }
  return ref;
}

}  // namespace

std::string_view fidelity_category(std::string_view case_name) {
  return case_name.substr(0, case_name.find('.'));
}

Result<Fingerprint> parse_fingerprint(std::string_view text) {
  if (text.size() > kMaxFingerprintBytes)
    return fail(exit_code::verify_failed, "probe output is {} bytes, more than the {} a fingerprint can be",
                text.size(), kMaxFingerprintBytes);
  Fingerprint fp;
  std::size_t line_no = 0;
  for (std::string_view line : split_lines(text)) {
    ++line_no;
    if (line.empty()) continue;
    auto bad = [&](std::string_view why) {
      return fail(exit_code::verify_failed, "probe output line {}: {}: \"{}\"", line_no, why, quote_untrusted(line));
    };
    if (line.size() > kMaxLine) return bad("line too long");
    std::size_t sp = line.find(' ');
    if (sp == std::string_view::npos) return bad("expected \"<category>.<case> <value>\"");
    std::string_view name = line.substr(0, sp), value = line.substr(sp + 1);
    if (auto why = case_problem(name, value); !why.empty()) return bad(why);
    auto [it, fresh] = fp.by_name.emplace(std::string(name), std::string(value));
    if (!fresh) return bad("duplicate case");
    fp.cases.emplace_back(name, value);
  }
  if (fp.cases.empty()) return fail(exit_code::verify_failed, "probe printed no fingerprint");
  return fp;
}

Result<Reference> parse_reference(const nlohmann::json& doc, std::string_view origin) {
  return reference_from(doc, origin);
}

Result<Reference> parse_reference_text(std::string_view text, std::string_view origin) {
  auto doc = nlohmann::ordered_json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return fail(exit_code::bad_config, "{}: not valid JSON", origin);
  return reference_from(doc, origin);
}

bool FidelityPolicy::blocks(std::optional<ImpactClass> c) const {
  if (strict) return true;
  if (c && blocking.count(*c)) return true;
  if (c && warning.count(*c)) return false;
  return unknown_blocks;
}

FidelityPolicy default_fidelity_policy() {
  FidelityPolicy p;
  for (ImpactClass c : kImpactClasses) (c == ImpactClass::every_program ? p.blocking : p.warning).insert(c);
  return p;
}

Result<FidelityPolicy> parse_fidelity_policy(const nlohmann::json& doc, std::string_view origin) {
  auto bad = [&](std::string_view what) { return fail(exit_code::bad_config, "{}: {}", origin, what); };
  if (!doc.is_object()) return bad("not a JSON object");
  // Unknown keys are errors so that a typo ("blockng") cannot silently fall back to defaults;
  // keys starting with '_' are comments and documentation.
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    static const std::set<std::string, std::less<>> known = {"blocking", "warning", "unknown_categories", "strict"};
    if (!it.key().starts_with('_') && !known.count(it.key())) return bad(fmt::format("unknown key \"{}\"", it.key()));
  }
  std::string all;
  for (ImpactClass c : kImpactClasses) all += fmt::format("{}{}", all.empty() ? "" : ", ", impact_name(c));
  FidelityPolicy p;
  for (auto [key, set] : {std::pair{"blocking", &p.blocking}, std::pair{"warning", &p.warning}}) {
    auto list = doc.find(key);
    if (list == doc.end()) return bad(fmt::format("\"{}\" is missing", key));
    if (!list->is_array()) return bad(fmt::format("\"{}\" must be a list of impact classes", key));
    for (const auto& c : *list) {
      std::string name = c.is_string() ? c.get<std::string>() : std::string();
      auto impact = parse_impact_name(name);
      // A policy written for categories ("nan") would otherwise fail with a bare "unknown":
      // say what it is and what belongs there.
      if (!impact && impact_of("x86_64", name))
        return bad(
            fmt::format("\"{}\" in \"{}\" is a probe category; the policy names impact classes ({}); it "
                        "belongs to {}",
                        quote_untrusted(name), key, all, impact_name(*impact_of("x86_64", name))));
      if (!impact)
        return bad(
            fmt::format("\"{}\" holds \"{}\", which is not an impact class ({})", key, quote_untrusted(name), all));
      set->insert(*impact);
    }
  }
  for (ImpactClass c : p.blocking)
    if (p.warning.count(c)) return bad(fmt::format("class \"{}\" is both blocking and warning", impact_name(c)));
  if (auto u = doc.find("unknown_categories"); u != doc.end()) {
    if (*u == "blocking")
      p.unknown_blocks = true;
    else if (*u == "warning")
      p.unknown_blocks = false;
    else
      return bad("\"unknown_categories\" must be \"blocking\" or \"warning\"");
  }
  if (auto st = doc.find("strict"); st != doc.end()) {
    if (!st->is_boolean()) return bad("\"strict\" must be true or false");
    p.strict = st->get<bool>();
  }
  return p;
}

FidelityJudgement judge(const Fingerprint& fp, const Reference& ref, const FidelityPolicy& policy) {
  FidelityJudgement j;
  std::map<std::string, CategoryJudgement, std::less<>> cats;
  std::set<std::string_view> known;
  for (const auto& c : ref.cases) {
    known.insert(c.name);
    std::string_view cat = fidelity_category(c.name);
    auto [it, fresh] = cats.try_emplace(std::string(cat));
    CategoryJudgement& v = it->second;
    if (fresh) {
      v.category = cat;
      v.impact = impact_of(ref.arch, cat);
      v.blocking = policy.blocks(v.impact);
    }
    ++v.cases;
    auto got = fp.by_name.find(c.name);
    bool missing = got == fp.by_name.end();
    if (!missing && got->second == c.value) continue;
    j.missing += missing ? 1 : 0;
    ++v.deviations;
    v.exact = false;
    if (v.first_difference.empty())
      v.first_difference = fmt::format("{}: got {}, expected {} ({})", c.name,
                                       missing ? "nothing (missing)" : got->second, c.value, c.source);
  }
  for (const auto& [name, value] : fp.cases)
    if (!known.count(name)) j.extra.push_back(name);

  for (auto& [name, v] : cats) j.categories.push_back(std::move(v));
  std::stable_sort(j.categories.begin(), j.categories.end(),
                   [](const auto& a, const auto& b) { return category_rank(a.category) < category_rank(b.category); });
  bool blocked = false, deviated = false;
  for (const auto& v : j.categories) {
    deviated |= !v.exact;
    blocked |= !v.exact && v.blocking;
  }
  j.fidelity = blocked ? Fidelity::blocked : deviated ? Fidelity::warning : Fidelity::exact;
  return j;
}

std::string_view to_string(Fidelity f) {
  switch (f) {
    case Fidelity::exact:
      return "exact";
    case Fidelity::warning:
      return "warning";
    case Fidelity::blocked:
      return "blocked";
    case Fidelity::native:
      return "native";
    case Fidelity::unverified:
      break;
  }
  return "";
}

std::optional<Fidelity> fidelity_from(std::string_view s) {
  for (auto f : {Fidelity::unverified, Fidelity::exact, Fidelity::warning, Fidelity::blocked, Fidelity::native})
    if (to_string(f) == s) return f;
  return std::nullopt;
}

}  // namespace platformd
