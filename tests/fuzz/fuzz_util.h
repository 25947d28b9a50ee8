// Shared by the fuzz targets: an invariant check that aborts with a message (libFuzzer then
// saves the input under artifacts/ and run.sh reports the target as failed), and small helpers
// to show values in those messages.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "binfmt/binfmt_rule.h"

// FUZZ_CHECK(cond, "format {}", args...): the invariant `cond` must hold for every input.
#define FUZZ_CHECK(cond, ...)                                                                       \
  do {                                                                                              \
    if (!(cond)) ::platformd_fuzz::violated(#cond, __FILE__, __LINE__, ::fmt::format(__VA_ARGS__)); \
  } while (0)

namespace platformd_fuzz {

[[noreturn]] inline void violated(const char* cond, const char* file, int line, const std::string& msg) {
  std::fprintf(stderr, "\n==== INVARIANT VIOLATED (%s:%d): %s\n==== %s\n", file, line, cond, msg.c_str());
  std::fflush(stderr);
  std::abort();
}

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Printable ASCII kept, everything else as \xHH, so a message shows exactly what differed.
inline std::string shown(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c >= ' ' && c < 127 && c != '\\')
      out += c;
    else
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
  }
  return out;
}

inline std::string shown(const platformd::BinfmtRule& r) {
  return fmt::format("{{name \"{}\" type {} offset {} magic {} mask {} interpreter \"{}\" flags \"{}\" enabled {}}}",
                     shown(r.name), shown(std::string_view(&r.type, 1)), r.offset, platformd::to_hex(r.magic),
                     platformd::to_hex(r.mask), shown(r.interpreter), shown(r.flags), r.enabled);
}

// Field-by-field equality of two rules; `enabled` only when asked (the register line has no
// such field).
inline bool same_rule(const platformd::BinfmtRule& a, const platformd::BinfmtRule& b, bool with_enabled) {
  return a.name == b.name && a.type == b.type && a.offset == b.offset && a.magic == b.magic && a.mask == b.mask &&
         a.interpreter == b.interpreter && a.flags == b.flags && (!with_enabled || a.enabled == b.enabled);
}

}  // namespace platformd_fuzz
