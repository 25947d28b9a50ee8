// RealMachine's directory handles (core/system/dir_handle.cc) on the real file system: what a
// handle names stays what it named when a directory of its path is swapped for a symlink, a
// FIFO is refused without waiting, and symlinks are followed only where they are allowed.
// The attacks by a real other user are integration tests (test-hostile-symlink-swap.sh,
// test-hostile-fifo.sh).
#include <doctest/doctest.h>

#include "temp_dir.h"

#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>

#include "exit_codes.h"
#include "in_child.h"
#include "system/machine.h"

using namespace platformd;

namespace {

using namespace platformd::test;

}  // namespace

TEST_CASE("dir handle: a write goes where the handle was opened, not where the path now leads") {
  TempDir t;
  RealMachine real;
  Machine& m = real;
  fs::create_directories(t.path / "data/sub");
  fs::create_directories(t.path / "victim");
  auto data = m.open_dir(t.path / "data");
  REQUIRE_MESSAGE(data, (data ? "" : data.error().message));
  auto sub = m.open_dir(*data, "sub");
  REQUIRE_MESSAGE(sub, (sub ? "" : sub.error().message));
  // The swap of issue 12: after the check, sub becomes a symlink to another directory.
  fs::rename(t.path / "data/sub", t.path / "data/sub.real");
  fs::create_directory_symlink(t.path / "victim", t.path / "data/sub");
  REQUIRE(m.replace_file_at(*sub, "cc_config.xml", "<cc_config/>\n", FileOwnership{::geteuid(), ::getegid(), 0644}));
  CHECK(fs::is_empty(t.path / "victim"));
  CHECK(slurp(t.path / "data/sub.real/cc_config.xml") == "<cc_config/>\n");
  // No temporary left behind.
  std::size_t n = 0;
  for (auto& e : fs::directory_iterator(t.path / "data/sub.real")) n += e.path().filename() != "cc_config.xml";
  CHECK(n == 0);
  // And a new resolution beneath the data directory refuses the symlink out of it.
  auto again = m.open_dir(*data, "sub");
  REQUIRE_FALSE(again);
  CHECK(again.error().code == exit_code::bad_config);
  CHECK(again.error().message.find("leads outside") != std::string::npos);
}

TEST_CASE("dir handle: a FIFO is refused at once, a symlink is not followed, a large file is refused") {
  TempDir t;
  RealMachine real;
  Machine& m = real;
  REQUIRE(::mkfifo((t.path / "client_state_next.xml").c_str(), 0644) == 0);
  fs::create_symlink("/etc/passwd", t.path / "link.xml");
  put(t.path / "big.xml", std::string(2000, 'x'));
  put(t.path / "ok.xml", "<cc_config/>\n");
  ::chmod((t.path / "ok.xml").c_str(), 0640);
  auto d = m.open_dir(t.path);
  REQUIRE(d);
  const auto t0 = std::chrono::steady_clock::now();
  auto fifo = m.read_file_at(*d, "client_state_next.xml");
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(1));
  REQUIRE_FALSE(fifo);
  CHECK(fifo.error().message ==
        (t.path / "client_state_next.xml").string() + " is not a regular file (a FIFO); not reading it");
  auto link = m.read_file_at(*d, "link.xml");
  REQUIRE_FALSE(link);
  CHECK(link.error().code == exit_code::bad_config);
  auto big = m.read_file_at(*d, "big.xml", 1000);
  REQUIRE_FALSE(big);
  CHECK(big.error().message == (t.path / "big.xml").string() + " is larger than 1000 bytes; refusing to read it");
  auto absent = m.read_file_at(*d, "absent.xml");
  REQUIRE(absent);
  CHECK_FALSE(*absent);
  auto ok = m.read_file_at(*d, "ok.xml");
  REQUIRE(ok);
  REQUIRE(*ok);
  CHECK((*ok)->text == "<cc_config/>\n");
  CHECK((*ok)->own.mode == 0640);
  CHECK((*ok)->own.uid == ::geteuid());
  auto e = m.inspect_at(*d, "link.xml");
  REQUIRE(e);
  CHECK(e->kind == DirEntry::Kind::symlink);
  CHECK(e->link_target == "/etc/passwd");
  CHECK_FALSE(m.read_file_at(*d, "../x"));  // one component only
}

TEST_CASE("dir handle: replace_file_at keeps the other writer's change (expected_old)") {
  TempDir t;
  RealMachine real;
  Machine& m = real;
  put(t.path / "cc_config.xml", "theirs\n");
  auto d = m.open_dir(t.path);
  REQUIRE(d);
  auto r = m.replace_file_at(*d, "cc_config.xml", "ours\n", FileOwnership{::geteuid(), ::getegid(), 0644},
                             std::string("what we read\n"));
  REQUIRE_FALSE(r);
  CHECK(slurp(t.path / "cc_config.xml") == "theirs\n");
  CHECK(m.replace_file_at(*d, "cc_config.xml", "ours\n", FileOwnership{::geteuid(), ::getegid(), 0600},
                          std::string("theirs\n")));
  CHECK(slurp(t.path / "cc_config.xml") == "ours\n");
  CHECK((fs::status(t.path / "cc_config.xml").permissions() & fs::perms::all) == fs::perms(0600));
}

TEST_CASE("dir handle: open_dir follows a symlink only where no other user could have changed it") {
  TempDir t;
  RealMachine real;
  Machine& m = real;
  fs::create_directories(t.path / "real");
  fs::create_directory_symlink("real", t.path / "alias");
  auto ok = m.open_dir(t.path / "alias");
  REQUIRE_MESSAGE(ok, (ok ? "" : ok.error().message));
  // A world-writable (not sticky) directory: anyone could have made or re-aimed the link.
  fs::create_directories(t.path / "open");
  ::chmod((t.path / "open").c_str(), 0777);
  fs::create_directory_symlink(t.path / "real", t.path / "open/alias");
  auto bad = m.open_dir(t.path / "open/alias");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message.find("another user could change") != std::string::npos);
  // A directory below it can be opened, but is reported as one another user could replace.
  fs::create_directories(t.path / "open/dir");
  auto below = m.open_dir(t.path / "open/dir");
  REQUIRE(below);
  CHECK(below->swappable_because.find("writable by every user") != std::string::npos);
  auto top = m.open_dir(t.path / "real");
  REQUIRE(top);
  CHECK(top->swappable_because.empty());
}

TEST_CASE("dir handle: a link owned by another user is followed in root's directory, not in a sticky shared one") {
  if (::geteuid() != 0) return;  // lchown to another uid needs root
  TempDir t;
  RealMachine real;
  Machine& m = real;
  fs::create_directories(t.path / "boinc-client");
  // Debian: /var/lib/boinc -> boinc-client, the link the boinc user's, /var/lib root's 0755.
  fs::create_directory_symlink("boinc-client", t.path / "boinc");
  REQUIRE(::lchown((t.path / "boinc").c_str(), 4242, 4242) == 0);
  auto ok = m.open_dir(t.path / "boinc");
  REQUIRE_MESSAGE(ok, (ok ? "" : ok.error().message));
  // In a sticky world-writable directory its owner may remove and re-make it.
  fs::create_directories(t.path / "tmp");
  ::chmod((t.path / "tmp").c_str(), 01777);
  fs::create_directory_symlink(t.path / "boinc-client", t.path / "tmp/boinc");
  REQUIRE(::lchown((t.path / "tmp/boinc").c_str(), 4242, 4242) == 0);
  auto bad = m.open_dir(t.path / "tmp/boinc");
  REQUIRE_FALSE(bad);
  CHECK_MESSAGE(bad.error().message.find("owned by uid 4242, in the shared directory") != std::string::npos,
                bad.error().message);
}

namespace {

// In a forked child: openat2 answers ENOSYS (a seccomp filter, as systemd's
// RestrictSUIDSGID= installs one), then `body` runs; its string comes back through a pipe.
std::string without_openat2(const std::function<std::string()>& body) {
  return platformd::test::in_child([&] {
    sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat2, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA)),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    sock_fprog prog{static_cast<unsigned short>(sizeof filter / sizeof filter[0]), filter};
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0)
      return std::string("!filter");
    return ::syscall(SYS_openat2, AT_FDCWD, "/", nullptr, 0) < 0 && errno == ENOSYS ? body() : "!not ENOSYS";
  });
}

}  // namespace

TEST_CASE("dir handle: without openat2 (ENOSYS, as under systemd's RestrictSUIDSGID=) the walk is stricter, not open") {
  TempDir t;
  fs::create_directories(t.path / "data/sub");
  put(t.path / "data/sub/cc_config.xml", "<cc_config/>\n");
  fs::create_directory_symlink(t.path / "data/sub", t.path / "data/link");
  const std::string got = without_openat2([&] {
    RealMachine m;
    auto root = m.open_dir(t.path / "data");
    if (!root) return "!root: " + root.error().message;
    auto sub = m.open_dir(*root, "sub");
    if (!sub) return "!sub: " + sub.error().message;
    auto read = m.read_file_at(*sub, "cc_config.xml", 1 << 20);
    std::string out = read && *read ? (*read)->text : "!read";
    FileOwnership own{::geteuid(), ::getegid(), 0644};
    if (auto w = m.replace_file_at(*sub, "cc_config.xml", "<cc_config>new</cc_config>\n", own, out); !w)
      return "!replace: " + w.error().message;
    auto again = m.read_file_at(*sub, "cc_config.xml", 1 << 20);
    out += again && *again ? (*again)->text : "!reread";
    auto link = m.open_dir(*root, "link");
    out += link ? "link followed" : "link: " + link.error().message;
    auto up = m.open_dir(*sub, "../sub");
    out += up ? "; .. followed" : "; ..: " + up.error().message;
    return out;
  });
  REQUIRE_MESSAGE(got.rfind("<cc_config/>\n<cc_config>new</cc_config>\n", 0) == 0, got);
  CHECK_MESSAGE(got.find("link: ") != std::string::npos, got);
  CHECK_MESSAGE(got.find("; ..: ") != std::string::npos, got);
  CHECK_MESSAGE(got.find("leads outside") != std::string::npos, got);
}
