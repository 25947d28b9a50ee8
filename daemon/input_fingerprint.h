// A cheap summary of the reconcile's inputs that may change without an event the daemon has
// read: binfmt_misc gives no inotify event for every change (and a D-Bus call can be handled
// before the event of a change that came first), so each call compares this summary instead
// of running a full reconcile.
//
// It holds the names in binfmt_misc, the text of our own entries (enabled flag, interpreter,
// flags, magic), the identity of the interpreter each of them names (a translator renamed
// over keeps its path), and the identity of a list of files (the state file, cc_config.xml,
// the enabled platforms' translators). Identity: inode, size, modification and change times
// in nanoseconds, or "missing". A handful of system calls; no ELF, JSON or XML is parsed.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "system/machine.h"

namespace platformd::daemon {

namespace fs = std::filesystem;

class InputFingerprint {
 public:
  InputFingerprint(Machine& m, fs::path binfmt_dir) : m_(m), binfmt_dir_(std::move(binfmt_dir)) {}

  void set_files(std::vector<fs::path> files) { files_ = std::move(files); }
  // The summary now. Equal summaries: none of the inputs above changed in between.
  std::string take() const;

 private:
  Machine& m_;
  fs::path binfmt_dir_;
  std::vector<fs::path> files_;
};

}  // namespace platformd::daemon
