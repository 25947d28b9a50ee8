#include "bytes.h"

#include <fmt/format.h>

#include "exit_codes.h"

namespace platformd {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string to_hex(const Bytes& b) {
  std::string s;
  s.reserve(b.size() * 2);
  for (auto c : b) s += fmt::format("{:02x}", c);
  return s;
}

Result<Bytes> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) return fail(exit_code::usage, "odd number of hex digits");
  Bytes out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    int hi = hex_digit(hex[i]), lo = hex_digit(hex[i + 1]);
    if (hi < 0 || lo < 0) return fail(exit_code::usage, "not a hex digit in \"{}\"", hex.substr(i, 2));
    out.push_back(static_cast<std::uint8_t>(hi * 16 + lo));
  }
  return out;
}

}  // namespace platformd
