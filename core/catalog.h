// The platform catalog: BOINC platform names, the aliases people type, and the ELF magic/mask
// that identifies each architecture's executables. Data lives in platforms/catalog.json; this
// is its pure parser and the name resolution.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bytes.h"
#include "result.h"

namespace platformd {

struct Platform {
  std::string arch;                         // short canonical name: "aarch64"; names probes and translators
  std::string boinc_name;                   // "aarch64-unknown-linux-gnu"
  std::vector<std::string> aliases;         // "arm64", ...
  bool boinc_canonical = true;              // false: BOINC servers do not know the name and drop it
  std::vector<std::string> uname_machines;  // uname -m values of a kernel running it natively
  int elf_class = 0;                        // 1 = 32-bit, 2 = 64-bit
  unsigned offset = 0;
  Bytes magic;
  Bytes mask;
};

struct Catalog {
  std::vector<Platform> platforms;

  // Accepts the arch, any alias or the BOINC name, case-sensitively. nullptr when unknown.
  const Platform* resolve(std::string_view name) const;
  const Platform* by_arch(std::string_view arch) const;
  // The platform whose magic/mask matches an ELF header (first bytes of a file), or nullptr.
  const Platform* match_header(const Bytes& header) const;
};

// Parses catalog.json. `source` names the file in error messages.
Result<Catalog> parse_catalog(std::string_view json_text, std::string_view source);

// The longest platform name (arch, alias or BOINC name) the catalog and the CLI accept.
inline constexpr std::size_t kMaxPlatformName = 64;

// Checks a name typed by a person before it is looked up or echoed: not empty, at most 64
// bytes, printable ASCII without ':' '/' or whitespace. The message says what is wrong.
Result<void> validate_platform_name(std::string_view name);

}  // namespace platformd
