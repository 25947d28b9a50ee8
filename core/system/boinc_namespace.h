// BOINC's own user and mount namespace, with a binfmt_misc instance of its own (issue 21,
// docs/scoped.md). A child process is started in a new user namespace whose uid and gid maps
// are the identity of its parent's (ownership, groups and device access stay what they are)
// and a new mount namespace where it mounts binfmt_misc on an empty directory. Exec lookups in
// that namespace then use that instance alone (no fallback to the machine's table), and root
// outside fills it through /proc/PID/root (instance_dir()). The child waits until it is
// released, then becomes the BOINC user and execs the client.
#pragma once

#include <sys/types.h>
#include <filesystem>
#include <string>
#include <vector>

#include "result.h"
#include "system/unique_fd.h"

namespace platformd {

namespace fs = std::filesystem;

class BoincNamespace {
 public:
  // `mount_point`: an existing empty directory (never /proc/sys/fs/binfmt_misc: on a systemd
  // host that is an automount point of the machine's table). `user`: who the client runs as;
  // `argv`: the client's command line (argv[0] a path).
  static Result<BoincNamespace> start(const fs::path& mount_point, const std::string& user,
                                      const std::vector<std::string>& argv);
  // The same namespace with no client: a scratch one that a verification registers its
  // handler in and runs its probes in (RunRequest::join_namespaces_of), as BOINC's tasks would.
  static Result<BoincNamespace> scratch(const fs::path& mount_point) { return start(mount_point, "", {}); }
  BoincNamespace(BoincNamespace&& o) noexcept;
  BoincNamespace& operator=(BoincNamespace&&) = delete;
  BoincNamespace(const BoincNamespace&) = delete;
  ~BoincNamespace();  // a child never released is killed

  pid_t pid() const { return pid_; }
  // The child's binfmt_misc instance, as root outside reaches it.
  fs::path instance_dir() const;
  // The child becomes the user and execs the client. An error when it could not.
  Result<void> release();
  // Waits for the child, passing SIGTERM, SIGINT and SIGHUP on; its exit status as a shell
  // reports it (128 + signal when killed).
  int wait_forwarding_signals();

 private:
  BoincNamespace(pid_t pid, fs::path mount_point, UniqueFd go, UniqueFd status)
      : pid_(pid), mount_point_(std::move(mount_point)), go_(std::move(go)), status_(std::move(status)) {}
  pid_t pid_ = -1;
  fs::path mount_point_;
  UniqueFd go_;      // parent -> child: one byte per step
  UniqueFd status_;  // child -> parent: progress bytes, or an error text
  bool released_ = false;
};

// Changes to `user` (its groups too) and execs argv, without any namespace: how the launcher
// starts the client when no platform is scoped to BOINC.
Result<void> exec_as(const std::string& user, const std::vector<std::string>& argv);

// The BOINC client's environment: `inherited` (the unit's), with HOME, USER, LOGNAME and SHELL
// of its user, as systemd's User= sets them (box64 reads its rc file from $HOME), and without
// any translator setting (QEMU_*, BOX64_*, BOX86_*, FEX_*): BOINC's tasks inherit the client's
// environment, and a QEMU_CPU there would change the CPU model their handler was verified
// with (docs/fidelity.md, "QEMU_CPU"). Pure.
std::vector<std::string> client_environment(const std::vector<std::string>& inherited, const std::string& home,
                                            const std::string& user, const std::string& shell);

}  // namespace platformd
