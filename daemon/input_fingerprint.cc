#include "input_fingerprint.h"

#include <sys/stat.h>
#include <algorithm>

#include <fmt/format.h>

#include "binfmt/binfmt_rule.h"
#include "binfmt/binfmt_table.h"

namespace platformd::daemon {

namespace {

void append_identity(std::string& out, const fs::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) {
    out += fmt::format("{} missing\n", p.string());
    return;
  }
  out += fmt::format("{} {}:{}:{}.{}:{}.{}\n", p.string(), st.st_ino, st.st_size, st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
                     st.st_ctim.tv_sec, st.st_ctim.tv_nsec);
}

}  // namespace

std::string InputFingerprint::take() const {
  std::string out;
  std::vector<std::string> interpreters;  // their identities are already in `out`
  auto names = m_.list_dir(binfmt_dir_);
  if (!names) {
    out += "binfmt_misc unreadable\n";
  } else {
    for (const auto& n : *names) {
      out += n;
      out += '\n';
      if (!is_own_entry(n)) continue;
      auto text = m_.read_file(binfmt_dir_ / n, 4096);
      if (!text) {
        out += "(gone)\n";  // removed while we listed
        continue;
      }
      out += *text;
      if (auto e = parse_entry_file(n, *text); e && !e->interpreter.empty()) {
        append_identity(out, e->interpreter);
        interpreters.push_back(e->interpreter);
      }
    }
  }
  // The translators among the files are usually the interpreters above: one stat is enough.
  for (const auto& f : files_)
    if (std::find(interpreters.begin(), interpreters.end(), f.native()) == interpreters.end()) append_identity(out, f);
  return out;
}

}  // namespace platformd::daemon
