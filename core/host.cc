#include "host.h"

#include <algorithm>
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
// kernel's own uname: under QEMU, uname(2) answers with the guest's architecture instead.
bool proven_native(Machine& m, const Paths& p, const Platform& pl, const std::string& kernel_arch) {
  ProbeInvocation inv;
  inv.via = ProbeVia::native;
  inv.timeout = std::chrono::milliseconds(5000);
  auto r = run_probe(m, p, pl.arch, inv);
  if (!r || !r->succeeded()) return false;
  auto id = parse_identity_answer(r->out);
  return id && id->arch == pl.arch && id->uname == kernel_arch;
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
  if (reprobe || cache.kernel != key) {
    cache.kernel = key;
    cache.native_compat.clear();
    for (const auto& pl : c.platforms) {
      if (pl.arch == h.userland_arch) continue;
      if (proven_native(m, p, pl, h.kernel_arch)) cache.native_compat.push_back(pl.arch);
    }
  }
  h.native_compat = cache.native_compat;
  return h;
}

}  // namespace platformd
