// Reading the ELF facts platformd needs from a file: its first bytes (for binfmt matching),
// its class, and whether it is static (no PT_INTERP), which the F flag requires of a
// translator, because with F the kernel opens it once and a dynamic loader would be looked
// up again inside the caller's root.
#pragma once

#include <filesystem>
#include <string>

#include "catalog.h"
#include "result.h"

namespace platformd {

struct ElfFacts {
  Bytes header;       // the first 128 bytes (fewer if the file is shorter)
  int elf_class = 0;  // 1 = 32-bit, 2 = 64-bit, 0 = not ELF
  bool has_interp = false;
  std::string interp;  // PT_INTERP's path ("/lib/ld-linux-aarch64.so.1"), "" when static or unread
  std::uint16_t machine = 0;
};

// Pure: facts from the file's bytes (program headers must lie within `bytes`).
Result<ElfFacts> parse_elf(const Bytes& bytes, std::string_view source);
// Reads up to 64 KiB of the file (enough for the program headers) and parses it.
Result<ElfFacts> read_elf(const std::filesystem::path& p);

}  // namespace platformd
