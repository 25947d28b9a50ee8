// Paths: where platformd reads and writes. Defaults are the system locations; the data
// directories resolve relative to the running binary's install prefix, and every path can be
// overridden (CLI flags, environment) so tests root them in temporary directories.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>

namespace platformd {

namespace fs = std::filesystem;

struct Paths {
  fs::path binfmt_dir = "/proc/sys/fs/binfmt_misc";
  fs::path state_dir = "/var/lib/platformd";  // state.json, lock
  fs::path data_dir;                          // PREFIX/share/platformd: catalog.json, emulators/, reference/
  fs::path probe_dir;                         // PREFIX/lib/platformd/probes
  std::optional<fs::path> boinc_dir;          // BOINC data directory; unset = discover
  int gui_rpc_port = 31416;
  // How long a withdrawal may keep another tool's taken-over entry disabled while the BOINC
  // client (or whatever answers on its port, or a cc_config.xml that cannot be read) keeps the
  // platform listed: then our handler goes and theirs is enabled again (issue 20).
  std::chrono::seconds take_over_release_after{600};
  // Where platformd-boinc-launch keeps BOINC's namespace (issue 21, docs/scoped.md): the mount
  // point of its binfmt_misc instance (binfmt/) and the record of the client it started
  // (client). boinc-client.service's RuntimeDirectory, through platformd's drop-in.
  fs::path boinc_run_dir = "/run/platformd-boinc";
  // The launcher itself (PREFIX/lib/platformd/platformd-boinc-launch): when boinc-client.service
  // starts it, the default scope is boinc (broker/scope.h, decide_default_scope).
  fs::path launcher;
};

// Defaults with the data paths resolved from /proc/self/exe, then the environment:
// PLATFORMD_BINFMT_DIR, PLATFORMD_STATE_DIR, PLATFORMD_DATA_DIR, PLATFORMD_PROBE_DIR,
// PLATFORMD_BOINC_DIR, PLATFORMD_GUI_RPC_PORT, PLATFORMD_TAKE_OVER_RELEASE_SECONDS,
// PLATFORMD_BOINC_RUN_DIR.
Paths default_paths();

}  // namespace platformd
