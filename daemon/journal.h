// The daemon's log: one journal entry per event, with structured fields so an administrator
// can filter (journalctl -u platformd PLATFORM=aarch64, ACTION=repair). The core does not log;
// the daemon logs once, where it learns of the event.
//
// Outside systemd (tests, a shell) the journal socket is usually absent, so each entry is also
// written to stderr as one line unless stderr already is the journal (JOURNAL_STREAM).
#pragma once

#include <syslog.h>
#include <string>

namespace platformd::daemon {

struct LogEntry {
  int priority = LOG_INFO;
  std::string message;
  std::string action;      // ACTION=: start, enable, disable, verify, repair, state-change, trigger, denied, ...
  std::string platform;    // PLATFORM=: catalog arch, when the event concerns one
  std::string translator;  // TRANSLATOR=: interpreter path, when known
  std::string caller;      // CALLER_UID=: who asked, for D-Bus requests
};

void log_entry(const LogEntry& e);

inline void log_info(std::string action, std::string message) {
  log_entry({LOG_INFO, std::move(message), std::move(action), {}, {}, {}});
}
inline void log_warning(std::string action, std::string message) {
  log_entry({LOG_WARNING, std::move(message), std::move(action), {}, {}, {}});
}
inline void log_error(std::string action, std::string message) {
  log_entry({LOG_ERR, std::move(message), std::move(action), {}, {}, {}});
}

}  // namespace platformd::daemon
