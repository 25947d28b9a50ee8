#include "fidelity/probe_runner.h"

#include <fcntl.h>
#include <unistd.h>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "exit_codes.h"
#include "system/unique_fd.h"

namespace platformd {

namespace {

// Every probe run gets its own empty directory; removed on scope exit.
class TempDir {
 public:
  static Result<TempDir> make() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = fmt::format("{}/platformd-root-XXXXXX", base && *base ? base : "/tmp");
    if (!::mkdtemp(tmpl.data()))
      return fail(exit_code::failure, "cannot create a temporary directory: {}", std::strerror(errno));
    return TempDir(tmpl);
  }
  TempDir(TempDir&& o) noexcept : path_(std::move(o.path_)) { o.path_.clear(); }
  TempDir(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  explicit TempDir(fs::path p) : path_(std::move(p)) {}
  fs::path path_;
};

std::vector<std::string> env_list(const std::map<std::string, std::string>& env) {
  std::vector<std::string> out{"PATH=/usr/bin:/bin", "LC_ALL=C"};
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

}  // namespace

fs::path probe_path(const Paths& p, std::string_view arch, bool dynamic) {
  return p.probe_dir / fmt::format("probe-{}{}", arch, dynamic ? "-dynamic" : "");
}

std::string probe_missing_reason(const Paths& p, std::string_view arch) {
  std::ifstream in(p.probe_dir / fmt::format("probe-{}.missing", arch));
  if (in) {
    std::stringstream ss;
    ss << in.rdbuf();
    std::string s = ss.str();
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    if (!s.empty()) return s;
  }
  return fmt::format("no probe for {} in {} (built without its cross compiler?)", arch, p.probe_dir.string());
}

Result<RunResult> run_probe(Machine& m, const Paths& p, std::string_view arch, const ProbeInvocation& inv) {
  fs::path probe = probe_path(p, arch, inv.dynamic);
  std::error_code ec;
  if (!fs::exists(probe, ec))
    return fail(
        exit_code::verify_failed, "{}",
        inv.dynamic ? fmt::format("no dynamically linked probe {}", probe.string()) : probe_missing_reason(p, arch));
  RunRequest req;
  req.env = env_list(inv.env);
  req.timeout = inv.timeout;
  req.drop_privileges = true;
  req.join_namespaces_of = inv.join_namespaces_of;
  req.max_cpu_seconds = static_cast<std::uint64_t>(inv.timeout.count() / 1000 + 1);
  std::optional<TempDir> root;
  if (inv.via == ProbeVia::binfmt_empty_root) {
    auto t = TempDir::make();
    if (!t) return t.error();
    root.emplace(std::move(*t));
    fs::copy_file(probe, root->path() / "probe", ec);
    if (ec) return fail(exit_code::failure, "cannot copy the probe into {}: {}", root->path().string(), ec.message());
    // 0755: without flag O the translator opens the program itself, as the unprivileged
    // probe user, so it must be readable, not only executable (regression: the Debian
    // package test, which maps the whole uid range, failed every enable with 0711).
    fs::permissions(root->path() / "probe",
                    fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec | fs::perms::others_read |
                        fs::perms::others_exec,
                    ec);
    // The empty root must be enterable by the unprivileged probe user.
    fs::permissions(root->path(), fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec, ec);
    req.chroot_dir = root->path();
    req.argv = {"/probe"};
  }
  std::optional<TempDir> home;
  if (!inv.rc_file.empty() && !req.chroot_dir) {
    auto t = TempDir::make();
    if (!t) return t.error();
    home.emplace(std::move(*t));
    // The probe's own HOME: 0700, its file 0600, both owned by the user the probe runs as
    // (nobody, when we are root and it is mapped; else ourselves, whom the probe then runs
    // as), so no other local user reads or changes the settings while it runs (issue 20).
    const fs::path rc_path = home->path() / inv.rc_file;
    UniqueFd fd(::open(rc_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd) return fail(exit_code::failure, "cannot create {}: {}", rc_path.string(), std::strerror(errno));
    for (std::size_t done = 0; done < inv.rc_text.size();) {
      ssize_t n = ::write(fd.get(), inv.rc_text.data() + done, inv.rc_text.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return fail(exit_code::failure, "cannot write {}: {}", rc_path.string(), std::strerror(errno));
      done += static_cast<std::size_t>(n);
    }
    fs::permissions(home->path(), fs::perms::owner_all, ec);
    // When the directory cannot be given (nobody is not mapped here), both stay ours.
    if (::geteuid() == 0 && req.drop_privileges &&
        ::chown(home->path().c_str(), kUnprivilegedUid, kUnprivilegedUid) == 0 &&
        ::fchown(fd.get(), kUnprivilegedUid, kUnprivilegedUid) != 0)
      return fail(exit_code::failure, "cannot give {} to the probe's user: {}", rc_path.string(), std::strerror(errno));
    req.env.push_back("HOME=" + home->path().string());
  }
  if (inv.via == ProbeVia::binfmt_empty_root) {
    // argv set above
  } else if (inv.via == ProbeVia::translator) {
    req.argv = {inv.translator, probe.string()};
  } else {
    req.argv = {probe.string()};
  }
  if (inv.via != ProbeVia::translator) {
    // P is checked through argv[0]: a preserved argv[0] comes back in the probe's output.
    req.program = req.argv[0];
    req.argv[0] = std::string(kProbeArgv0);
  }
  if (!inv.mode.empty()) req.argv.push_back(inv.mode);
  return m.run(req);
}

}  // namespace platformd
