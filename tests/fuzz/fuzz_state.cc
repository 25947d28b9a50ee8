// Fuzz target: parse_state / serialize_state (STATE_DIR/state.json). The daemon rewrites this
// file after every change and reads it at every start: a state it writes but cannot read back
// is a lost choice (and lost ownership of cc_config.xml entries) at the next start.
//
// The input is used twice:
//  1. as the file's text: when it parses, `enabled` is sorted and unique, serialize_state does
//     not throw, and its output parses back to an equal state and serialises to the same text;
//  2. as raw material for a State built directly (strings of any bytes, ratios of any bit
//     pattern: what the broker may record from a foreign entry's interpreter path or a probe's
//     benchmark): serialize_state must not throw and its output must parse; where the values
//     are valid UTF-8 and finite numbers, the round trip must be exact.
#include <algorithm>
#include <cmath>
#include <cstring>

#include <fuzzer/FuzzedDataProvider.h>

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
      a.host.undetermined != b.host.undetermined || a.withdrawing != b.withdrawing ||
      a.verified.size() != b.verified.size())
    return false;
  for (auto i = a.verified.begin(), j = b.verified.begin(); i != a.verified.end(); ++i, ++j)
    if (i->first != j->first || !same(i->second, j->second)) return false;
  return true;
}

bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;  // continuation bytes
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c >> 5) == 0x6) {
      n = 1, cp = c & 0x1f;
    } else if ((c >> 4) == 0xe) {
      n = 2, cp = c & 0x0f;
    } else if ((c >> 3) == 0x1e) {
      n = 3, cp = c & 0x07;
    } else {
      return false;
    }
    if (s.size() - i - 1 < n) return false;
    for (std::size_t k = 1; k <= n; ++k) {
      const unsigned char d = static_cast<unsigned char>(s[i + k]);
      if ((d >> 6) != 0x2) return false;
      cp = (cp << 6) | (d & 0x3f);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8 either.
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    i += n + 1;
  }
  return true;
}

bool plain(const State& s) {
  auto ok = [](const std::string& x) { return valid_utf8(x); };
  auto all = [&](const std::vector<std::string>& v) { return std::all_of(v.begin(), v.end(), ok); };
  if (!all(s.enabled) || !all(s.owned_alt_platforms) || !ok(s.host.kernel) || !all(s.host.native_compat) ||
      !all(s.host.undetermined) || !all(s.withdrawing))
    return false;
  for (const auto& [arch, r] : s.verified)
    if (!ok(arch) || !ok(r.translator_identity) || !ok(r.reason) || !std::isfinite(r.fp_ratio) ||
        !std::isfinite(r.int_ratio))
      return false;
  return true;
}

std::string serialize_or_die(const State& s) {
  try {
    return serialize_state(s);
  } catch (const std::exception& e) {
    FUZZ_CHECK(false, "serialize_state threw: {}", e.what());
  }
  return {};
}

double any_double(FuzzedDataProvider& in) {
  std::uint64_t bits = in.ConsumeIntegral<std::uint64_t>();
  double d;
  std::memcpy(&d, &bits, sizeof d);
  return d;
}

State built_from(FuzzedDataProvider& in) {
  State s;
  auto str = [&] { return in.ConsumeRandomLengthString(40); };
  for (int n = in.ConsumeIntegralInRange(0, 3); n > 0; --n) s.enabled.push_back(str());
  std::sort(s.enabled.begin(), s.enabled.end());
  s.enabled.erase(std::unique(s.enabled.begin(), s.enabled.end()), s.enabled.end());
  for (int n = in.ConsumeIntegralInRange(0, 3); n > 0; --n) s.owned_alt_platforms.push_back(str());
  for (int n = in.ConsumeIntegralInRange(0, 3); n > 0; --n) {
    VerifyRecord r;
    r.translator_identity = str();
    r.fidelity = static_cast<Fidelity>(in.ConsumeIntegralInRange(0, 4));  // every verdict the enum has
    r.passed = in.ConsumeBool();
    r.reason = str();
    r.fp_ratio = in.ConsumeBool() ? any_double(in) : in.ConsumeFloatingPoint<double>();
    r.int_ratio = in.ConsumeBool() ? any_double(in) : in.ConsumeFloatingPoint<double>();
    s.verified[str()] = r;
  }
  s.host.kernel = str();
  for (int n = in.ConsumeIntegralInRange(0, 2); n > 0; --n) s.host.native_compat.push_back(str());
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // 1. The file's text.
  if (auto s = parse_state(platformd_fuzz::as_text(data, size), "state.json")) {
    FUZZ_CHECK(std::is_sorted(s->enabled.begin(), s->enabled.end()) &&
                   std::adjacent_find(s->enabled.begin(), s->enabled.end()) == s->enabled.end(),
               "enabled is not sorted and unique");
    const std::string text = serialize_or_die(*s);
    auto back = parse_state(text, "state.json");
    FUZZ_CHECK(back.ok(), "serialized state does not parse: {}\n  text \"{}\"", back.error().message, shown(text));
    FUZZ_CHECK(same(*s, *back), "state changed in the round trip\n  text \"{}\"", shown(text));
    FUZZ_CHECK(serialize_state(*back) == text, "serialising twice gives different text");
  }

  // 2. A state the broker could hold.
  FuzzedDataProvider in(data, size);
  const State s = built_from(in);
  const std::string text = serialize_or_die(s);
  auto back = parse_state(text, "state.json");
  FUZZ_CHECK(back.ok(), "a state serialize_state wrote does not load: {}\n  text \"{}\"", back.error().message,
             shown(text));
  if (plain(s)) FUZZ_CHECK(same(s, *back), "state changed in the round trip\n  text \"{}\"", shown(text));
  return 0;
}
