#include "host.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>

#include "binfmt/elf_file.h"
#include "exit_codes.h"
#include "fidelity/probe_output.h"
#include "fidelity/probe_runner.h"

namespace platformd {

bool HostInfo::runs_natively(std::string_view arch) const {
  return arch == userland_arch || std::find(native_compat.begin(), native_compat.end(), arch) != native_compat.end();
}

fs::path userland_program() {
  if (const char* v = std::getenv("PLATFORMD_USERLAND_PROGRAM"); v && *v) return v;
  return "/bin/sh";
}

namespace {

std::string kernel_key(Machine& m) {
  auto rel = m.read_file("/proc/sys/kernel/osrelease", 256);
  std::string r = rel ? *rel : std::string("unknown");
  while (!r.empty() && r.back() == '\n') r.pop_back();
  return r + " " + m.kernel_machine();
}

// A probe proves native execution when it runs with no handler in the way and reports the
// kernel's own uname: under QEMU, uname(2) answers with the guest's architecture instead. A
// probe that gives no answer proves nothing either way: on a loaded machine the 5 s run can
// time out although the kernel runs it natively (an i686 handler registered then would
// capture the host's own 32-bit programs).
NativeProbe probe_natively(Machine& m, const Paths& p, const Platform& pl, const std::string& kernel_arch,
                           std::string& why) {
  std::error_code ec;
  if (!fs::exists(probe_path(p, pl.arch), ec)) return NativeProbe::not_native;  // not built: never proven
  ProbeInvocation inv;
  inv.via = ProbeVia::native;
  inv.timeout = std::chrono::milliseconds(5000);
  auto r = run_probe(m, p, pl.arch, inv);
  if (!r) {
    why = fmt::format("its probe could not be run: {}", r.error().message);
    return NativeProbe::unknown;
  }
  if (r->timed_out || r->term_signal == SIGKILL || r->term_signal == SIGXCPU) {
    why = fmt::format("its probe, run natively, gave no answer ({})", r->describe());
    return NativeProbe::unknown;
  }
  // The kernel refusing the format (ENOEXEC, no handler in the way) is the one "no" an exec
  // failure gives; anything else (EACCES, ENOMEM, a set-up step of ours) proves nothing.
  if (r->exec_failed && (r->setup_failed || r->exec_errno != ENOEXEC)) {
    why = fmt::format("its probe could not be started natively: {}", r->err);
    return NativeProbe::unknown;
  }
  if (!r->succeeded()) return NativeProbe::not_native;
  auto id = parse_identity_answer(r->out);
  return id && id->arch == pl.arch && id->uname == kernel_arch ? NativeProbe::native : NativeProbe::not_native;
}

}  // namespace

Result<HostInfo> detect_host(Machine& m, const Paths& p, const Catalog& c, HostCache& cache, bool reprobe) {
  HostInfo h;
  h.kernel_arch = m.kernel_machine();
  fs::path prog = userland_program();
  auto elf = read_elf(prog);
  if (!elf) return elf.error();
  const Platform* user = c.match_header(elf->header);
  if (!user)
    return fail(exit_code::failure, "the userland program {} is not of any architecture in the catalog", prog.string());
  h.userland_arch = user->arch;
  h.userland_bits = elf->elf_class == 2 ? 64 : 32;
  h.boinc_platform = user->boinc_name;

  std::string key = kernel_key(m);
  std::vector<std::string> to_probe;
  if (reprobe || cache.kernel != key) {
    cache.kernel = key;
    cache.native_compat.clear();
    for (const auto& pl : c.platforms)
      if (pl.arch != h.userland_arch) to_probe.push_back(pl.arch);
  } else {
    to_probe = cache.undetermined;  // no answer last time: ask again
  }
  cache.undetermined.clear();
  for (const auto& arch : to_probe) {
    const Platform* pl = c.by_arch(arch);
    if (!pl || arch == h.userland_arch) continue;
    std::string why;
    switch (probe_natively(m, p, *pl, h.kernel_arch, why)) {
      case NativeProbe::native:
        if (std::find(cache.native_compat.begin(), cache.native_compat.end(), arch) == cache.native_compat.end())
          cache.native_compat.push_back(arch);
        break;
      case NativeProbe::not_native:
        break;
      case NativeProbe::unknown:
        cache.undetermined.push_back(arch);
        h.undetermined_compat[arch] = why;
        break;
    }
  }
  h.native_compat = cache.native_compat;
  return h;
}

}  // namespace platformd
