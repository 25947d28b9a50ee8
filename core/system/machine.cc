// RealMachine: the only place the core touches the operating system.
#include "system/machine.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <libmount/libmount.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <memory>

#include "exit_codes.h"
#include "system/unique_fd.h"

namespace platformd {

namespace {

using Clock = std::chrono::steady_clock;

Error errno_error(std::string_view what, const fs::path& p) {
  return fail(exit_code::failure, "{} {}: {}", what, p.string(), std::strerror(errno));
}

struct MntContextFree {
  void operator()(libmnt_context* c) const { mnt_free_context(c); }
};

constexpr long kBinfmtMagic = 0x42494e4d;  // BINFMTFS_MAGIC, linux/magic.h

}  // namespace

std::string RunResult::describe() const {
  if (setup_failed) return fmt::format("could not be started, platformd failed to set it up: {}", err);
  if (exec_failed) return fmt::format("could not be executed: {}", err);
  if (timed_out) return fmt::format("timed out after {:.1f} s", wall_seconds);
  if (term_signal != 0) return fmt::format("killed by signal {} ({})", term_signal, strsignal(term_signal));
  return fmt::format("exit status {}", exit_status);
}

namespace {
// Reads `fd` to its end, refusing more than max_bytes.
Result<std::string> read_all(int fd, const fs::path& p, std::size_t max_bytes) {
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("cannot read", p);
    }
    if (n == 0) break;
    if (out.size() + static_cast<std::size_t>(n) > max_bytes)
      return fail(exit_code::bad_config, "{} is larger than {} bytes; refusing to read it", p.string(), max_bytes);
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}
}  // namespace

Result<std::string> RealMachine::read_file(const fs::path& p, std::size_t max_bytes) {
  UniqueFd fd(::open(p.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return errno_error("cannot open", p);
  return read_all(fd.get(), p, max_bytes);
}

Result<std::string> RealMachine::read_named_file(const fs::path& p, std::size_t max_bytes) {
  UniqueFd fd(::open(p.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY));
  if (!fd) {
    if (errno == ELOOP)
      return fail(exit_code::usage,
                  "{} is a symbolic link; name the file itself (it is opened without following links)", p.string());
    return errno_error("cannot open", p);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return errno_error("cannot stat", p);
  if (!S_ISREG(st.st_mode))
    return fail(exit_code::usage, "{} is not a regular file ({}); refusing to read it", p.string(),
                S_ISFIFO(st.st_mode)  ? "a FIFO"
                : S_ISDIR(st.st_mode) ? "a directory"
                : S_ISCHR(st.st_mode) ? "a device"
                                      : "not a plain file");
  if (static_cast<std::size_t>(st.st_size) > max_bytes)
    return fail(exit_code::bad_config, "{} is larger than {} bytes; refusing to read it", p.string(), max_bytes);
  return read_all(fd.get(), p, max_bytes);
}

Result<void> RealMachine::write_file(const fs::path& p, std::string_view text) {
  UniqueFd fd(::open(p.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) return errno_error("cannot open for writing", p);
  // binfmt_misc parses each write(2) as one complete request: never split it.
  ssize_t n = ::write(fd.get(), text.data(), text.size());
  if (n < 0) return errno_error("cannot write", p);
  if (static_cast<std::size_t>(n) != text.size()) return fail(exit_code::failure, "short write to {}", p.string());
  return {};
}

namespace {
// A process killed between creating its temporary file and renaming it leaves the temporary
// behind. Ours are named `.NAME.platformd-XXXXXX`; those older than a minute (a replacement
// takes milliseconds, so no writer still owns them) are removed before the next replacement.
void remove_stale_temporaries(const fs::path& dir, const std::string& prefix) {
  std::error_code ec;
  const auto now = fs::file_time_type::clock::now();
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() != prefix.size() + 6 || name.compare(0, prefix.size(), prefix) != 0) continue;
    std::error_code e2;
    if (!it->is_regular_file(e2) || it->is_symlink(e2)) continue;
    auto t = fs::last_write_time(it->path(), e2);
    if (!e2 && now - t > std::chrono::minutes(1)) fs::remove(it->path(), e2);
  }
}
}  // namespace

Result<void> RealMachine::replace_file(const fs::path& p, std::string_view text, const FileOwnership& own,
                                       const std::optional<std::string>& expected_old) {
  fs::path dir = p.parent_path().empty() ? fs::path(".") : p.parent_path();
  const std::string prefix = "." + p.filename().string() + ".platformd-";
  remove_stale_temporaries(dir, prefix);
  std::string tmpl = (dir / (prefix + "XXXXXX")).string();
  UniqueFd fd(::mkostemp(tmpl.data(), O_CLOEXEC));
  if (!fd) return errno_error("cannot create a temporary file in", dir);
  fs::path tmp = tmpl;
  auto cleanup = [&] { ::unlink(tmp.c_str()); };
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd.get(), text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      auto e = errno_error("cannot write", tmp);
      cleanup();
      return e;
    }
    done += static_cast<std::size_t>(n);
  }
  // Ownership first, mode second: fchown may clear set-id bits. Only the permission bits are
  // kept: a file of ours never gets set-id bits from the file it replaces (issue 20).
  if (::geteuid() == 0 && ::fchown(fd.get(), own.uid, own.gid) != 0) {
    auto e = errno_error("cannot set the owner of", tmp);
    cleanup();
    return e;
  }
  if (::fchmod(fd.get(), own.mode & 0777) != 0 || ::fsync(fd.get()) != 0) {
    auto e = errno_error("cannot set the mode of or sync", tmp);
    cleanup();
    return e;
  }
  if (expected_old) {
    // Narrow the lost-update window: if someone changed the file since we read it, keep
    // theirs and let the caller re-read and re-apply.
    auto now = read_file(p, 64 << 20);
    std::string current = now ? *now : std::string();
    if (current != *expected_old) {
      cleanup();
      return fail(exit_code::failure, "{} changed while we were editing it; not overwriting", p.string());
    }
  }
  if (::rename(tmp.c_str(), p.c_str()) != 0) {
    auto e = errno_error("cannot rename over", p);
    cleanup();
    return e;
  }
  UniqueFd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dfd) ::fsync(dfd.get());
  return {};
}

Result<std::vector<std::string>> RealMachine::list_dir(const fs::path& p) {
  std::error_code ec;
  std::vector<std::string> names;
  for (auto it = fs::directory_iterator(p, ec); !ec && it != fs::directory_iterator(); it.increment(ec))
    names.push_back(it->path().filename().string());
  if (ec) return fail(exit_code::failure, "cannot list {}: {}", p.string(), ec.message());
  std::sort(names.begin(), names.end());
  return names;
}

Result<bool> RealMachine::ensure_binfmt_mounted(const fs::path& dir) {
  struct statfs sfs {};
  if (::statfs(dir.c_str(), &sfs) == 0 && sfs.f_type == kBinfmtMagic) return false;
  if (::statfs(dir.c_str(), &sfs) != 0)
    return fail(exit_code::failure, "{} does not exist ({}); is this a Linux system with /proc?", dir.string(),
                std::strerror(errno));
  std::unique_ptr<libmnt_context, MntContextFree> cxt(mnt_new_context());
  if (!cxt) return fail(exit_code::failure, "libmount: cannot allocate a context");
  mnt_context_set_source(cxt.get(), "binfmt_misc");
  mnt_context_set_target(cxt.get(), dir.c_str());
  mnt_context_set_fstype(cxt.get(), "binfmt_misc");
  mnt_context_set_options(cxt.get(), "nosuid,nodev,noexec");
  // Do not consult or update fstab/utab: this is a pseudo filesystem the kernel owns.
  mnt_context_disable_mtab(cxt.get(), 1);
  int rc = mnt_context_mount(cxt.get());
  if (rc != 0 || mnt_context_get_status(cxt.get()) != 1) {
    int syserr = mnt_context_get_syscall_errno(cxt.get());
    return fail(exit_code::failure, "cannot mount binfmt_misc on {}: {}", dir.string(),
                syserr ? std::strerror(syserr) : fmt::format("libmount error {}", rc));
  }
  return true;
}

std::string RealMachine::kernel_machine() {
  struct utsname u {};
  ::uname(&u);
  return u.machine;
}

}  // namespace platformd
