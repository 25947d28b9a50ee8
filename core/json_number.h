// Reading integers out of JSON documents that people edit (catalog.json, state.json, the
// fidelity references). nlohmann's get<int>() on a number such as 1e30 converts a double that
// does not fit, which is undefined behaviour, and get<unsigned>() on -1 wraps silently; so
// every integer we read is checked to be an integer and in range first.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "exit_codes.h"
#include "result.h"

namespace platformd {

// The value of `v` as an integer in [lo, hi]. Floats (1.0 included), other types and values
// out of range are bad_config errors: "<where>: <what> must be an integer from lo to hi".
template <typename Json>
Result<std::int64_t> json_integer(const Json& v, std::string_view where, std::string_view what, std::int64_t lo,
                                  std::int64_t hi) {
  auto bad = [&] {
    return fail(exit_code::bad_config, "{}: {} must be an integer from {} to {}", where, what, lo, hi);
  };
  if (v.is_number_unsigned()) {
    // An unsigned JSON integer may be above INT64_MAX: compare before converting.
    const auto u = v.template get<std::uint64_t>();
    if (hi < 0 || u > static_cast<std::uint64_t>(hi)) return bad();
    const auto s = static_cast<std::int64_t>(u);
    if (s < lo) return bad();
    return s;
  }
  if (!v.is_number_integer()) return bad();
  const auto s = v.template get<std::int64_t>();
  if (s < lo || s > hi) return bad();
  return s;
}

// The same for an optional member of an object: `fallback` when `key` is absent.
template <typename Json>
Result<std::int64_t> json_integer_member(const Json& obj, std::string_view key, std::int64_t fallback,
                                         std::string_view where, std::int64_t lo, std::int64_t hi) {
  auto it = obj.find(std::string(key));
  if (it == obj.end()) return fallback;
  return json_integer(*it, where, fmt::format("\"{}\"", key), lo, hi);
}

}  // namespace platformd
