// Paths: where platformd reads and writes. Defaults are the system locations; the data
// directories resolve relative to the running binary's install prefix, and every path can be
// overridden (CLI flags, environment) so tests root them in temporary directories.
#pragma once

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
};

// Defaults with the data paths resolved from /proc/self/exe, then the environment:
// PLATFORMD_BINFMT_DIR, PLATFORMD_STATE_DIR, PLATFORMD_DATA_DIR, PLATFORMD_PROBE_DIR,
// PLATFORMD_BOINC_DIR, PLATFORMD_GUI_RPC_PORT.
Paths default_paths();

}  // namespace platformd
