// Fuzz target: the binfmt_misc register line (core/binfmt/binfmt_rule.h).
//
// Input: text. The whole input is parsed as one register line (what a write to
// /proc/sys/fs/binfmt_misc/register carries); its first line and the rest are also parsed as
// two separate lines, to compare two rules.
//
// Invariants, for every line that parses:
//  - the rule validates, build_register_line succeeds, and its line parses back to an equal
//    rule (the round trip platformd relies on when it registers what it computed);
//  - a rule overlaps itself, and a magic rule matches the header made of its own magic;
// and for every pair of parsed rules:
//  - rules_overlap is symmetric;
//  - for two magic rules, rules_overlap says true exactly when some header matches both
//    (checked against a witness header built from the two magics and masks).
#include <algorithm>

#include "binfmt/binfmt_rule.h"
#include "fuzz_util.h"

using namespace platformd;
using platformd_fuzz::shown;

namespace {

std::uint8_t mask_at(const BinfmtRule& r, std::size_t i) {
  return r.mask.empty() ? 0xff : r.mask[i];
}

void check_one(const BinfmtRule& r) {
  FUZZ_CHECK(validate_rule(r).ok(), "parsed rule does not validate: {}: {}", shown(r),
             validate_rule(r).error().message);
  auto line = build_register_line(r);
  FUZZ_CHECK(line.ok(), "parsed rule {} cannot be built back: {}", shown(r), line.error().message);
  auto again = parse_register_line(*line);
  FUZZ_CHECK(again.ok(), "built line \"{}\" does not parse: {}", shown(*line), again.error().message);
  FUZZ_CHECK(platformd_fuzz::same_rule(r, *again, false),
             "round trip changed the rule:\n  parsed  {}\n  rebuilt {}\n  via \"{}\"", shown(r), shown(*again),
             shown(*line));
  FUZZ_CHECK(rules_overlap(r, r), "rule does not overlap itself: {}", shown(r));
  if (r.type == 'M') {
    Bytes header(r.offset + r.magic.size(), 0);
    std::copy(r.magic.begin(), r.magic.end(), header.begin() + r.offset);
    FUZZ_CHECK(rule_matches(r, header), "rule does not match its own magic: {}", shown(r));
  }
}

void check_pair(const BinfmtRule& a, const BinfmtRule& b) {
  const bool ab = rules_overlap(a, b), ba = rules_overlap(b, a);
  FUZZ_CHECK(ab == ba, "rules_overlap not symmetric ({} vs {}):\n  a {}\n  b {}", ab, ba, shown(a), shown(b));
  if (a.type == 'E' && b.type == 'E')
    FUZZ_CHECK(ab == (a.magic == b.magic), "extension rules overlap iff equal:\n  a {}\n  b {}", shown(a), shown(b));
  if (a.type != 'M' || b.type != 'M') return;
  // Witness: a's bits where a's mask selects, b's bits where only b's mask selects. A header
  // matching both exists iff this one does (on bits both select, the magics must agree).
  std::size_t len = std::max(a.offset + a.magic.size(), b.offset + b.magic.size());
  Bytes h(len, 0);
  for (std::size_t i = 0; i < b.magic.size(); ++i) h[b.offset + i] = b.magic[i] & mask_at(b, i);
  for (std::size_t i = 0; i < a.magic.size(); ++i) {
    std::uint8_t m = mask_at(a, i);
    h[a.offset + i] = static_cast<std::uint8_t>((h[a.offset + i] & ~m) | (a.magic[i] & m));
  }
  const bool both = rule_matches(a, h) && rule_matches(b, h);
  FUZZ_CHECK(ab == both, "rules_overlap says {} but a common header {} (witness {}):\n  a {}\n  b {}", ab,
             both ? "exists" : "does not exist", to_hex(h), shown(a), shown(b));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in = platformd_fuzz::as_text(data, size);
  auto whole = parse_register_line(in);
  if (whole) check_one(*whole);

  auto nl = in.find('\n');
  if (nl == std::string_view::npos) return 0;
  auto a = parse_register_line(in.substr(0, nl));
  auto b = parse_register_line(in.substr(nl + 1));
  if (a) check_one(*a);
  if (b) check_one(*b);
  if (a && b) check_pair(*a, *b);
  if (a && whole) check_pair(*a, *whole);
  return 0;
}
