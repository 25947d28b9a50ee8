// Where the BOINC client keeps its data and which file is its cc_config.xml.
//
// The data directory, first found wins: --boinc-dir (Paths::boinc_dir); boinc-client.service's
// WorkingDirectory asked from systemd over sd-bus; the same read from the unit file and its
// drop-ins when systemd is not reachable; BOINC_DIR in /etc/default/boinc-client; and
// /var/lib/boinc-client. The client reads DATA_DIR/cc_config.xml; on Debian that is a symlink
// to /etc/boinc-client/cc_config.xml (upstream's package links the other way), so the link is
// resolved and the real file replaced in its own directory, which keeps the link a link. A
// link that leads outside the BOINC directories is refused: platformd runs as root and must
// not be steered into replacing an arbitrary file. The boinc user owns the data directory and
// may rearrange it while we work, so the result holds the real file's directory as a handle
// (issue 12: a directory swapped for a symlink after the check must not redirect the write).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "boinc/boinc_service.h"
#include "result.h"
#include "system/machine.h"
#include "system/paths.h"

namespace platformd {

namespace fs = std::filesystem;

// The system files consulted; tests point them elsewhere.
struct BoincSystemFiles {
  // Unit search path, highest priority first (systemd's order for the system manager).
  std::vector<fs::path> unit_dirs = {"/etc/systemd/system", "/run/systemd/system", "/usr/local/lib/systemd/system",
                                     "/usr/lib/systemd/system", "/lib/systemd/system"};
  fs::path default_file = "/etc/default/boinc-client";
  fs::path fallback_dir = "/var/lib/boinc-client";
  // Where a cc_config.xml symlink may lead, besides the data directory itself.
  std::vector<fs::path> allowed_dirs = {"/etc/boinc-client", "/var/lib/boinc-client", "/var/lib/boinc"};
};

struct BoincDataDir {
  fs::path dir;
  std::string how;  // "--boinc-dir", "WorkingDirectory of boinc-client.service (systemd)", ...
};

// WorkingDirectory= of the [Service] section; the last assignment wins, an empty one resets
// (returned as ""). nullopt when not set or set to something we cannot resolve (~, %h).
std::optional<std::string> unit_working_directory(std::string_view unit_text);
// BOINC_DIR=... in a shell-style defaults file; the last assignment wins.
std::optional<std::string> default_file_boinc_dir(std::string_view text);

// `service` may be null: then systemd is not asked.
Result<BoincDataDir> find_boinc_data_dir(Machine& m, const Paths& p, BoincServiceControl* service,
                                         const BoincSystemFiles& files = {});

struct CcConfigLocation {
  fs::path data_dir;
  fs::path link;  // DATA_DIR/cc_config.xml, the name the client opens
  fs::path real;  // the regular file to read and replace
  // The real file's directory, opened once: the file is read and replaced through it
  // (Machine::read_file_at, replace_file_at), never by its path again.
  DirHandle dir;
  std::string name;  // the real file's name in `dir`
  bool through_symlink = false;
  bool exists = false;  // `real` exists (else it is created there)
};

// Resolves DATA_DIR/cc_config.xml through symlinks (at most 40), each hop beneath the allowed
// directory it names (the data directory, `files.allowed_dirs`), by handle. Refused
// (bad_config) when a link leads elsewhere, through a symlink or mount point the kernel does
// not resolve inside that directory, when the real file is not a regular file, when its
// directory does not exist, or when another user than root could replace that directory (a
// directory above it they own or may write to; the data directory itself may be theirs).
Result<CcConfigLocation> locate_cc_config(Machine& m, const fs::path& data_dir, const BoincSystemFiles& files = {});

}  // namespace platformd
