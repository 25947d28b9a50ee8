// The kernel's binfmt_misc table, read and changed through a Machine. platformd owns only the
// entries whose name starts with kOwnPrefix; it never writes to `status` (writing -1 there
// deletes every entry, other tools' included), and never removes or edits another tool's entry
// (it may disable one, set_enabled, for --take-over).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "binfmt/binfmt_rule.h"
#include "catalog.h"
#include "system/machine.h"

namespace platformd {

inline constexpr std::string_view kOwnPrefix = "platformd-";
// Every platform is registered as the binfmt_misc entry "platformd-<arch>", and every name the
// catalog accepts passes validate_platform_name: so the longest arch still makes an entry name
// the kernel takes.
static_assert(kOwnPrefix.size() + kMaxPlatformName <= kMaxEntryName,
              "platform names must be short enough for the binfmt_misc entry \"platformd-<arch>\"");

inline bool is_own_entry(std::string_view name) {
  return name.substr(0, kOwnPrefix.size()) == kOwnPrefix;
}
inline std::string own_entry_name(std::string_view arch) {
  return std::string(kOwnPrefix) + std::string(arch);
}

class BinfmtTable {
 public:
  BinfmtTable(Machine& m, fs::path dir) : m_(m), dir_(std::move(dir)) {}

  // Mounts binfmt_misc when needed and checks it is usable: writable and enabled.
  Result<void> prepare();
  // Every entry, parsed. An entry that vanished while listing is skipped. A directory with no
  // instance mounted lists none: mounted() tells the two apart.
  Result<std::vector<BinfmtRule>> entries();
  // An instance is mounted on dir() (its `register` file is listed). Never mounts one; listing
  // an automount point triggers it, as any reader's access would.
  bool mounted();
  Result<void> add(const BinfmtRule& r);
  // Removes one of OUR entries (refuses any other name).
  Result<void> remove_own(std::string_view name);
  // Writes 0 or 1 to an entry's file: a disabled entry stays registered, unchanged, and the
  // kernel skips it. The one change platformd makes to another tool's entry, and only when the
  // administrator asks for it (enable --take-over); it is enabled again when we let go.
  Result<void> set_enabled(std::string_view name, bool enabled);
  bool globally_enabled();
  const fs::path& dir() const { return dir_; }

 private:
  Machine& m_;
  fs::path dir_;
};

}  // namespace platformd
