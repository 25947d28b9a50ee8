// Fuzz target: parse_entry_file, the reader of /proc/sys/fs/binfmt_misc/<name> as the kernel
// prints it (fs/binfmt_misc.c, bm_entry_show):
//   enabled|disabled / interpreter X / flags: POCF / offset N / magic HEX [/ mask HEX]
//   or, for extension rules, "extension .EXT".
//
// Input: the first line is the entry name, the rest the file's text.
//
// Invariants:
//  - a parsed rule has a mask that is empty or as long as its magic, and overlaps itself;
//  - a parsed rule that validates survives build_register_line -> parse_register_line;
//  - the kernel model: when the text after the name line is itself a register line that
//    parse_register_line accepts, the entry file the kernel would show for it parses back to
//    the same rule (flags as the kernel normalises them: C implies O, printed in POCF order).
//    This is what BinfmtTable::entries() relies on when it reads back what we registered.
#include <algorithm>

#include "binfmt/binfmt_rule.h"
#include "fuzz_util.h"

using namespace platformd;
using platformd_fuzz::shown;

namespace {

// check_special_flags() then bm_entry_show(): 'C' sets O too; printed as P, O, C, F.
std::string kernel_flags(std::string_view f) {
  auto has = [&](char c) { return f.find(c) != std::string_view::npos; };
  std::string out;
  if (has('P')) out += 'P';
  if (has('O') || has('C')) out += 'O';
  if (has('C')) out += 'C';
  if (has('F')) out += 'F';
  return out;
}

std::string kernel_entry_text(const BinfmtRule& r, bool enabled) {
  std::string s = enabled ? "enabled\n" : "disabled\n";
  s += "interpreter " + r.interpreter + "\n";
  s += "flags: " + kernel_flags(r.flags) + "\n";
  if (r.type == 'E') {
    s += "extension ." + std::string(r.magic.begin(), r.magic.end()) + "\n";
  } else {
    s += fmt::format("offset {}\nmagic {}", r.offset, to_hex(r.magic));
    if (!r.mask.empty()) s += "\nmask " + to_hex(r.mask);
    s += "\n";
  }
  return s;
}

// Extensions the kernel would register and print on one line: no '/', no NUL, no newline.
bool printable_extension(const Bytes& b) {
  return std::all_of(b.begin(), b.end(), [](std::uint8_t c) { return c > 0x20 && c < 0x7f && c != '/'; });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in = platformd_fuzz::as_text(data, size);
  auto nl = in.find('\n');
  std::string_view name = in.substr(0, nl);
  std::string_view text = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);

  auto r = parse_entry_file(name, text);
  if (r) {
    FUZZ_CHECK(r->mask.empty() || r->mask.size() == r->magic.size(), "mask/magic lengths differ: {}", shown(*r));
    FUZZ_CHECK(rules_overlap(*r, *r), "entry does not overlap itself: {}", shown(*r));
    if (r->type == 'M' && r->offset <= 4096) {
      Bytes header(r->offset + r->magic.size(), 0);
      std::copy(r->magic.begin(), r->magic.end(), header.begin() + r->offset);
      FUZZ_CHECK(rule_matches(*r, header), "entry does not match its own magic: {}", shown(*r));
    }
    if (validate_rule(*r)) {
      auto line = build_register_line(*r);
      FUZZ_CHECK(line.ok(), "valid entry cannot be built: {}: {}", shown(*r), line.error().message);
      auto back = parse_register_line(*line);
      FUZZ_CHECK(back.ok() && platformd_fuzz::same_rule(*r, *back, false),
                 "entry -> register line -> rule differs: {} via \"{}\"", shown(*r), shown(*line));
    }
  }

  // The kernel model.
  auto reg = parse_register_line(text);
  if (reg && (reg->type == 'M' || printable_extension(reg->magic))) {
    for (bool enabled : {true, false}) {
      const std::string shown_text = kernel_entry_text(*reg, enabled);
      auto read = parse_entry_file(reg->name, shown_text);
      FUZZ_CHECK(read.ok(), "the kernel's entry file for a registered rule does not parse: {}\n  text \"{}\"",
                 read.error().message, shown(shown_text));
      BinfmtRule want = *reg;
      want.flags = kernel_flags(reg->flags);
      want.enabled = enabled;
      FUZZ_CHECK(platformd_fuzz::same_rule(want, *read, true),
                 "registered rule reads back differently from its entry file:\n  registered {}\n  read back  {}\n  "
                 "text \"{}\"",
                 shown(want), shown(*read), shown(shown_text));
    }
  }
  return 0;
}
