// Exit codes of platformctl, also used as Error::code in the core. Documented in README.md
// ("Exit codes") and docs/man/platformctl.1 (EXIT STATUS).
#pragma once

namespace platformd::exit_code {
inline constexpr int ok = 0;
inline constexpr int failure = 1;        // an operation failed (I/O, kernel refused, ...)
inline constexpr int usage = 2;          // bad arguments, unknown platform
inline constexpr int refused = 3;        // a handler would match the host's own ELF / a native platform
inline constexpr int conflict = 4;       // another tool's binfmt entry overlaps and does not verify
inline constexpr int verify_failed = 5;  // the platform's probe or fidelity check failed
inline constexpr int work_at_risk = 6;   // BOINC tasks of a platform would be relabelled as native
inline constexpr int bad_config = 7;     // cc_config.xml (or another input file) is malformed
// Not an error: `platformctl apply` changed something (with --check: would change something).
// 0 then means the machine already was as the file says.
inline constexpr int changed = 8;
}  // namespace platformd::exit_code
