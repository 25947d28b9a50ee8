#include <fmt/core.h>

#include "cli_context.h"
#include "exit_codes.h"
#include "report_json.h"

namespace platformd::cli {

Paths Globals::paths() const {
  Paths p = default_paths();
  if (!binfmt_dir.empty()) p.binfmt_dir = binfmt_dir;
  if (!state_dir.empty()) p.state_dir = state_dir;
  if (!boinc_dir.empty()) p.boinc_dir = fs::path(boinc_dir);
  if (gui_rpc_port) p.gui_rpc_port = gui_rpc_port;
  return p;
}

int report_error(const Error& e) {
  // One line: newlines in a message (e.g. a platform name someone typed) must not forge
  // further lines.
  std::string msg = e.message;
  for (char& c : msg)
    if (c == '\n' || c == '\r') c = ' ';
  fmt::print(stderr, "platformctl: {}\n", msg);
  return e.code == 0 ? exit_code::failure : e.code;
}

int print_change(const ChangeReport& r, bool json) {
  if (json) {
    fmt::print("{}\n", to_json(r).dump(2));
  } else {
    for (const auto& l : r.lines) fmt::print("{}\n", l);
    for (const auto& w : r.warnings) fmt::print(stderr, "platformctl: warning: {}\n", w);
  }
  if (r.error) return report_error(*r.error);
  return exit_code::ok;
}

}  // namespace platformd::cli
