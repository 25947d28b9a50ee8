// Fuzz target: parse_state / serialize_state (STATE_DIR/state.json).
//
// Input: the state file's text.
//
// Invariants, when it parses: `enabled` is sorted and unique; serialize_state does not throw;
// its output parses back to an equal state, and serialising that gives the same text (the
// daemon rewrites this file on every change, so a value that does not survive the round trip
// would be lost or, worse, make the next start-up fail).
#include <algorithm>

#include "fuzz_util.h"
#include "state.h"

using namespace platformd;
using platformd_fuzz::shown;

namespace {

bool same(const VerifyRecord& a, const VerifyRecord& b) {
  return a.translator_identity == b.translator_identity && a.fidelity == b.fidelity && a.passed == b.passed &&
         a.reason == b.reason && a.fp_ratio == b.fp_ratio && a.int_ratio == b.int_ratio;
}

bool same(const State& a, const State& b) {
  if (a.version != b.version || a.enabled != b.enabled || a.owned_alt_platforms != b.owned_alt_platforms ||
      a.host.kernel != b.host.kernel || a.host.native_compat != b.host.native_compat ||
      a.verified.size() != b.verified.size())
    return false;
  for (auto i = a.verified.begin(), j = b.verified.begin(); i != a.verified.end(); ++i, ++j)
    if (i->first != j->first || !same(i->second, j->second)) return false;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto s = parse_state(platformd_fuzz::as_text(data, size), "state.json");
  if (!s) return 0;
  FUZZ_CHECK(std::is_sorted(s->enabled.begin(), s->enabled.end()) &&
                 std::adjacent_find(s->enabled.begin(), s->enabled.end()) == s->enabled.end(),
             "enabled is not sorted and unique");
  std::string text;
  try {
    text = serialize_state(*s);
  } catch (const std::exception& e) {
    FUZZ_CHECK(false, "serialize_state threw on a state parse_state accepted: {}", e.what());
  }
  auto back = parse_state(text, "state.json");
  FUZZ_CHECK(back.ok(), "serialized state does not parse: {}\n  text \"{}\"", back.error().message, shown(text));
  FUZZ_CHECK(same(*s, *back), "state changed in the round trip\n  text \"{}\"", shown(text));
  FUZZ_CHECK(serialize_state(*back) == text, "serialising twice gives different text");
  return 0;
}
