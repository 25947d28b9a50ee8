// Bytes, and their spelling in hex (the catalog's magic and mask, the state file, messages):
// the base layer every other one may use.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "result.h"

namespace platformd {

using Bytes = std::vector<std::uint8_t>;

// The value of one hex digit, or -1.
int hex_digit(char c);
std::string to_hex(const Bytes& b);
Result<Bytes> from_hex(std::string_view hex);

}  // namespace platformd
