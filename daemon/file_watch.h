// inotify watches on the files whose change may need a reconcile: the translators of the
// enabled platforms, cc_config.xml (the link and the real file), the state file, and our own
// entries in binfmt_misc (the kernel reports their deletion).
//
// Each file is watched through its DIRECTORY, filtered by name: packages replace files by
// rename (dpkg writes qemu-aarch64-static.dpkg-new, then renames it over), and a watch on the
// old inode would never see the new file. Directories are re-added when their inode changes
// (binfmt_misc mounted anew).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <sys/inotify.h>
#include <systemd/sd-event.h>

#include "system/sd_ptr.h"

namespace platformd::daemon {

namespace fs = std::filesystem;

struct WatchSpec {
  fs::path dir;
  std::string name;       // file name inside dir
  bool prefix = false;    // `name` is a prefix ("platformd-")
  std::string label;      // for logs: "translator /usr/bin/qemu-aarch64-static"
  bool reconcile = true;  // false: only a new snapshot (the state file: we write it ourselves)
  uint32_t mask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_ATTRIB;
};

class FileWatch {
 public:
  // Called once per matching event; `reconcile` as in the spec that matched.
  using Callback = std::function<void(const std::string& label, bool reconcile)>;

  FileWatch(sd_event* event, Callback cb) : event_(event), cb_(std::move(cb)) {}
  FileWatch(const FileWatch&) = delete;
  FileWatch& operator=(const FileWatch&) = delete;

  // Replaces the watched set. Directories that do not exist are skipped (returned in the log
  // list) and retried at the next call.
  void set(const std::vector<WatchSpec>& specs);
  std::size_t directories() const { return dirs_.size(); }

 private:
  struct Dir {
    FileWatch* self = nullptr;
    sd::EventSource source;
    dev_t dev = 0;
    ino_t ino = 0;
    uint32_t mask = 0;
    std::vector<WatchSpec> specs;
  };
  static int on_event(sd_event_source* s, const struct inotify_event* ev, void* userdata);

  sd_event* event_;
  Callback cb_;
  std::map<fs::path, Dir> dirs_;  // node-based: a Dir's address is stable (it is the userdata)
};

}  // namespace platformd::daemon
