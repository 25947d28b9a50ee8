#include "binfmt/binfmt_table.h"

#include <unistd.h>

#include <algorithm>

#include "exit_codes.h"

namespace platformd {

Result<void> BinfmtTable::prepare() {
  auto mounted = m_.ensure_binfmt_mounted(dir_);
  if (!mounted) return mounted.error();
  if (::access((dir_ / "register").c_str(), W_OK) != 0)
    return fail(exit_code::failure, "{} is not writable (read-only mount, or not root)", (dir_ / "register").string());
  if (!globally_enabled())
    return fail(exit_code::failure,
                "binfmt_misc is disabled ({} says \"disabled\"); enable it with 'echo 1 > {}' first",
                (dir_ / "status").string(), (dir_ / "status").string());
  return {};
}

bool BinfmtTable::globally_enabled() {
  auto s = m_.read_file(dir_ / "status", 64);
  return s && s->rfind("enabled", 0) == 0;
}

Result<std::vector<BinfmtRule>> BinfmtTable::entries() {
  auto names = m_.list_dir(dir_);
  if (!names) return names.error();
  std::vector<BinfmtRule> out;
  for (const auto& n : *names) {
    if (n == "register" || n == "status") continue;
    auto text = m_.read_file(dir_ / n, 4096);
    if (!text) continue;  // removed by someone else meanwhile
    auto r = parse_entry_file(n, *text);
    if (!r) return r.error();
    out.push_back(std::move(*r));
  }
  return out;
}

bool BinfmtTable::mounted() {
  auto names = m_.list_dir(dir_);
  return names && std::find(names->begin(), names->end(), "register") != names->end();
}

Result<void> BinfmtTable::add(const BinfmtRule& r) {
  auto line = build_register_line(r);
  if (!line) return line.error();
  auto w = m_.write_file(dir_ / "register", *line);
  if (!w) return fail(exit_code::failure, "the kernel refused binfmt entry {}: {}", r.name, w.error().message);
  return {};
}

Result<void> BinfmtTable::remove_own(std::string_view name) {
  if (!is_own_entry(name) || name.find('/') != std::string_view::npos)
    return fail(exit_code::failure, "internal: refusing to remove binfmt entry {} that platformd does not own", name);
  // Writing -1 to the entry's own file removes only that entry.
  auto w = m_.write_file(dir_ / std::string(name), "-1");
  if (!w) return fail(exit_code::failure, "cannot remove binfmt entry {}: {}", name, w.error().message);
  return {};
}

Result<void> BinfmtTable::set_enabled(std::string_view name, bool enabled) {
  if (name.empty() || name.find('/') != std::string_view::npos || name == "register" || name == "status")
    return fail(exit_code::failure, "internal: {} is not a binfmt entry name", name);
  auto w = m_.write_file(dir_ / std::string(name), enabled ? "1" : "0");
  if (!w)
    return fail(exit_code::failure, "cannot {} binfmt entry {}: {}", enabled ? "enable" : "disable", name,
                w.error().message);
  return {};
}

}  // namespace platformd
