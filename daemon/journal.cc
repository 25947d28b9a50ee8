#include "journal.h"

#include <sys/stat.h>
#include <sys/uio.h>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <systemd/sd-journal.h>

namespace platformd::daemon {

namespace {

// True when stderr is the journal stream systemd set up for us (JOURNAL_STREAM=dev:ino names
// it), so a stderr copy would duplicate every entry.
bool stderr_is_journal() {
  static const bool is = [] {
    const char* js = std::getenv("JOURNAL_STREAM");
    if (!js) return false;
    unsigned long long dev = 0, ino = 0;
    if (std::sscanf(js, "%llu:%llu", &dev, &ino) != 2) return false;
    struct stat st {};
    return fstat(2, &st) == 0 && st.st_dev == dev && st.st_ino == ino;
  }();
  return is;
}

}  // namespace

void log_entry(const LogEntry& e) {
  std::vector<std::string> fields;
  fields.push_back("MESSAGE=" + e.message);
  fields.push_back(fmt::format("PRIORITY={}", e.priority));
  fields.push_back("SYSLOG_IDENTIFIER=platformd");
  if (!e.action.empty()) fields.push_back("ACTION=" + e.action);
  if (!e.platform.empty()) fields.push_back("PLATFORM=" + e.platform);
  if (!e.translator.empty()) fields.push_back("TRANSLATOR=" + e.translator);
  if (!e.caller.empty()) fields.push_back("CALLER_UID=" + e.caller);
  std::vector<iovec> iov;
  for (auto& f : fields) iov.push_back({f.data(), f.size()});
  (void)sd_journal_sendv(iov.data(), static_cast<int>(iov.size()));  // no journal: nothing to do

  if (!stderr_is_journal()) {
    std::string extra;
    if (!e.action.empty()) extra += " ACTION=" + e.action;
    if (!e.platform.empty()) extra += " PLATFORM=" + e.platform;
    if (!e.translator.empty()) extra += " TRANSLATOR=" + e.translator;
    if (!e.caller.empty()) extra += " CALLER_UID=" + e.caller;
    std::fputs(fmt::format("platformd: {}{}{}\n", e.message, extra.empty() ? "" : " [",
                           extra.empty() ? "" : extra.substr(1) + "]")
                   .c_str(),
               stderr);
  }
}

}  // namespace platformd::daemon
