// The record platformd-boinc-launch leaves of the BOINC client it started in BOINC's own
// namespace (issue 21, docs/scoped.md): RUN_DIR/client holds "PID STARTTIME", the client's
// process ID and its start time (field 22 of /proc/PID/stat), so that a recycled PID is never
// taken for the client. Status reads BOINC's binfmt_misc instance through it, and reconcile puts
// a missing handler back (Broker::fill_boinc_instance), as for the machine's table.
#pragma once

#include <sys/types.h>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "result.h"
#include "system/machine.h"

namespace platformd {

namespace fs = std::filesystem;

struct LaunchRecord {
  pid_t pid = 0;
  std::uint64_t start_time = 0;  // clock ticks since boot (/proc/PID/stat field 22)
};

// Pure: "PID STARTTIME\n"; nullopt when the text is anything else.
std::optional<LaunchRecord> parse_launch_record(std::string_view text);
std::string format_launch_record(const LaunchRecord& r);
// Pure: field 22 of a /proc/PID/stat line (after the command name, which may hold spaces and
// parentheses: the last ')' ends it); nullopt when malformed.
std::optional<std::uint64_t> stat_start_time(std::string_view stat);

// The mount point of BOINC's instance inside the client's namespace, and the record's file.
fs::path boinc_instance_mount_point(const fs::path& run_dir);
fs::path launch_record_file(const fs::path& run_dir);

// Writes the record of `pid` (its start time read now), replacing the file atomically (ours, 0644).
Result<void> write_launch_record(Machine& m, const fs::path& run_dir, pid_t pid);

// The client the launcher started, while it runs: its PID and BOINC's instance as root outside
// reaches it (/proc/PID/root/RUN_DIR/binfmt). nullopt when there is no record, or the process
// it names ended (a PID now another process's counts as ended).
struct LaunchedClient {
  pid_t pid = 0;
  fs::path instance_dir;
};
std::optional<LaunchedClient> find_launched_client(Machine& m, const fs::path& run_dir);

}  // namespace platformd
