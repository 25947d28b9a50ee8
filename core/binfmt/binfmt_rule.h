// A binfmt_misc rule, and the pure functions around it: building and parsing the register
// line (":name:type:offset:magic:mask:interpreter:flags"), parsing an entry file as the kernel
// prints it, and the masked-overlap test used to find conflicts. No I/O here.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "bytes.h"
#include "result.h"

namespace platformd {

struct BinfmtRule {
  std::string name;
  char type = 'M';      // 'M' magic, 'E' extension
  unsigned offset = 0;  // always 0 for 'E': the kernel skips the offset field of extension rules
  Bytes magic;          // for 'E', the extension without its dot, taken literally (no \x escapes)
  Bytes mask;           // same length as magic; empty means all 0xff; always empty for 'E'
  std::string interpreter;
  std::string flags;    // subset of "POCF"
  bool enabled = true;  // from the entry file; not part of the register line
};

// Kernel limits (fs/binfmt_misc.c). The entry name becomes a file in binfmt_misc's directory,
// so it is limited to NAME_MAX: on Linux 6.18 a 255-byte name registers and a 256-byte one
// fails with ENAMETOOLONG.
inline constexpr std::size_t kMaxRegisterLine = 1920;
inline constexpr std::size_t kMaxEntryName = 255;
inline constexpr std::size_t kMaxInterpreter = 127;
inline constexpr std::size_t kMaxMagicEnd = 128;

Result<void> validate_rule(const BinfmtRule& r);
Result<std::string> build_register_line(const BinfmtRule& r);
Result<BinfmtRule> parse_register_line(std::string_view line);
// Parses /proc/sys/fs/binfmt_misc/<name> contents.
Result<BinfmtRule> parse_entry_file(std::string_view name, std::string_view text);

// True when some file can match both rules (magic rules: on every byte both masks select, the
// masked magic agrees). Extension rules overlap only with an equal extension.
bool rules_overlap(const BinfmtRule& a, const BinfmtRule& b);
// True when the rule matches a file starting with `header`.
bool rule_matches(const BinfmtRule& r, const Bytes& header);

}  // namespace platformd
