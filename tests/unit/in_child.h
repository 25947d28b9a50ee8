// For unit tests that must change the process itself (drop a capability, install a seccomp
// filter): `body` runs in a forked child, and the string it returns comes back through a pipe.
// The test process keeps its privileges and its syscalls.
#pragma once

#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <string>

namespace platformd::test {

inline std::string in_child(const std::function<std::string()>& body) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(fds[0]);
    const std::string out = body();
    (void)!::write(fds[1], out.data(), out.size());
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string got;
  char buf[4096];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) got.append(buf, n);
  ::close(fds[0]);
  ::waitpid(pid, nullptr, 0);
  return got;
}

}  // namespace platformd::test
