// Running probe programs. Three ways, each for a reason:
//  - through the binfmt_misc handler, chrooted into an empty directory that holds only the
//    probe: it can only work if the kernel opened the translator at registration (flag F), so
//    a pass proves that tasks in chroots and containers will run too;
//  - directly through a named translator (`verify --translator`), registering nothing;
//  - natively (the host's own probe, and the proof that a compat platform runs natively).
// Probes run unprivileged, without network, with a timeout and resource limits.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "system/machine.h"
#include "system/paths.h"

namespace platformd {

// argv[0] we pass to probes, to check that P (preserve argv[0]) works end to end.
inline constexpr std::string_view kProbeArgv0 = "platformd-probe-argv0";

enum class ProbeVia { binfmt_empty_root, translator, native };

struct ProbeInvocation {
  ProbeVia via = ProbeVia::native;
  std::string translator;                  // for ProbeVia::translator
  std::map<std::string, std::string> env;  // e.g. QEMU_CPU
  std::string mode;                        // "" (identity), "fp", "bench"
  // The dynamically linked variant of the probe (probe-<arch>-dynamic): BOINC projects ship
  // both kinds, and a translator may run one and not the other (box64 crashes on static ones).
  bool dynamic = false;
  // A HOME for the probe holding `rc_file` with this text (box64's .box64rc, as the BOINC
  // user's home will hold it): the translator reads its settings from there, not from env.
  std::string rc_file;
  std::string rc_text;
  std::chrono::milliseconds timeout{30000};
  pid_t join_namespaces_of = 0;  // RunRequest::join_namespaces_of: BOINC's namespace
};

fs::path probe_path(const Paths& p, std::string_view arch, bool dynamic = false);
// Why the probe for arch is absent (contents of probe-<arch>.missing), or a generic reason.
std::string probe_missing_reason(const Paths& p, std::string_view arch);

// Runs the probe and returns the finished process (check RunResult::succeeded()).
Result<RunResult> run_probe(Machine& m, const Paths& p, std::string_view arch, const ProbeInvocation& inv);

}  // namespace platformd
