#include "binfmt/elf_file.h"

#include <elf.h>
#include <cstring>
#include <fstream>

#include "exit_codes.h"

namespace platformd {

namespace {

template <typename T>
T load(const Bytes& b, std::size_t off, bool big_endian) {
  T v{};
  std::memcpy(&v, b.data() + off, sizeof v);
  if (big_endian) {
    T r{};
    for (std::size_t i = 0; i < sizeof v; ++i)
      reinterpret_cast<unsigned char*>(&r)[i] = reinterpret_cast<unsigned char*>(&v)[sizeof v - 1 - i];
    return r;
  }
  return v;
}

template <typename Ehdr, typename Phdr>
Result<void> scan_phdrs(const Bytes& b, bool be, ElfFacts& f, std::string_view source) {
  if (b.size() < sizeof(Ehdr)) return fail(exit_code::failure, "{}: truncated ELF header", source);
  auto phoff = load<decltype(Ehdr::e_phoff)>(b, offsetof(Ehdr, e_phoff), be);
  auto phentsize = load<std::uint16_t>(b, offsetof(Ehdr, e_phentsize), be);
  auto phnum = load<std::uint16_t>(b, offsetof(Ehdr, e_phnum), be);
  f.machine = load<std::uint16_t>(b, offsetof(Ehdr, e_machine), be);
  if (phentsize != sizeof(Phdr) && phnum != 0)
    return fail(exit_code::failure, "{}: unexpected program header size", source);
  for (std::size_t i = 0; i < phnum; ++i) {
    std::size_t off = static_cast<std::size_t>(phoff) + i * sizeof(Phdr);
    if (off + sizeof(Phdr) > b.size())
      return fail(exit_code::failure, "{}: program headers beyond the bytes read", source);
    if (load<std::uint32_t>(b, off + offsetof(Phdr, p_type), be) != PT_INTERP) continue;
    f.has_interp = true;
    // The loader's path, when it lies within the bytes read (it follows the headers in
    // every linker's layout): a dynamic program cannot start where that file is missing.
    auto at = static_cast<std::size_t>(load<decltype(Phdr::p_offset)>(b, off + offsetof(Phdr, p_offset), be));
    auto size = static_cast<std::size_t>(load<decltype(Phdr::p_filesz)>(b, off + offsetof(Phdr, p_filesz), be));
    if (size > 0 && size < 4096 && at < b.size() && size <= b.size() - at) {
      f.interp.assign(reinterpret_cast<const char*>(b.data()) + at, size);
      f.interp = f.interp.substr(0, f.interp.find('\0'));
    }
  }
  return {};
}

}  // namespace

Result<ElfFacts> parse_elf(const Bytes& bytes, std::string_view source) {
  ElfFacts f;
  f.header.assign(bytes.begin(), bytes.begin() + std::min<std::size_t>(bytes.size(), 128));
  if (bytes.size() < EI_NIDENT || std::memcmp(bytes.data(), ELFMAG, SELFMAG) != 0) return f;  // not ELF
  f.elf_class = bytes[EI_CLASS];
  bool be = bytes[EI_DATA] == ELFDATA2MSB;
  Result<void> r = f.elf_class == ELFCLASS64 ? scan_phdrs<Elf64_Ehdr, Elf64_Phdr>(bytes, be, f, source)
                   : f.elf_class == ELFCLASS32
                       ? scan_phdrs<Elf32_Ehdr, Elf32_Phdr>(bytes, be, f, source)
                       : Result<void>(fail(exit_code::failure, "{}: unknown ELF class", source));
  if (!r) return r.error();
  return f;
}

Result<ElfFacts> read_elf(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return fail(exit_code::failure, "cannot open {}", p.string());
  Bytes b(65536);
  in.read(reinterpret_cast<char*>(b.data()), static_cast<std::streamsize>(b.size()));
  b.resize(static_cast<std::size_t>(in.gcount()));
  return parse_elf(b, p.string());
}

}  // namespace platformd
