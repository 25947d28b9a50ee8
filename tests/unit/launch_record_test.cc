// The launcher's record of the client it started (core/system/launch_record.h): its text, and
// the start time read from /proc/PID/stat, whose command name may hold spaces and parentheses.
#include <doctest/doctest.h>
#include <unistd.h>

#include "system/launch_record.h"
#include "system/machine.h"

using namespace platformd;

TEST_CASE("launch record: the text round-trips, and anything else is no record") {
  auto r = parse_launch_record(format_launch_record({1234, 987654321}));
  REQUIRE(r);
  CHECK(r->pid == 1234);
  CHECK(r->start_time == 987654321u);
  for (const char* bad : {"", "1234 5", "1234\n", "x 5\n", "0 5\n", "-3 5\n", "12 5 6\n", "12  5\n", "12 5x\n"})
    CHECK_MESSAGE(!parse_launch_record(bad), bad);
}

TEST_CASE("launch record: field 22 of /proc/PID/stat, whatever the command name holds") {
  const std::string tail = " S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 424242 19 20\n";
  auto t = stat_start_time("77 (boinc)" + tail);
  REQUIRE(t);
  CHECK(*t == 424242u);
  // A task can name itself "a) S 1 2 ..." through prctl: the last ')' ends the name.
  t = stat_start_time("77 (a) S 1 2 3) 9 9 9)" + tail);
  REQUIRE(t);
  CHECK(*t == 424242u);
  CHECK(!stat_start_time("77 (boinc) S 1 2 3\n"));
  CHECK(!stat_start_time("no parenthesis at all"));
  CHECK(!stat_start_time("77 (boinc) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 notanumber 19\n"));
}

TEST_CASE("launch record: this process's own /proc/self/stat gives a start time") {
  RealMachine m;
  auto stat = m.read_file("/proc/self/stat", 4096);
  REQUIRE(stat);
  CHECK(stat_start_time(*stat));
}

TEST_CASE("launch record: a record names the client only while that very process runs") {
  RealMachine m;
  char tmpl[] = "/tmp/launch-record-XXXXXX";
  REQUIRE(::mkdtemp(tmpl));
  const fs::path dir = tmpl;
  CHECK(!find_launched_client(m, dir));  // no record
  REQUIRE(write_launch_record(m, dir, ::getpid()));
  auto c = find_launched_client(m, dir);
  REQUIRE(c);
  CHECK(c->pid == ::getpid());
  CHECK(c->instance_dir == fs::path("/proc/" + std::to_string(::getpid()) + "/root") / dir.relative_path() / "binfmt");
  // The same PID with another start time: a recycled PID, not the client.
  auto own = parse_launch_record(*m.read_file(launch_record_file(dir), 128));
  REQUIRE(own);
  REQUIRE(m.replace_file(launch_record_file(dir), format_launch_record({own->pid, own->start_time + 1}),
                         FileOwnership{::getuid(), ::getgid(), 0644}, std::nullopt));
  CHECK(!find_launched_client(m, dir));
  REQUIRE(
      m.replace_file(launch_record_file(dir), "garbage\n", FileOwnership{::getuid(), ::getgid(), 0644}, std::nullopt));
  CHECK(!find_launched_client(m, dir));
  fs::remove_all(dir);
}
