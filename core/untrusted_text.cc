// See untrusted_text.h.
#include "untrusted_text.h"

#include <fmt/format.h>

namespace platformd {

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    out.push_back(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
  }
  return out;
}

std::string quote_untrusted(std::string_view s, std::size_t max) {
  std::string out;
  for (char c : s.substr(0, max)) {
    if (c >= ' ' && c < 127)
      out += c;
    else
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
  }
  if (s.size() > max) out += "...";
  return out;
}

std::string stderr_excerpt(std::string_view err, std::size_t max) {
  auto end = err.find_last_not_of(" \t\r\n");
  return end == std::string_view::npos ? std::string() : quote_untrusted(err.substr(0, end + 1), max);
}

}  // namespace platformd
