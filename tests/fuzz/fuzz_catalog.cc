// Fuzz target: parse_catalog (platforms/catalog.json) and validate_platform_name.
//
// Input: the catalog's JSON text.
//
// Invariants, when the catalog parses:
//  - it has platforms; every name (arch, BOINC name, alias) passes validate_platform_name and
//    resolves to its own platform (no name is shared);
//  - magic and mask are non-empty, of equal length, and end within the kernel's limit;
//  - a header made of a platform's own magic is recognised (match_header is not null);
//  - the binfmt_misc rule platformd registers for the platform (platform_plan.h own_rule)
//    builds into a register line: a platform the catalog accepts can be enabled.
// Whatever the input, validate_platform_name accepts only 1..64 printable ASCII bytes without
// ':' '/' '\'.
#include <algorithm>

#include "binfmt/platform_plan.h"
#include "catalog.h"
#include "fuzz_util.h"

using namespace platformd;
using platformd_fuzz::shown;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in = platformd_fuzz::as_text(data, size);

  // The raw input as a typed name (first line).
  std::string_view typed = in.substr(0, in.find('\n'));
  if (validate_platform_name(typed)) {
    FUZZ_CHECK(!typed.empty() && typed.size() <= 64, "accepted a name of {} bytes", typed.size());
    for (unsigned char c : typed)
      FUZZ_CHECK(c > 0x20 && c < 0x7f && c != ':' && c != '/' && c != '\\', "accepted byte 0x{:02x} in \"{}\"", c,
                 shown(typed));
  }

  auto cat = parse_catalog(in, "catalog.json");
  if (!cat) return 0;
  FUZZ_CHECK(!cat->platforms.empty(), "a catalog without platforms parsed");
  for (const auto& p : cat->platforms) {
    std::vector<std::string> names = p.aliases;
    names.push_back(p.arch);
    names.push_back(p.boinc_name);
    for (const auto& n : names) {
      FUZZ_CHECK(validate_platform_name(n).ok(), "catalog accepted invalid name \"{}\"", shown(n));
      FUZZ_CHECK(cat->resolve(n) == &p, "name \"{}\" does not resolve to its own platform {}", shown(n), shown(p.arch));
    }
    FUZZ_CHECK(cat->by_arch(p.arch) == &p, "by_arch({}) is another platform", shown(p.arch));
    FUZZ_CHECK(!p.magic.empty() && p.magic.size() == p.mask.size(), "{}: magic/mask sizes {} {}", shown(p.arch),
               p.magic.size(), p.mask.size());
    FUZZ_CHECK(p.offset + p.magic.size() <= kMaxMagicEnd, "{}: magic ends at {}", shown(p.arch),
               p.offset + p.magic.size());
    FUZZ_CHECK(p.elf_class == 1 || p.elf_class == 2, "{}: elf_class {}", shown(p.arch), p.elf_class);

    Bytes header(p.offset + p.magic.size(), 0);
    std::copy(p.magic.begin(), p.magic.end(), header.begin() + p.offset);
    FUZZ_CHECK(cat->match_header(header) != nullptr, "{}: its own magic is not recognised", shown(p.arch));

    auto line = build_register_line(own_rule(p, "/usr/bin/qemu-test-static"));
    FUZZ_CHECK(line.ok(), "catalog accepted platform {} whose binfmt rule cannot be registered: {}", shown(p.arch),
               line.error().message);
  }
  return 0;
}
