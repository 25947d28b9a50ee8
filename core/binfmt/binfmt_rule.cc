// Pure functions on binfmt_misc rules. The kernel's parser (fs/binfmt_misc.c) is the model:
// the first character is the delimiter, magic and mask accept \xHH escapes, and the limits
// in binfmt_rule.h are the kernel's own.
#include "binfmt/binfmt_rule.h"

#include <algorithm>
#include <charconv>

#include "exit_codes.h"

namespace platformd {

namespace {

// Every byte escaped, so a magic byte equal to the delimiter or a backslash can never be
// misread by the kernel.
std::string escape_all(const Bytes& b) {
  std::string s;
  s.reserve(b.size() * 4);
  for (auto c : b) s += fmt::format("\\x{:02x}", c);
  return s;
}

// Like the kernel (string_unescape with UNESCAPE_HEX): "\\xHH" is one byte, anything else is
// taken literally.
Result<Bytes> unescape(std::string_view s, std::string_view field) {
  Bytes out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && s.size() - i >= 4 && s[i + 1] == 'x') {
      int hi = hex_digit(s[i + 2]), lo = hex_digit(s[i + 3]);
      if (hi < 0 || lo < 0) return fail(exit_code::usage, "bad \\x escape in {}", field);
      out.push_back(static_cast<std::uint8_t>(hi * 16 + lo));
      i += 3;
    } else {
      out.push_back(static_cast<std::uint8_t>(s[i]));
    }
  }
  return out;
}

std::vector<std::string_view> split(std::string_view s, char d) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (;;) {
    auto pos = s.find(d, start);
    if (pos == std::string_view::npos) {
      parts.push_back(s.substr(start));
      return parts;
    }
    parts.push_back(s.substr(start, pos - start));
    start = pos + 1;
  }
}

std::string_view strip_newline(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<void> validate_rule(const BinfmtRule& r) {
  const std::string& n = r.name;
  if (n.empty() || n == "." || n == ".." || n == "register" || n == "status")
    return fail(exit_code::usage, "binfmt_misc entry name \"{}\" is reserved or empty", n);
  if (n.size() > kMaxEntryName)
    return fail(exit_code::usage, "binfmt_misc entry name is {} bytes, the kernel allows {}", n.size(), kMaxEntryName);
  for (unsigned char c : n)
    if (c <= 0x20 || c >= 0x7f || c == '/' || c == ':')
      return fail(exit_code::usage, "binfmt_misc entry name \"{}\" contains byte 0x{:02x}", n, c);
  if (r.type != 'M' && r.type != 'E') return fail(exit_code::usage, "entry {}: type must be M or E", n);
  if (r.magic.empty()) return fail(exit_code::usage, "entry {}: empty magic", n);
  if (!r.mask.empty() && r.mask.size() != r.magic.size())
    return fail(exit_code::usage, "entry {}: mask length {} differs from magic length {}", n, r.mask.size(),
                r.magic.size());
  if (r.type == 'E') {
    // The kernel takes the extension literally up to the next delimiter, refuses '/', and
    // skips the offset and mask fields; we build with ':' and read it back from a one-line
    // "extension .EXT" in the entry file. So: no delimiter, no control bytes or spaces, and no
    // offset or mask that the kernel would silently drop.
    for (unsigned char c : r.magic)
      if (c <= 0x20 || c == 0x7f || c == '/' || c == ':')
        return fail(exit_code::usage, "entry {}: extension contains byte 0x{:02x}", n, c);
    if (r.offset != 0 || !r.mask.empty())
      return fail(exit_code::usage, "entry {}: an extension rule has no offset or mask (the kernel ignores them)", n);
  }
  if (r.type == 'M' && r.offset + r.magic.size() > kMaxMagicEnd)
    return fail(exit_code::usage, "entry {}: magic ends at byte {}, past the kernel's limit of {}", n,
                r.offset + r.magic.size(), kMaxMagicEnd);
  if (r.interpreter.empty() || r.interpreter[0] != '/')
    return fail(exit_code::usage, "entry {}: interpreter must be an absolute path", n);
  if (r.interpreter.size() > kMaxInterpreter)
    return fail(exit_code::usage, "entry {}: interpreter path is {} bytes, the kernel allows {}", n,
                r.interpreter.size(), kMaxInterpreter);
  for (unsigned char c : r.interpreter)
    if (c <= 0x20 || c == 0x7f || c == ':')
      return fail(exit_code::usage, "entry {}: interpreter path contains byte 0x{:02x}", n, c);
  for (char f : r.flags)
    if (std::string_view("POCF").find(f) == std::string_view::npos)
      return fail(exit_code::usage, "entry {}: unknown flag '{}'", n, f);
  return {};
}

Result<std::string> build_register_line(const BinfmtRule& r) {
  if (auto v = validate_rule(r); !v) return v.error();
  // An extension is written as it is: the kernel does not unescape it (validate_rule keeps
  // the delimiter out of it).
  std::string line = r.type == 'E' ? fmt::format(":{}:E::{}::{}:{}", r.name,
                                                 std::string(r.magic.begin(), r.magic.end()), r.interpreter, r.flags)
                                   : fmt::format(":{}:M:{}:{}:{}:{}:{}", r.name, r.offset, escape_all(r.magic),
                                                 r.mask.empty() ? "" : escape_all(r.mask), r.interpreter, r.flags);
  if (line.size() > kMaxRegisterLine)
    return fail(exit_code::usage, "entry {}: register line is {} bytes, the kernel allows {}", r.name, line.size(),
                kMaxRegisterLine);
  return line;
}

Result<BinfmtRule> parse_register_line(std::string_view line) {
  line = strip_newline(line);
  if (line.size() < 2) return fail(exit_code::usage, "register line is too short");
  if (line.size() > kMaxRegisterLine)
    return fail(exit_code::usage, "register line is longer than {} bytes", kMaxRegisterLine);
  char d = line[0];
  auto f = split(line.substr(1), d);
  if (f.size() < 6 || f.size() > 7)
    return fail(exit_code::usage,
                "register line has {} fields, expected 6 or 7 (name:type:offset:magic:mask:interpreter[:flags])",
                f.size());
  BinfmtRule r;
  r.name = std::string(f[0]);
  if (f[1].size() != 1) return fail(exit_code::usage, "entry {}: type must be one character", r.name);
  r.type = f[1][0];
  if (r.type == 'E') {
    // What the kernel registers (fs/binfmt_misc.c, create_entry): the offset and mask fields
    // are skipped and the extension is taken literally, without \x unescaping.
    r.magic.assign(f[3].begin(), f[3].end());
  } else {
    if (!f[2].empty()) {
      unsigned off = 0;
      auto [p, ec] = std::from_chars(f[2].data(), f[2].data() + f[2].size(), off);
      if (ec != std::errc() || p != f[2].data() + f[2].size())
        return fail(exit_code::usage, "entry {}: bad offset", r.name);
      r.offset = off;
    }
    auto magic = unescape(f[3], "magic");
    if (!magic) return magic.error();
    r.magic = *magic;
    auto mask = unescape(f[4], "mask");
    if (!mask) return mask.error();
    r.mask = *mask;
  }
  r.interpreter = std::string(f[5]);
  if (f.size() == 7) r.flags = std::string(f[6]);
  if (auto v = validate_rule(r); !v) return v.error();
  return r;
}

Result<BinfmtRule> parse_entry_file(std::string_view name, std::string_view text) {
  BinfmtRule r;
  r.name = std::string(name);
  bool have_state = false, have_interp = false, have_magic = false, have_ext = false, have_offset = false,
       have_mask = false;
  for (auto raw : split(text, '\n')) {
    auto line = strip_newline(raw);
    if (line.empty()) continue;
    auto sp = line.find(' ');
    std::string_view key = line.substr(0, sp);
    std::string_view val = sp == std::string_view::npos ? std::string_view() : line.substr(sp + 1);
    if (line == "enabled" || line == "disabled") {
      r.enabled = line == "enabled";
      have_state = true;
    } else if (key == "interpreter") {
      r.interpreter = std::string(val);
      have_interp = true;
    } else if (key == "flags:") {
      r.flags = std::string(val);
    } else if (key == "offset") {
      auto [p, ec] = std::from_chars(val.data(), val.data() + val.size(), r.offset);
      if (ec != std::errc() || p != val.data() + val.size())
        return fail(exit_code::failure, "binfmt entry {}: bad offset line", name);
      have_offset = true;
    } else if (key == "magic") {
      auto b = from_hex(val);
      if (!b) return fail(exit_code::failure, "binfmt entry {}: bad magic line", name);
      r.magic = *b;
      have_magic = true;
    } else if (key == "mask") {
      auto b = from_hex(val);
      if (!b) return fail(exit_code::failure, "binfmt entry {}: bad mask line", name);
      r.mask = *b;
      have_mask = true;
    } else if (key == "extension") {
      // The kernel prints "extension .EXT" (bm_entry_show); the dot is not part of the rule.
      if (val.size() < 2 || val[0] != '.') return fail(exit_code::failure, "binfmt entry {}: bad extension line", name);
      r.type = 'E';
      r.magic.assign(val.begin() + 1, val.end());
      have_ext = true;
    }
  }
  if (!have_state || !have_interp || (!have_magic && !have_ext))
    return fail(exit_code::failure, "binfmt entry {}: missing enabled/interpreter/magic lines", name);
  // The kernel shows offset, magic and mask only for magic rules.
  if (have_ext && (have_magic || have_offset || have_mask))
    return fail(exit_code::failure, "binfmt entry {}: an extension entry with an offset, magic or mask line", name);
  if (!r.mask.empty() && r.mask.size() != r.magic.size())
    return fail(exit_code::failure, "binfmt entry {}: mask and magic lengths differ", name);
  return r;
}

bool rules_overlap(const BinfmtRule& a, const BinfmtRule& b) {
  if (a.type != b.type) return false;
  if (a.type == 'E') return a.magic == b.magic;
  auto mask_at = [](const BinfmtRule& r, std::size_t i) -> std::uint8_t { return r.mask.empty() ? 0xff : r.mask[i]; };
  std::size_t lo = std::max(a.offset, b.offset);
  std::size_t hi = std::min(a.offset + a.magic.size(), b.offset + b.magic.size());
  for (std::size_t pos = lo; pos < hi; ++pos) {
    std::size_t i = pos - a.offset, j = pos - b.offset;
    std::uint8_t both = mask_at(a, i) & mask_at(b, j);
    if ((a.magic[i] & both) != (b.magic[j] & both)) return false;
  }
  return true;
}

bool rule_matches(const BinfmtRule& r, const Bytes& header) {
  if (r.type != 'M') return false;
  if (header.size() < r.offset + r.magic.size()) return false;
  for (std::size_t i = 0; i < r.magic.size(); ++i) {
    std::uint8_t m = r.mask.empty() ? 0xff : r.mask[i];
    if ((header[r.offset + i] ^ r.magic[i]) & m) return false;
  }
  return true;
}

}  // namespace platformd
