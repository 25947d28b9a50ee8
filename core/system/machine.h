// Machine: every effect platformd has on the machine goes through this one small interface
// (files, the binfmt_misc mount, processes, the loopback socket to BOINC). The core's logic
// takes a Machine&, so tests run it against the real kernel inside a private namespace with
// paths rooted in a temporary directory (see core/system/paths.h).
#pragma once

#include <sys/types.h>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "result.h"
#include "system/unique_fd.h"

namespace platformd {

namespace fs = std::filesystem;

// nobody: the user a RunRequest with drop_privileges runs as, when we are root.
inline constexpr uid_t kUnprivilegedUid = 65534;

struct RunRequest {
  std::vector<std::string> argv;       // argv[0] is the path executed unless `program` is set
  std::string program;                 // the path executed, when it differs from argv[0]
  std::vector<std::string> env;        // complete environment ("K=V"); empty = none
  std::optional<fs::path> chroot_dir;  // chroot here first (probes: an empty root)
  bool drop_privileges = false;        // setuid/setgid to nobody when we are root
  std::chrono::milliseconds timeout{10000};
  std::size_t max_output = 1 << 20;     // stdout/stderr beyond this are cut
  std::uint64_t max_address_space = 0;  // RLIMIT_AS in bytes, 0 = unlimited
  std::uint64_t max_cpu_seconds = 0;    // RLIMIT_CPU, 0 = unlimited
  // Run in the user and mount namespaces of this process (BOINC's, system/boinc_namespace.h):
  // the kernel then looks the program's handler up in that namespace's binfmt_misc instance.
  pid_t join_namespaces_of = 0;
};

struct RunResult {
  int exit_status = -1;  // valid when term_signal == 0 and !timed_out
  int term_signal = 0;
  bool timed_out = false;
  std::string out;
  std::string err;
  double wall_seconds = 0;
  bool exec_failed = false;  // the program could not be started; err holds the step and strerror
  // ...because setting the child up failed before execve (limits, network namespace, chroot,
  // identity): platformd's own failure, which says nothing about the program or its handler.
  bool setup_failed = false;
  int exec_errno = 0;  // with exec_failed: the errno of the step that failed (ENOEXEC: not a format this kernel runs)
  bool succeeded() const { return !timed_out && term_signal == 0 && exit_status == 0 && !exec_failed; }
  std::string describe() const;  // "exit 3", "killed by SIGSEGV", "timed out after 10 s", ...
};

struct FileOwnership {
  uid_t uid = 0;
  gid_t gid = 0;
  mode_t mode = 0644;
};

// A directory opened once (O_PATH). The BOINC data and configuration directories belong to the
// boinc user, who may rename or re-link any entry in them at any moment; files there are read
// and replaced relative to a handle, so what a path named when it was checked is what is
// written (core/system/dir_handle.cc).
struct DirHandle {
  UniqueFd fd;
  fs::path path;  // how it was reached, for messages
  // Set when a directory above this one could be renamed by a user other than root (and
  // us), which would put another directory in its place: "/srv/x is owned by uid 1000".
  std::string swappable_because;
  uid_t owner = 0;  // the directory's owner (the BOINC user, for its data directory)
};

// One entry of a directory, not followed.
struct DirEntry {
  enum class Kind { absent, regular, directory, symlink, other };
  Kind kind = Kind::absent;
  std::string link_target;  // for a symlink
};

// A file read through a handle, with what fstat(2) said of the open file.
struct FileRead {
  std::string text;
  FileOwnership own;  // mode: the permission and set-id bits (07777)
  nlink_t links = 1;  // hard links: more than one, and the name is not the file's only way in
};

class Machine {
 public:
  virtual ~Machine() = default;

  virtual Result<std::string> read_file(const fs::path& p, std::size_t max_bytes = 16 << 20) = 0;
  // A file an administrator or a caller names (apply's FILE): opened once, without following
  // a symlink in its last component and without blocking (a FIFO is refused, not waited on),
  // and it must be a regular file of at most max_bytes.
  virtual Result<std::string> read_named_file(const fs::path& p, std::size_t max_bytes) = 0;
  // One write(2) of the whole text to an existing file: binfmt_misc's register and entry files.
  virtual Result<void> write_file(const fs::path& p, std::string_view text) = 0;
  // Atomic replacement: temp file in the same directory, fsync, rename, with the given
  // ownership; of the mode only the permission bits (0777): a file platformd writes never
  // gets set-id or sticky bits, whatever the file it replaces had. `expected_old` (when set) must still be the file's
  // content right before the rename, or nothing is written (someone else changed it between our read and our write).
  virtual Result<void> replace_file(const fs::path& p, std::string_view text, const FileOwnership& own,
                                    const std::optional<std::string>& expected_old = std::nullopt) = 0;
  virtual Result<std::vector<std::string>> list_dir(const fs::path& p) = 0;

  // Files of directories another user owns. open_dir(p) walks the absolute path `p` one
  // component at a time, following a symlink only where no other user could have changed it.
  // open_dir(root, rel) resolves `rel` beneath `root` (openat2 RESOLVE_BENEATH): a symlink is
  // followed only where the kernel resolves it inside `root`, and no mount point is crossed.
  virtual Result<DirHandle> open_dir(const fs::path& p) = 0;
  virtual Result<DirHandle> open_dir(const DirHandle& root, const fs::path& rel) = 0;
  // `name` is one path component; nothing is followed.
  virtual Result<DirEntry> inspect_at(const DirHandle& d, const std::string& name) = 0;
  // nullopt when absent. Opened O_NONBLOCK|O_NOFOLLOW (a FIFO cannot block us) and read only
  // when it is a regular file of at most max_bytes.
  virtual Result<std::optional<FileRead>> read_file_at(const DirHandle& d, const std::string& name,
                                                       std::size_t max_bytes = 16 << 20) = 0;
  // replace_file, with the temporary created (O_EXCL), owned, synced and renamed inside `d`.
  virtual Result<void> replace_file_at(const DirHandle& d, const std::string& name, std::string_view text,
                                       const FileOwnership& own,
                                       const std::optional<std::string>& expected_old = std::nullopt) = 0;
  // Unlinks `name` in `d` (never followed) if it is still a regular file holding `expected`.
  virtual Result<void> remove_file_at(const DirHandle& d, const std::string& name, std::string_view expected) = 0;

  virtual Result<RunResult> run(const RunRequest& req) = 0;
  // Mounts binfmt_misc on `dir` (through libmount) unless it is mounted there already.
  // Returns true when it mounted it.
  virtual Result<bool> ensure_binfmt_mounted(const fs::path& dir) = 0;
  // uname(2) machine field: the kernel's architecture.
  virtual std::string kernel_machine() = 0;
  // One request/reply over TCP to 127.0.0.1:port. The reply ends at `terminator` (included
  // in nothing returned) or at EOF; bounded by timeout and max_reply.
  virtual Result<std::string> loopback_exchange(int port, std::string_view request, char terminator,
                                                std::chrono::milliseconds timeout, std::size_t max_reply) = 0;
};

// The real machine. Holds no state.
class RealMachine final : public Machine {
 public:
  Result<std::string> read_file(const fs::path& p, std::size_t max_bytes) override;
  Result<std::string> read_named_file(const fs::path& p, std::size_t max_bytes) override;
  Result<void> write_file(const fs::path& p, std::string_view text) override;
  Result<void> replace_file(const fs::path& p, std::string_view text, const FileOwnership& own,
                            const std::optional<std::string>& expected_old) override;
  Result<std::vector<std::string>> list_dir(const fs::path& p) override;
  Result<DirHandle> open_dir(const fs::path& p) override;
  Result<DirHandle> open_dir(const DirHandle& root, const fs::path& rel) override;
  Result<DirEntry> inspect_at(const DirHandle& d, const std::string& name) override;
  Result<std::optional<FileRead>> read_file_at(const DirHandle& d, const std::string& name,
                                               std::size_t max_bytes) override;
  Result<void> replace_file_at(const DirHandle& d, const std::string& name, std::string_view text,
                               const FileOwnership& own, const std::optional<std::string>& expected_old) override;
  Result<void> remove_file_at(const DirHandle& d, const std::string& name, std::string_view expected) override;
  Result<RunResult> run(const RunRequest& req) override;
  Result<bool> ensure_binfmt_mounted(const fs::path& dir) override;
  std::string kernel_machine() override;
  Result<std::string> loopback_exchange(int port, std::string_view request, char terminator,
                                        std::chrono::milliseconds timeout, std::size_t max_reply) override;
};

// An exclusive advisory lock (flock) on a file, held for the object's lifetime. Serialises
// concurrent platformctl runs and the daemon.
class FileLock {
 public:
  static Result<FileLock> acquire(const fs::path& p);
  FileLock(FileLock&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  FileLock& operator=(FileLock&&) = delete;
  FileLock(const FileLock&) = delete;
  ~FileLock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace platformd
