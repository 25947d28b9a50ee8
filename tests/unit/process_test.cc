// RealMachine::run when the child cannot be set up (issue 13): under systemd's
// RestrictNamespaces=yes every probe's unshare(CLONE_NEWNET) failed with EPERM, and the verdict
// blamed the binfmt handler ("needs flag F and a static translator"). A failure before execve is
// platformd's own and must be reported as that, with the step that failed.
#include <doctest/doctest.h>

#include "temp_dir.h"

#include <linux/capability.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <string>

#include "in_child.h"
#include "system/machine.h"

using namespace platformd;

namespace {

using namespace platformd::test;

// Removes CAP_SYS_ADMIN from this process's effective set, as a sandbox that forbids
// creating namespaces does (an unprivileged process has none to remove).
bool drop_sys_admin() {
  __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  if (::syscall(SYS_capget, &hdr, data) != 0) return false;
  data[CAP_SYS_ADMIN / 32].effective &= ~(1u << (CAP_SYS_ADMIN % 32));
  return ::syscall(SYS_capset, &hdr, data) == 0;
}

struct Outcome {
  bool exec_failed = false, setup_failed = false;
  std::string described;
};

// Runs `req` in a forked child that first lost CAP_SYS_ADMIN, so this test process keeps its
// privileges; the child reports "<exec_failed><setup_failed>describe()" on a pipe.
Outcome run_without_sys_admin(const RunRequest& req) {
  const std::string got = platformd::test::in_child([&] {
    if (!drop_sys_admin()) return std::string("!!cannot drop CAP_SYS_ADMIN");
    RealMachine m;
    auto r = m.run(req);
    return r ? std::string(1, r->exec_failed ? '1' : '0') + (r->setup_failed ? '1' : '0') + r->describe()
             : "!!" + r.error().message;
  });
  REQUIRE_MESSAGE(got.size() >= 2, got);
  REQUIRE_MESSAGE(got[0] != '!', got);
  return {got[0] == '1', got[1] == '1', got.substr(2)};
}

}  // namespace

TEST_CASE("a child whose network namespace cannot be created is a set-up failure, and says how to allow it") {
  TempDir root;
  RunRequest req;
  req.argv = {"/bin/true"};
  req.chroot_dir = root.path;  // probes run chrooted, and every chrooted run gets its own netns
  req.timeout = std::chrono::milliseconds(5000);
  Outcome o = run_without_sys_admin(req);
  CHECK(o.exec_failed);
  CHECK(o.setup_failed);
  CHECK_MESSAGE(o.described.find("platformd failed to set it up: unshare(CLONE_NEWNET): Operation not permitted") !=
                    std::string::npos,
                o.described);
  CHECK_MESSAGE(o.described.find("RestrictNamespaces=net") != std::string::npos, o.described);
}

TEST_CASE("a program that execve refuses is an exec failure, not a set-up failure") {
  RunRequest req;
  req.argv = {"/nonexistent/platformd-test-program"};
  req.timeout = std::chrono::milliseconds(5000);
  Outcome o = run_without_sys_admin(req);
  CHECK(o.exec_failed);
  CHECK_FALSE(o.setup_failed);
  CHECK_MESSAGE(o.described == "could not be executed: execve: No such file or directory", o.described);
}

TEST_CASE("execve's errno is kept: ENOEXEC for a file no format of this kernel takes") {
  TempDir dir;
  const fs::path junk = dir.path / "not-a-program";
  std::ofstream(junk) << "plain text, no #! line\n";  // execve itself never falls back to a shell
  fs::permissions(junk, fs::perms::owner_all);
  RealMachine m;
  RunRequest req;
  req.argv = {junk.string()};
  req.timeout = std::chrono::milliseconds(5000);
  auto r = m.run(req);
  REQUIRE(r);
  CHECK(r->exec_failed);
  CHECK(r->exec_errno == ENOEXEC);
  req.argv = {(dir.path / "missing").string()};
  auto missing = m.run(req);
  REQUIRE(missing);
  CHECK(missing->exec_errno == ENOENT);
}
