// Host detection: the kernel's architecture, the userland's (which BOINC must report as the
// primary platform), and the compatibility platforms the kernel runs natively, proven by
// running their probes (never assumed: an aarch64 CPU without AArch32 cannot run armhf).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "catalog.h"
#include "state.h"
#include "system/machine.h"
#include "system/paths.h"

namespace platformd {

struct HostInfo {
  std::string kernel_arch;     // uname -m
  int userland_bits = 0;       // 32 or 64, from the ELF class of the system's own /bin/sh
  std::string userland_arch;   // catalog arch of the userland ("armhf" on a 64-bit kernel + 32-bit userland)
  std::string boinc_platform;  // BOINC name of the primary platform
  std::vector<std::string> native_compat;  // archs proven to run natively besides the primary
  // Archs whose native probe gave no answer (timed out under load, killed): the kernel may
  // run them natively, so no handler may be registered for them. arch -> why.
  std::map<std::string, std::string> undetermined_compat;
  bool runs_natively(std::string_view arch) const;
};

// What running a compat platform's probe natively showed.
enum class NativeProbe {
  native,      // it ran with no handler in the way and reported the kernel's own uname
  not_native,  // the kernel refused it, or something else (a translator) ran it
  unknown,     // no answer: timed out, killed (load, memory), or could not be started
};

// The program whose ELF header tells the userland's architecture: /bin/sh, or
// PLATFORMD_USERLAND_PROGRAM (tests).
fs::path userland_program();

// `cache` holds the probe-proven facts; they are re-proven when the kernel changed or when
// `reprobe` is set, and `cache` is updated. An unknown verdict is never cached as "not
// native": the arch is kept in cache.undetermined and probed again at every detection.
Result<HostInfo> detect_host(Machine& m, const Paths& p, const Catalog& c, HostCache& cache, bool reprobe);

}  // namespace platformd
