#include "file_watch.h"

#include <sys/stat.h>
#include <set>
#include <string_view>

#include <fmt/format.h>

#include "journal.h"

namespace platformd::daemon {

void FileWatch::set(const std::vector<WatchSpec>& specs) {
  std::map<fs::path, std::vector<WatchSpec>> wanted;
  for (const auto& s : specs) wanted[s.dir].push_back(s);

  // Drop directories no longer wanted.
  for (auto it = dirs_.begin(); it != dirs_.end();) it = wanted.count(it->first) ? std::next(it) : dirs_.erase(it);

  for (auto& [dir, list] : wanted) {
    struct stat st {};
    if (stat(dir.c_str(), &st) != 0) {
      dirs_.erase(dir);
      continue;
    }
    uint32_t mask = IN_ONLYDIR;
    for (const auto& s : list) mask |= s.mask;
    auto found = dirs_.find(dir);
    bool same = found != dirs_.end() && found->second.dev == st.st_dev && found->second.ino == st.st_ino &&
                found->second.mask == mask;
    if (same) {
      found->second.specs = list;
      continue;
    }
    Dir& d = dirs_[dir];
    d.source.reset();
    d.self = this;
    d.dev = st.st_dev;
    d.ino = st.st_ino;
    d.mask = mask;
    d.specs = list;
    sd_event_source* src = nullptr;
    int r = sd_event_add_inotify(event_, &src, dir.c_str(), mask, on_event, &d);
    if (r < 0) {
      log_warning("watch", fmt::format("cannot watch {}: {}; changes there are noticed by the next D-Bus call or "
                                       "the periodic reconcile",
                                       dir.string(), strerror(-r)));
      dirs_.erase(dir);
      continue;
    }
    d.source.reset(src);
  }
}

int FileWatch::on_event(sd_event_source*, const struct inotify_event* ev, void* userdata) {
  auto* d = static_cast<Dir*>(userdata);
  if (ev->mask & IN_Q_OVERFLOW) {
    // Events were lost: assume the worst.
    d->self->cb_("inotify queue overflow", true);
    return 0;
  }
  if (ev->len == 0) return 0;  // about the directory itself
  std::string_view name(ev->name);
  for (const auto& s : d->specs) {
    bool match = s.prefix ? name.substr(0, s.name.size()) == s.name : name == s.name;
    if (match && (ev->mask & s.mask)) {
      d->self->cb_(s.prefix ? fmt::format("{} {}", s.label, name) : s.label, s.reconcile);
      return 0;
    }
  }
  return 0;
}

}  // namespace platformd::daemon
