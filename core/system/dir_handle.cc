// RealMachine's directory-handle API: the files of the BOINC data and configuration
// directories, which the boinc user owns and may rearrange while we work (issue 12).
//
// Everything is relative to a directory opened once. A name is never looked up again from
// the top, so swapping a directory for a symlink after our check changes nothing we touch;
// no symlink is followed unless the kernel resolves it beneath the handle; no mount point is
// crossed; and a file is opened O_NONBLOCK and read only once fstat says it is a regular file
// of bounded size, so a FIFO (or a socket, or a device) cannot hold us.
#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <optional>
#include <vector>

#include "exit_codes.h"
#include "system/machine.h"

namespace platformd {

namespace {

constexpr std::size_t kMaxPathSize = 4096;

Error errno_error(std::string_view what, const fs::path& p) {
  return fail(exit_code::failure, "{} {}: {}", what, p.string(), std::strerror(errno));
}

// Where openat2 answers ENOSYS: the same lookup, one component at a time, each opened with
// O_NOFOLLOW relative to the one before. Stricter than the resolve flags asked for: no symlink
// and no ".." at all (ELOOP, EXDEV), and every component on dirfd's file system (EXDEV).
int openat_walk(int dirfd, const std::string& path, std::uint64_t flags, mode_t mode) {
  struct stat top {};
  if (::fstat(dirfd, &top) != 0) return -1;
  std::vector<std::string> parts;
  for (std::size_t pos = 0; pos <= path.size();) {
    std::size_t slash = path.find('/', pos);
    if (slash == std::string::npos) slash = path.size();
    if (std::string part = path.substr(pos, slash - pos); !part.empty() && part != ".") parts.push_back(part);
    pos = slash + 1;
  }
  if (parts.empty()) parts.push_back(".");
  UniqueFd cur;
  int at = dirfd;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (parts[i] == "..") {
      errno = EXDEV;
      return -1;
    }
    const bool last = i + 1 == parts.size();
    const int f = last ? static_cast<int>(flags) | O_NOFOLLOW : O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
    UniqueFd next(::openat(at, parts[i].c_str(), f, mode));
    if (!next) {
      if (errno == ENOTDIR && !last) errno = ELOOP;  // a symlink in the middle
      return -1;
    }
    struct stat st {};
    if (::fstat(next.get(), &st) != 0) return -1;
    if (st.st_dev != top.st_dev) {
      errno = EXDEV;
      return -1;
    }
    cur = std::move(next);
    at = cur.get();
  }
  return cur.release();
}

int openat2_retry(int dirfd, const std::string& path, std::uint64_t flags, std::uint64_t resolve, mode_t mode = 0) {
  struct open_how how {};
  how.flags = flags;
  how.mode = mode;
  how.resolve = resolve;
  for (int attempt = 0;; ++attempt) {
    long fd = ::syscall(SYS_openat2, dirfd, path.c_str(), &how, sizeof how);
    // EAGAIN: a rename raced the lookup of ".." under RESOLVE_BENEATH; the kernel asks for a retry.
    if (fd < 0 && (errno == EAGAIN || errno == EINTR) && attempt < 16) continue;
    // ENOSYS: systemd's RestrictSUIDSGID= answers openat2 so (it cannot see the mode inside
    // struct open_how, so it makes callers fall back; seen in the VM tier under
    // platformd.service), as does a kernel before 5.6.
    if (fd < 0 && errno == ENOSYS) return openat_walk(dirfd, path, flags, mode);
    return static_cast<int>(fd);
  }
}

constexpr std::uint64_t kBeneath = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;

// In a user namespace an owner that is not mapped shows as the overflow uid: someone outside
// it, for whom its root cannot act anyway. (run-in-namespace without real root maps only
// root, and the machine's /tmp then shows as 65534.) In the initial namespace every uid is
// mapped, so this never applies there.
bool owner_outside_namespace(uid_t uid) {
  static const std::optional<uid_t> overflow = []() -> std::optional<uid_t> {
    unsigned long o = 0, inside = 0, outside = 0, count = 0;
    FILE* f = std::fopen("/proc/sys/kernel/overflowuid", "re");
    if (!f) return std::nullopt;
    const bool got = std::fscanf(f, "%lu", &o) == 1;
    std::fclose(f);
    if (!got || !(f = std::fopen("/proc/self/uid_map", "re"))) return std::nullopt;
    bool mapped = false;
    while (std::fscanf(f, "%lu %lu %lu", &inside, &outside, &count) == 3)
      mapped = mapped || (o >= inside && o - inside < count);
    std::fclose(f);
    return mapped ? std::nullopt : std::optional<uid_t>(static_cast<uid_t>(o));
  }();
  return overflow && uid == *overflow;
}

// Could a user other than root and us rename entries of a directory with these attributes?
// A sticky directory (/tmp) lets each user rename only their own entries.
bool others_can_rename_in(const struct stat& st, std::string* why) {
  const uid_t me = ::geteuid();
  if (st.st_uid != 0 && st.st_uid != me && !owner_outside_namespace(st.st_uid)) {
    *why = fmt::format("owned by uid {}", st.st_uid);
    return true;
  }
  if (st.st_mode & S_ISVTX) return false;
  if ((st.st_mode & S_IWOTH) || ((st.st_mode & S_IWGRP) && st.st_gid != 0)) {
    *why =
        fmt::format("writable by {} (mode {:o})",
                    (st.st_mode & S_IWOTH) ? "every user" : "group " + std::to_string(st.st_gid), st.st_mode & 07777);
    return true;
  }
  return false;
}

std::string fd_path(int fd, const fs::path& fallback) {
  char buf[kMaxPathSize];
  ssize_t n = ::readlink(fmt::format("/proc/self/fd/{}", fd).c_str(), buf, sizeof buf);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : fallback.string();
}

uid_t owner_of(int fd) {
  struct stat st {};
  return ::fstat(fd, &st) == 0 ? st.st_uid : static_cast<uid_t>(-1);
}

// The first directory above `fd` whose entries another user could rename (which would let
// them replace the directory below it); empty when there is none up to the root.

std::string swappable_ancestor(int fd, const fs::path& path) {
  UniqueFd cur(::openat(fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC));
  for (int depth = 0; cur && depth < 256; ++depth) {
    UniqueFd parent(::openat(cur.get(), "..", O_PATH | O_DIRECTORY | O_CLOEXEC));
    struct stat cs {
    }, ps{};
    if (!parent || ::fstat(cur.get(), &cs) != 0 || ::fstat(parent.get(), &ps) != 0)
      return fmt::format("the directories above {} cannot be examined: {}", path.string(), std::strerror(errno));
    if (cs.st_dev == ps.st_dev && cs.st_ino == ps.st_ino) return {};  // the root
    std::string why;
    if (others_can_rename_in(ps, &why)) return fmt::format("{} is {}", fd_path(parent.get(), path), why);
    cur = std::move(parent);
  }
  return {};
}

bool one_component(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos;
}

std::vector<std::string> components(const fs::path& p) {
  std::vector<std::string> out;
  for (const auto& c : p.relative_path()) out.push_back(c.string());
  return out;
}

// Temporaries are `.NAME.platformd-XXXXXX`. Those older than a minute were left by a process
// killed between creating and renaming one (a replacement takes milliseconds).
void remove_stale_temporaries(int dirfd, const std::string& prefix) {
  int lfd = ::openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (lfd < 0) return;
  DIR* d = ::fdopendir(lfd);
  if (!d) {
    ::close(lfd);
    return;
  }
  const time_t now = ::time(nullptr);
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name.size() != prefix.size() + 6 || name.compare(0, prefix.size(), prefix) != 0) continue;
    struct stat st {};
    if (::fstatat(lfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode)) continue;
    if (now - st.st_mtime > 60) ::unlinkat(lfd, name.c_str(), 0);
  }
  ::closedir(d);
}

std::string random_suffix() {
  static constexpr char kChars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  unsigned char bytes[6] = {};
  if (::getrandom(bytes, sizeof bytes, 0) != static_cast<ssize_t>(sizeof bytes))
    for (auto& b : bytes) b = static_cast<unsigned char>(::random());
  std::string s;
  for (unsigned char b : bytes) s.push_back(kChars[b % (sizeof kChars - 1)]);
  return s;
}

}  // namespace

Result<DirHandle> RealMachine::open_dir(const fs::path& p) {
  if (!p.is_absolute()) return fail(exit_code::usage, "{}: an absolute directory path is needed", p.string());
  UniqueFd cur(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!cur) return errno_error("cannot open", "/");
  fs::path at = "/";
  std::deque<std::string> rest;
  for (auto& c : components(p)) rest.push_back(std::move(c));
  int links = 0;
  while (!rest.empty()) {
    const std::string c = rest.front();
    rest.pop_front();
    if (c.empty() || c == ".") continue;
    if (c == "..") {
      UniqueFd up(::openat(cur.get(), "..", O_PATH | O_DIRECTORY | O_CLOEXEC));
      if (!up) return errno_error("cannot open", at.parent_path());
      cur = std::move(up);
      at = at.parent_path();
      continue;
    }
    struct stat st {};
    if (::fstatat(cur.get(), c.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return errno_error("cannot open", at / c);
    if (S_ISLNK(st.st_mode)) {
      // An administrator's path may pass through a symlink (/var/lib/boinc -> boinc-client);
      // one that another user could have made or re-aimed is not followed.
      // A link cannot be re-aimed in place, only replaced, which takes the right to rename
      // in its directory: its own owner matters only in a sticky shared directory (/tmp),
      // where the owner of an entry may still remove it. (Debian's /var/lib/boinc ->
      // boinc-client link is the boinc user's, in root's /var/lib: safe to follow.)
      struct stat ds {};
      std::string why;
      if (::fstat(cur.get(), &ds) != 0) return errno_error("cannot examine", at);
      const bool link_not_ours = st.st_uid != 0 && st.st_uid != ::geteuid() && !owner_outside_namespace(st.st_uid);
      const bool shared_sticky = (ds.st_mode & S_ISVTX) && (ds.st_mode & (S_IWOTH | S_IWGRP));
      if (others_can_rename_in(ds, &why))
        return fail(exit_code::bad_config,
                    "{} is a symbolic link another user could change ({} is {}); not following it", (at / c).string(),
                    at.string(), why);
      if (shared_sticky && link_not_ours)
        return fail(exit_code::bad_config,
                    "{} is a symbolic link another user could change (it is owned by uid {}, in the shared directory "
                    "{}); not following it",
                    (at / c).string(), st.st_uid, at.string());
      if (++links > 40) return fail(exit_code::bad_config, "{}: too many levels of symbolic links", p.string());
      char buf[kMaxPathSize];
      ssize_t n = ::readlinkat(cur.get(), c.c_str(), buf, sizeof buf);
      if (n < 0 || static_cast<std::size_t>(n) >= sizeof buf) return errno_error("cannot read the link", at / c);
      const fs::path target(std::string(buf, static_cast<std::size_t>(n)));
      auto parts = components(target);
      rest.insert(rest.begin(), parts.begin(), parts.end());
      if (target.is_absolute()) {
        cur.reset(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
        at = "/";
      }
      continue;
    }
    if (!S_ISDIR(st.st_mode)) return fail(exit_code::failure, "{} is not a directory", (at / c).string());
    UniqueFd next(::openat(cur.get(), c.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!next) return errno_error("cannot open", at / c);
    cur = std::move(next);
    at /= c;
  }
  DirHandle h;
  h.swappable_because = swappable_ancestor(cur.get(), p);
  h.owner = owner_of(cur.get());
  h.fd = std::move(cur);
  h.path = p.lexically_normal();
  return h;
}

Result<DirHandle> RealMachine::open_dir(const DirHandle& root, const fs::path& rel) {
  const fs::path shown = (root.path / rel).lexically_normal();
  if (rel.is_absolute()) return fail(exit_code::usage, "{} is not relative to {}", rel.string(), root.path.string());
  const std::string r = rel.empty() ? std::string(".") : rel.string();
  UniqueFd fd(openat2_retry(root.fd.get(), r, O_PATH | O_DIRECTORY | O_CLOEXEC, kBeneath));
  if (!fd) {
    if (errno == EXDEV || errno == ELOOP)
      return fail(exit_code::bad_config, "{} leads outside {} (a symbolic link or a mount point); not following it",
                  shown.string(), root.path.string());
    return errno_error("cannot open", shown);
  }
  DirHandle h;
  h.swappable_because = swappable_ancestor(fd.get(), shown);
  h.owner = owner_of(fd.get());
  h.fd = std::move(fd);
  h.path = shown;
  return h;
}

Result<DirEntry> RealMachine::inspect_at(const DirHandle& d, const std::string& name) {
  if (!one_component(name)) return fail(exit_code::usage, "{}: not a file name", name);
  // O_PATH|O_NOFOLLOW opens the entry itself; RESOLVE_NO_XDEV refuses a mount point without
  // asking the file system mounted there.
  UniqueFd fd(openat2_retry(d.fd.get(), name, O_PATH | O_NOFOLLOW | O_CLOEXEC, kBeneath));
  DirEntry e;
  if (!fd) {
    if (errno == ENOENT) return e;
    if (errno == EXDEV)
      return fail(exit_code::bad_config, "{} is a mount point; not using it", (d.path / name).string());
    return errno_error("cannot examine", d.path / name);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return errno_error("cannot examine", d.path / name);
  if (S_ISREG(st.st_mode)) {
    e.kind = DirEntry::Kind::regular;
  } else if (S_ISDIR(st.st_mode)) {
    e.kind = DirEntry::Kind::directory;
  } else if (S_ISLNK(st.st_mode)) {
    e.kind = DirEntry::Kind::symlink;
    char buf[kMaxPathSize];
    ssize_t n = ::readlinkat(fd.get(), "", buf, sizeof buf);
    if (n < 0 || static_cast<std::size_t>(n) >= sizeof buf) return errno_error("cannot read the link", d.path / name);
    e.link_target.assign(buf, static_cast<std::size_t>(n));
  } else {
    e.kind = DirEntry::Kind::other;
  }
  return e;
}

Result<std::optional<FileRead>> RealMachine::read_file_at(const DirHandle& d, const std::string& name,
                                                          std::size_t max_bytes) {
  const fs::path shown = d.path / name;
  if (!one_component(name)) return fail(exit_code::usage, "{}: not a file name", name);
  UniqueFd fd(openat2_retry(d.fd.get(), name, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC,
                            kBeneath | RESOLVE_NO_SYMLINKS));
  if (!fd) {
    if (errno == ENOENT) return std::optional<FileRead>{};
    if (errno == ELOOP)
      return fail(exit_code::bad_config, "{} became a symbolic link; not following it", shown.string());
    if (errno == EXDEV) return fail(exit_code::bad_config, "{} is a mount point; not reading it", shown.string());
    if (errno == ENXIO)
      return fail(exit_code::bad_config, "{} is a socket, not a regular file; not reading it", shown.string());
    return errno_error("cannot open", shown);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return errno_error("cannot examine", shown);
  if (!S_ISREG(st.st_mode))
    return fail(exit_code::bad_config, "{} is not a regular file ({}); not reading it", shown.string(),
                S_ISFIFO(st.st_mode)  ? "a FIFO"
                : S_ISDIR(st.st_mode) ? "a directory"
                                      : "a special file");
  if (static_cast<std::uint64_t>(st.st_size) > max_bytes)
    return fail(exit_code::bad_config, "{} is larger than {} bytes; refusing to read it", shown.string(), max_bytes);
  FileRead out;
  out.own = {st.st_uid, st.st_gid, static_cast<mode_t>(st.st_mode & 07777)};
  out.links = st.st_nlink;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("cannot read", shown);
    }
    if (n == 0) break;
    // It may grow while we read.
    if (out.text.size() + static_cast<std::size_t>(n) > max_bytes)
      return fail(exit_code::bad_config, "{} is larger than {} bytes; refusing to read it", shown.string(), max_bytes);
    out.text.append(buf, static_cast<std::size_t>(n));
  }
  return std::optional<FileRead>(std::move(out));
}

Result<void> RealMachine::replace_file_at(const DirHandle& d, const std::string& name, std::string_view text,
                                          const FileOwnership& own, const std::optional<std::string>& expected_old) {
  if (!one_component(name)) return fail(exit_code::usage, "{}: not a file name", name);
  const std::string prefix = "." + name + ".platformd-";
  remove_stale_temporaries(d.fd.get(), prefix);
  std::string tmp;
  UniqueFd fd;
  for (int attempt = 0; !fd && attempt < 100; ++attempt) {
    tmp = prefix + random_suffix();
    // O_EXCL|O_NOFOLLOW: never a file (or a symlink) someone put there under that name.
    fd.reset(::openat(d.fd.get(), tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd && errno != EEXIST) return errno_error("cannot create a temporary file in", d.path);
  }
  if (!fd)
    return fail(exit_code::failure, "cannot create a temporary file in {}: every name was taken", d.path.string());
  const fs::path shown_tmp = d.path / tmp;
  auto failed = [&](Error e) {
    ::unlinkat(d.fd.get(), tmp.c_str(), 0);
    return e;
  };
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd.get(), text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return failed(errno_error("cannot write", shown_tmp));
    }
    done += static_cast<std::size_t>(n);
  }
  // Ownership first, mode second: fchown may clear set-id bits. Only the permission bits are
  // kept: a file of ours never gets set-id bits from the file it replaces (issue 20).
  if (::geteuid() == 0 && ::fchown(fd.get(), own.uid, own.gid) != 0)
    return failed(errno_error("cannot set the owner of", shown_tmp));
  if (::fchmod(fd.get(), own.mode & 0777) != 0 || ::fsync(fd.get()) != 0)
    return failed(errno_error("cannot set the mode of or sync", shown_tmp));
  if (expected_old) {
    // Someone changed the file since we read it: keep theirs; the caller re-reads.
    auto now = read_file_at(d, name, 64 << 20);
    const std::string current = now && *now ? (*now)->text : std::string();
    if (current != *expected_old)
      return failed(
          fail(exit_code::failure, "{} changed while we were editing it; not overwriting", (d.path / name).string()));
  }
  if (::renameat(d.fd.get(), tmp.c_str(), d.fd.get(), name.c_str()) != 0)
    return failed(errno_error("cannot rename over", d.path / name));
  UniqueFd dfd(::openat(d.fd.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dfd) ::fsync(dfd.get());
  return {};
}

Result<void> RealMachine::remove_file_at(const DirHandle& d, const std::string& name, std::string_view expected) {
  if (!one_component(name)) return fail(exit_code::usage, "{}: not a file name", name);
  auto now = read_file_at(d, name, 64 << 20);
  if (!now) return now.error();
  if (!*now) return {};  // gone already
  if ((*now)->text != expected)
    return fail(exit_code::failure, "{} changed while we were editing it; not removing it", (d.path / name).string());
  if (::unlinkat(d.fd.get(), name.c_str(), 0) != 0 && errno != ENOENT)
    return errno_error("cannot remove", d.path / name);
  return {};
}

}  // namespace platformd
