#include "system/launch_record.h"

#include <unistd.h>
#include <charconv>

#include <fmt/format.h>

#include "exit_codes.h"

namespace platformd {

namespace {

template <typename T>
bool number(std::string_view s, T& out) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

std::optional<LaunchRecord> parse_launch_record(std::string_view text) {
  if (!text.ends_with('\n')) return std::nullopt;
  text.remove_suffix(1);
  auto sp = text.find(' ');
  if (sp == std::string_view::npos) return std::nullopt;
  LaunchRecord r;
  if (!number(text.substr(0, sp), r.pid) || !number(text.substr(sp + 1), r.start_time) || r.pid <= 0)
    return std::nullopt;
  return r;
}

std::string format_launch_record(const LaunchRecord& r) {
  return fmt::format("{} {}\n", r.pid, r.start_time);
}

std::optional<std::uint64_t> stat_start_time(std::string_view stat) {
  auto close = stat.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  std::string_view rest = stat.substr(close + 1);
  // After "(comm)": field 3 (state) is the first; field 22 is the 20th.
  for (int field = 3; field <= 22; ++field) {
    auto b = rest.find_first_not_of(' ');
    if (b == std::string_view::npos) return std::nullopt;
    rest.remove_prefix(b);
    auto e = rest.find_first_of(" \n");
    std::string_view word = rest.substr(0, e);
    if (field == 22) {
      std::uint64_t v = 0;
      if (!number(word, v)) return std::nullopt;
      return v;
    }
    if (e == std::string_view::npos) return std::nullopt;
    rest.remove_prefix(e);
  }
  return std::nullopt;
}

fs::path boinc_instance_mount_point(const fs::path& run_dir) {
  return run_dir / "binfmt";
}
fs::path launch_record_file(const fs::path& run_dir) {
  return run_dir / "client";
}

namespace {
std::optional<std::uint64_t> start_time_of(Machine& m, pid_t pid) {
  auto stat = m.read_file(fmt::format("/proc/{}/stat", pid), 4096);
  if (!stat) return std::nullopt;
  return stat_start_time(*stat);
}
}  // namespace

Result<void> write_launch_record(Machine& m, const fs::path& run_dir, pid_t pid) {
  auto t = start_time_of(m, pid);
  if (!t) return fail(exit_code::failure, "cannot read the start time of process {}", pid);
  return m.replace_file(launch_record_file(run_dir), format_launch_record({pid, *t}),
                        FileOwnership{::geteuid(), ::getegid(), 0644});
}

std::optional<LaunchedClient> find_launched_client(Machine& m, const fs::path& run_dir) {
  auto text = m.read_file(launch_record_file(run_dir), 128);
  if (!text) return std::nullopt;
  auto rec = parse_launch_record(*text);
  if (!rec) return std::nullopt;
  auto t = start_time_of(m, rec->pid);
  if (!t || *t != rec->start_time) return std::nullopt;
  return LaunchedClient{
      rec->pid, fs::path(fmt::format("/proc/{}/root", rec->pid)) / boinc_instance_mount_point(run_dir).relative_path()};
}

}  // namespace platformd
