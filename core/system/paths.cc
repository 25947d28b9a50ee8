#include "system/paths.h"

#include <algorithm>
#include <cstdlib>
#include <string>

namespace platformd {

namespace {

// PREFIX is two levels above the binary (PREFIX/bin/platformctl, PREFIX/sbin/platformd), or
// above the package's library directory (PREFIX/lib/platformd/platformd-boinc-launch), so a
// `cmake --install --prefix P` tree works without root paths.
fs::path install_prefix() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return "/usr";
  const fs::path dir = exe.parent_path();
  const fs::path pkglib(PLATFORMD_PKGLIBDIR);  // "lib/platformd" (relative to the prefix)
  fs::path up = dir;
  for (auto it = pkglib.begin(); it != pkglib.end(); ++it) up = up.parent_path();
  if (!pkglib.empty() && up / pkglib == dir) return up;
  return dir.parent_path();
}

void override_from_env(fs::path& p, const char* var) {
  if (const char* v = std::getenv(var); v && *v) p = v;
}

}  // namespace

Paths default_paths() {
  Paths p;
  fs::path prefix = install_prefix();
  p.data_dir = prefix / PLATFORMD_PKGDATADIR;
  p.probe_dir = prefix / PLATFORMD_PKGLIBDIR / "probes";
  p.launcher = prefix / PLATFORMD_PKGLIBDIR / "platformd-boinc-launch";
  override_from_env(p.binfmt_dir, "PLATFORMD_BINFMT_DIR");
  override_from_env(p.state_dir, "PLATFORMD_STATE_DIR");
  override_from_env(p.data_dir, "PLATFORMD_DATA_DIR");
  override_from_env(p.probe_dir, "PLATFORMD_PROBE_DIR");
  override_from_env(p.boinc_run_dir, "PLATFORMD_BOINC_RUN_DIR");
  if (const char* v = std::getenv("PLATFORMD_BOINC_DIR"); v && *v) p.boinc_dir = fs::path(v);
  if (const char* v = std::getenv("PLATFORMD_GUI_RPC_PORT"); v && *v) p.gui_rpc_port = std::atoi(v);
  if (const char* v = std::getenv("PLATFORMD_TAKE_OVER_RELEASE_SECONDS"); v && *v)
    p.take_over_release_after = std::chrono::seconds(std::max(0, std::atoi(v)));
  return p;
}

}  // namespace platformd
