#include "system/boinc_namespace.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "exit_codes.h"

namespace platformd {

namespace {

// Who the client runs as, resolved before fork (NSS is not for a forked child).
struct Identity {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;
  // The environment the client gets: ours, with HOME, USER, LOGNAME and SHELL of the user, as
  // systemd sets them for a unit's User= (box64 reads its rc file from $HOME, docs/box64.md).
  std::vector<std::string> env;
};

std::vector<std::string> environment_of(const struct passwd& pw) {
  std::vector<std::string> inherited;
  for (char** e = environ; e && *e; ++e) inherited.emplace_back(*e);
  return client_environment(inherited, pw.pw_dir ? pw.pw_dir : "", pw.pw_name ? pw.pw_name : "",
                            pw.pw_shell ? pw.pw_shell : "");
}

std::vector<char*> pointers(const std::vector<std::string>& v) {
  std::vector<char*> out;
  for (const auto& s : v) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

Result<Identity> identity_of(const std::string& user) {
  struct passwd* pw = ::getpwnam(user.c_str());
  if (!pw) return fail(exit_code::usage, "no user named '{}'", user);
  Identity id{pw->pw_uid, pw->pw_gid, {}, environment_of(*pw)};
  int n = 64;
  for (int tries = 0; tries < 8; ++tries) {
    id.groups.resize(static_cast<std::size_t>(n));
    int got = n;
    if (::getgrouplist(user.c_str(), pw->pw_gid, id.groups.data(), &got) >= 0) {
      id.groups.resize(static_cast<std::size_t>(got));
      return id;
    }
    n = got > n ? got : n * 2;
  }
  return fail(exit_code::failure, "cannot list the groups of '{}'", user);
}

// Is `id` in one of the map's ranges (the IDs of this namespace, the first column)?
bool mapped(const std::string& map, unsigned long long id) {
  std::istringstream lines(map);
  unsigned long long inside = 0, outside = 0, count = 0;
  while (lines >> inside >> outside >> count)
    if (inside <= id && id - inside < count) return true;
  return false;
}

// The child's map: each range of ours, the same IDs on both sides (identity).
Result<std::string> identity_map(const char* own_map) {
  std::ifstream in(own_map);
  if (!in) return fail(exit_code::failure, "cannot read {}", own_map);
  std::string out, line;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    unsigned long long inside = 0, outside = 0, count = 0;
    if (f >> inside >> outside >> count) out += fmt::format("{} {} {}\n", inside, inside, count);
  }
  if (out.empty()) return fail(exit_code::failure, "{} is empty", own_map);
  return out;
}

Result<void> write_map(pid_t pid, const char* which, const std::string& text) {
  const std::string path = fmt::format("/proc/{}/{}", pid, which);
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd || ::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
    return fail(exit_code::failure, "cannot write {}: {}", path, std::strerror(errno));
  return {};
}

[[noreturn]] void child_fail(int status, const char* what) {
  const int code = errno;
  char buf[512];
  int n = std::snprintf(buf, sizeof buf, "E%s: %s", what, std::strerror(code));
  if (n > 0) (void)!::write(status, buf, static_cast<std::size_t>(n) < sizeof buf ? n : sizeof buf - 1);
  ::_exit(127);
}

bool expect(int fd, char want) {
  char c = 0;
  return ::read(fd, &c, 1) == 1 && c == want;
}

// What the parent reads on the status pipe: the byte `want`, or the child's error text.
Result<void> await(int fd, char want, const char* step) {
  char buf[512];
  ssize_t n = ::read(fd, buf, sizeof buf);
  if (n == 1 && buf[0] == want) return {};
  if (n > 1 && buf[0] == 'E')
    return fail(exit_code::failure, "BOINC's namespace: {}", std::string(buf + 1, static_cast<std::size_t>(n - 1)));
  return fail(exit_code::failure, "BOINC's namespace: the child ended before {}", step);
}

}  // namespace

std::vector<std::string> client_environment(const std::vector<std::string>& inherited, const std::string& home,
                                            const std::string& user, const std::string& shell) {
  const std::pair<std::string_view, const std::string*> own[] = {
      {"HOME", &home}, {"USER", &user}, {"LOGNAME", &user}, {"SHELL", &shell}};
  constexpr std::string_view kTranslatorPrefixes[] = {"QEMU_", "BOX64_", "BOX86_", "FEX_"};
  std::vector<std::string> env;
  for (const auto& kv : inherited) {
    const std::string_view name = std::string_view(kv).substr(0, kv.find('='));
    bool dropped = false;
    for (const auto& [k, v] : own) dropped = dropped || name == k;
    for (auto prefix : kTranslatorPrefixes) dropped = dropped || name.starts_with(prefix);
    if (!dropped) env.push_back(kv);
  }
  for (const auto& [k, v] : own) env.push_back(fmt::format("{}={}", k, *v));
  return env;
}

Result<BoincNamespace> BoincNamespace::start(const fs::path& mount_point, const std::string& user,
                                             const std::vector<std::string>& argv) {
  // No command line: a scratch namespace, to verify in (it is never released, and killed by
  // the destructor).
  Result<Identity> id = Identity{};
  if (!argv.empty()) id = identity_of(user);
  if (!id) return id.error();
  auto uid_map = identity_map("/proc/self/uid_map");
  if (!uid_map) return uid_map.error();
  auto gid_map = identity_map("/proc/self/gid_map");
  if (!gid_map) return gid_map.error();
  // A group this namespace does not map cannot be held in the child's either (setgroups would
  // fail): on a machine every ID is mapped; in a test namespace only a few are.
  std::erase_if(id->groups, [&](gid_t g) { return !mapped(*gid_map, g); });
  std::vector<char*> args = pointers(argv), envp = pointers(id->env);
  const std::string mp = mount_point.string();
  const bool scratch = argv.empty();

  int go[2], status[2];
  if (::pipe2(go, O_CLOEXEC) != 0 || ::pipe2(status, O_CLOEXEC) != 0)
    return fail(exit_code::failure, "pipe: {}", std::strerror(errno));
  pid_t pid = ::fork();
  if (pid < 0) return fail(exit_code::failure, "fork: {}", std::strerror(errno));
  if (pid == 0) {
    ::close(go[1]);
    ::close(status[0]);
    const int in = go[0], out = status[1];
    if (::unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0)
      child_fail(out,
                 "unshare(CLONE_NEWUSER|CLONE_NEWNS) (refused inside a chroot, and where "
                 "user.max_user_namespaces is 0)");
    (void)!::write(out, "u", 1);
    if (!expect(in, 'm')) ::_exit(127);  // the parent could not map us: it says why
    // Our mounts are ours: nothing mounted here reaches the machine's namespace.
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) child_fail(out, "making / private");
    if (::mount("binfmt_misc", mp.c_str(), "binfmt_misc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0)
      child_fail(out, "mounting binfmt_misc in it (Linux 6.7 or later gives a user namespace its own)");
    (void)!::write(out, "b", 1);
    if (!expect(in, 'g') || scratch) ::_exit(127);
    if (::setgroups(id->groups.size(), id->groups.data()) != 0) child_fail(out, "setgroups");
    if (::setgid(id->gid) != 0) child_fail(out, "setgid");
    if (::setuid(id->uid) != 0) child_fail(out, "setuid");
    ::execve(args[0], args.data(), envp.data());
    child_fail(out, "execve");
  }
  ::close(go[0]);
  ::close(status[1]);
  BoincNamespace ns(pid, mount_point, UniqueFd(go[1]), UniqueFd(status[0]));
  if (auto r = await(ns.status_.get(), 'u', "its namespaces were made"); !r) return r.error();
  // The identity of our own maps: root outside is root inside, the boinc user is itself.
  if (auto r = write_map(pid, "uid_map", *uid_map); !r) return r.error();
  if (auto r = write_map(pid, "gid_map", *gid_map); !r) return r.error();
  (void)!::write(ns.go_.get(), "m", 1);
  if (auto r = await(ns.status_.get(), 'b', "binfmt_misc was mounted"); !r) return r.error();
  return ns;
}

BoincNamespace::BoincNamespace(BoincNamespace&& o) noexcept
    : pid_(o.pid_),
      mount_point_(std::move(o.mount_point_)),
      go_(std::move(o.go_)),
      status_(std::move(o.status_)),
      released_(o.released_) {
  o.pid_ = -1;
}

BoincNamespace::~BoincNamespace() {
  if (pid_ > 0 && !released_) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

fs::path BoincNamespace::instance_dir() const {
  return fs::path(fmt::format("/proc/{}/root", pid_)) / mount_point_.relative_path();
}

Result<void> BoincNamespace::release() {
  released_ = true;
  (void)!::write(go_.get(), "g", 1);
  char buf[512];
  ssize_t n = ::read(status_.get(), buf, sizeof buf);  // EOF: the exec closed the pipe
  if (n > 1 && buf[0] == 'E')
    return fail(exit_code::failure, "starting the client: {}", std::string(buf + 1, static_cast<std::size_t>(n - 1)));
  return {};
}

namespace {
volatile sig_atomic_t g_forward_to = 0;
void forward(int sig) {
  if (g_forward_to > 0) ::kill(static_cast<pid_t>(g_forward_to), sig);
}
}  // namespace

int BoincNamespace::wait_forwarding_signals() {
  g_forward_to = pid_;
  struct sigaction sa {};
  sa.sa_handler = forward;
  ::sigemptyset(&sa.sa_mask);
  for (int sig : {SIGTERM, SIGINT, SIGHUP}) ::sigaction(sig, &sa, nullptr);
  int st = 0;
  while (::waitpid(pid_, &st, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  if (WIFEXITED(st)) return WEXITSTATUS(st);
  return 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

Result<void> exec_as(const std::string& user, const std::vector<std::string>& argv) {
  if (argv.empty()) return fail(exit_code::usage, "no client command line");
  auto id = identity_of(user);
  if (!id) return id.error();
  std::vector<char*> args = pointers(argv), envp = pointers(id->env);
  if (::setgroups(id->groups.size(), id->groups.data()) != 0 || ::setgid(id->gid) != 0 || ::setuid(id->uid) != 0)
    return fail(exit_code::failure, "cannot become {}: {}", user, std::strerror(errno));
  ::execve(args[0], args.data(), envp.data());
  return fail(exit_code::failure, "cannot run {}: {}", argv[0], std::strerror(errno));
}

}  // namespace platformd
