// RealMachine::run: starts one program with a timeout, resource limits, and optionally an
// empty root and no privileges (how probes run), and collects its output.
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>

#include <fmt/format.h>

#include "exit_codes.h"
#include "system/machine.h"
#include "system/unique_fd.h"

namespace platformd {

namespace {

constexpr uid_t kNobody = kUnprivilegedUid;

// Everything the child needs, prepared before fork so the child only makes system calls.
struct ChildPlan {
  const char* program = nullptr;
  std::vector<char*> argv;
  std::vector<char*> envp;
  const char* root = nullptr;
  int user_ns = -1, mount_ns = -1;  // setns into these first (RunRequest::join_namespaces_of)
  bool drop = false;
  rlimit as{}, cpu{}, core{0, 0};
  bool limit_as = false, limit_cpu = false;
};

// Report "<step><errno as int>what: strerror[; hint]" on the error pipe; the parent turns it into exec_failed.
// step: 'S' for a step that sets the child up before the program (limits, network namespace,
// chroot, identity), 'X' for execve itself. A set-up failure is platformd's own and says
// nothing about the program, its handler or its translator, so it must not be reported as one.
[[noreturn]] void child_fail(int errfd, char step, const char* what, const char* hint = nullptr) {
  const int code = errno;
  const char* e = std::strerror(code);
  (void)!::write(errfd, &step, 1);
  (void)!::write(errfd, &code, sizeof code);
  (void)!::write(errfd, what, std::strlen(what));
  (void)!::write(errfd, ": ", 2);
  (void)!::write(errfd, e, std::strlen(e));
  if (hint) {
    (void)!::write(errfd, "; ", 2);
    (void)!::write(errfd, hint, std::strlen(hint));
  }
  ::_exit(127);
}

[[noreturn]] void run_child(const ChildPlan& p, int out, int err, int status_fd) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  ::dup2(out, 1);
  ::dup2(err, 2);
  int devnull = ::open("/dev/null", O_RDONLY);
  if (devnull >= 0) ::dup2(devnull, 0);
  ::setrlimit(RLIMIT_CORE, &p.core);
  if (p.limit_as && ::setrlimit(RLIMIT_AS, &p.as) != 0) child_fail(status_fd, 'S', "setrlimit(RLIMIT_AS)");
  if (p.limit_cpu && ::setrlimit(RLIMIT_CPU, &p.cpu) != 0) child_fail(status_fd, 'S', "setrlimit(RLIMIT_CPU)");
  if (p.user_ns >= 0 && (::setns(p.user_ns, CLONE_NEWUSER) != 0 || ::setns(p.mount_ns, CLONE_NEWNS) != 0))
    child_fail(status_fd, 'S', "setns(BOINC's user and mount namespaces)");
  if (p.root) {
    // No network for probes: a fresh, empty network namespace (needs privilege; we have it
    // whenever we may chroot).
    // Under systemd, RestrictNamespaces=yes fails this with EPERM (issue 13): say so here,
    // where the step is known.
    if (::unshare(CLONE_NEWNET) != 0)
      child_fail(status_fd, 'S', "unshare(CLONE_NEWNET)",
                 "probes run in a new network namespace, which this process may not create (a systemd unit "
                 "needs RestrictNamespaces=net, a container must allow it)");
    if (::chdir(p.root) != 0 || ::chroot(".") != 0 || ::chdir("/") != 0) child_fail(status_fd, 'S', "chroot");
  }
  if (p.drop && ::geteuid() == 0) {
    // setgroups/setgid/setuid fail with EINVAL when nobody is not mapped in this user
    // namespace (a test namespace maps only root); there, root is already unprivileged.
    if (::setgroups(0, nullptr) != 0 && errno != EPERM) child_fail(status_fd, 'S', "setgroups");
    if (::setgid(kNobody) != 0 && errno != EINVAL) child_fail(status_fd, 'S', "setgid(nobody)");
    if (::setuid(kNobody) != 0 && errno != EINVAL) child_fail(status_fd, 'S', "setuid(nobody)");
  }
  ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  ::execve(p.program, p.argv.data(), p.envp.data());
  child_fail(status_fd, 'X', "execve");
}

}  // namespace

Result<RunResult> RealMachine::run(const RunRequest& req) {
  if (req.argv.empty()) return fail(exit_code::failure, "internal: run() without a program");
  std::vector<std::string> argv = req.argv, env = req.env;
  std::string program = req.program.empty() ? req.argv[0] : req.program;
  ChildPlan plan;
  plan.program = program.c_str();
  for (auto& a : argv) plan.argv.push_back(a.data());
  plan.argv.push_back(nullptr);
  for (auto& e : env) plan.envp.push_back(e.data());
  plan.envp.push_back(nullptr);
  std::string root = req.chroot_dir ? req.chroot_dir->string() : std::string();
  plan.root = req.chroot_dir ? root.c_str() : nullptr;
  plan.drop = req.drop_privileges;
  if (req.max_address_space) {
    plan.limit_as = true;
    plan.as = {req.max_address_space, req.max_address_space};
  }
  if (req.max_cpu_seconds) {
    plan.limit_cpu = true;
    plan.cpu = {req.max_cpu_seconds, req.max_cpu_seconds + 1};
  }

  UniqueFd user_ns, mount_ns;
  if (req.join_namespaces_of > 0) {
    user_ns.reset(::open(fmt::format("/proc/{}/ns/user", req.join_namespaces_of).c_str(), O_RDONLY | O_CLOEXEC));
    mount_ns.reset(::open(fmt::format("/proc/{}/ns/mnt", req.join_namespaces_of).c_str(), O_RDONLY | O_CLOEXEC));
    if (!user_ns || !mount_ns)
      return fail(exit_code::failure, "cannot open the namespaces of process {}: {}", req.join_namespaces_of,
                  std::strerror(errno));
    plan.user_ns = user_ns.get();
    plan.mount_ns = mount_ns.get();
  }

  int outp[2], errp[2], statp[2];
  if (::pipe2(outp, O_CLOEXEC) != 0 || ::pipe2(errp, O_CLOEXEC) != 0 || ::pipe2(statp, O_CLOEXEC) != 0)
    return fail(exit_code::failure, "pipe: {}", std::strerror(errno));
  UniqueFd out_r(outp[0]), out_w(outp[1]), err_r(errp[0]), err_w(errp[1]), st_r(statp[0]), st_w(statp[1]);

  auto start = std::chrono::steady_clock::now();
  pid_t pid = ::fork();
  if (pid < 0) return fail(exit_code::failure, "fork: {}", std::strerror(errno));
  if (pid == 0) run_child(plan, out_w.get(), err_w.get(), st_w.get());
  out_w.reset();
  err_w.reset();
  st_w.reset();

  RunResult r;
  std::string status_msg;
  auto deadline = start + req.timeout;
  pollfd fds[3] = {{out_r.get(), POLLIN, 0}, {err_r.get(), POLLIN, 0}, {st_r.get(), POLLIN, 0}};
  std::string* sinks[3] = {&r.out, &r.err, &status_msg};
  int open_fds = 3;
  while (open_fds > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      r.timed_out = true;
      break;
    }
    int n = ::poll(fds, 3, static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    for (int i = 0; i < 3; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[8192];
      ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
      if (got <= 0) {
        fds[i].fd = -1;
        --open_fds;
        continue;
      }
      if (sinks[i]->size() < req.max_output)
        sinks[i]->append(buf, std::min<std::size_t>(got, req.max_output - sinks[i]->size()));
    }
  }
  int wstatus = 0;
  if (r.timed_out) {
    ::kill(pid, SIGKILL);  // our own child, by PID
    ::waitpid(pid, &wstatus, 0);
  } else {
    // Output closed: the program is exiting; wait for it, but never past the deadline.
    for (;;) {
      pid_t w = ::waitpid(pid, &wstatus, WNOHANG);
      if (w == pid) break;
      if (std::chrono::steady_clock::now() >= deadline) {
        r.timed_out = true;
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &wstatus, 0);
        break;
      }
      ::usleep(1000);
    }
  }
  r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!status_msg.empty()) {
    r.exec_failed = true;
    r.setup_failed = status_msg[0] == 'S';
    if (status_msg.size() >= 1 + sizeof r.exec_errno)
      std::memcpy(&r.exec_errno, status_msg.data() + 1, sizeof r.exec_errno);
    r.err = status_msg.substr(std::min(status_msg.size(), 1 + sizeof r.exec_errno));
  }
  if (!r.timed_out) {
    if (WIFEXITED(wstatus)) r.exit_status = WEXITSTATUS(wstatus);
    if (WIFSIGNALED(wstatus)) r.term_signal = WTERMSIG(wstatus);
  }
  return r;
}

}  // namespace platformd
