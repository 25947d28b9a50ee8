// FileLock: flock(2) on a lock file, so concurrent platformctl runs and the daemon take turns.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>

#include "exit_codes.h"
#include "system/machine.h"

namespace platformd {

Result<FileLock> FileLock::acquire(const fs::path& p) {
  std::error_code ec;
  fs::create_directories(p.parent_path(), ec);
  int fd = ::open(p.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return fail(exit_code::failure, "cannot open lock file {}: {}", p.string(), std::strerror(errno));
  while (::flock(fd, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    int e = errno;
    ::close(fd);
    return fail(exit_code::failure, "cannot lock {}: {}", p.string(), std::strerror(e));
  }
  return FileLock(fd);
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the lock
}

}  // namespace platformd
