// Translators (emulators) described by emulators/*.json: which binary serves which platform,
// the environment that makes it exact, and the static-binary requirement of the F flag.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "result.h"
#include "system/paths.h"

namespace platformd {

struct TranslatorSpec {
  std::string name;     // "qemu-user-static"
  std::string package;  // Debian package that provides it
  bool requires_static = true;
  // The translator runs a dynamically linked program with the host's own libc and libm in
  // place of the guest's (box64): the guest's loader need not be installed.
  bool maps_host_libc = false;
  // Settings that must come from an rc file (box64: rc files beat the environment), written
  // as platformd's block of the BOINC user's `file` (fidelity/box64_rc.h). Empty: none.
  struct RcFile {
    std::string file;  // ".box64rc", in the home of the BOINC client's user
    std::map<std::string, std::string> settings;
  };
  RcFile rcfile;
  struct ForPlatform {
    std::string path;
    std::map<std::string, std::string> env;
  };
  std::map<std::string, ForPlatform> platforms;  // arch -> binary
};

Result<TranslatorSpec> parse_translator(std::string_view json_text, std::string_view source);

// All descriptions in DATA_DIR/emulators, sorted by name. A malformed file is an error that
// names it (a broken description must not silently remove a translator).
Result<std::vector<TranslatorSpec>> load_translators(const Paths& p);

// A concrete translator for one platform, after checking the file.
struct Translator {
  std::string spec_name;
  std::string path;
  std::map<std::string, std::string> env;
  std::string identity;  // path:inode:size:mtime, changes when the file is replaced
};

// Why a candidate cannot be used: missing, not executable, dynamic where F needs static.
// Empty when usable.
std::string translator_problem(const std::string& path, bool requires_static);
// "path:inode:size:mtime", or "" when the file is missing.
std::string file_identity(const std::string& path);
// The path of a file_identity ("PATH:INO:SIZE:MTIME"), whatever colons PATH holds; "" for "".
std::string identity_path(std::string_view identity);

}  // namespace platformd
