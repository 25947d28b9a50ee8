// The desired-state file of `platformctl apply` (and D-Bus Apply): per platform, enabled or
// disabled, optionally the fidelity policy and the translator. Pure parsing and validation
// from text to a value; the format is documented in docs/fleet.md.
//
//   {
//     "version": 1,
//     "others": "unchanged",
//     "platforms": [
//       {"name": "aarch64", "state": "enabled"},
//       {"name": "x86_64", "state": "enabled", "strict": true, "translator": "qemu-user-static"},
//       {"name": "riscv64", "state": "disabled"},
//       {"name": "armhf", "state": "enabled", "scope": "boinc"}
//     ]
//   }
//
// A list, not an object keyed by name: nlohmann-json (like most parsers) keeps the last of two
// equal keys without a word, and a duplicated platform must be an error, not a silent choice.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "result.h"
#include "state.h"

namespace platformd {

enum class DesiredState { enabled, disabled };

// What happens to enabled platforms the file does not name.
enum class OthersPolicy {
  unchanged,  // left as they are (default: a file can describe part of a machine)
  disabled,   // withdrawn: the file is the whole truth
};

struct DesiredPlatform {
  std::string name;  // as written: arch, alias or BOINC name (resolved against the catalog later)
  DesiredState state = DesiredState::enabled;
  bool strict = false;                    // any floating-point deviation blocks (enabled only)
  bool allow_slow = false;                // advertise although below the speed threshold (enabled only)
  std::optional<std::string> translator;  // emulators/*.json name or its path (enabled only)
  std::optional<Scope> scope;             // where its handler serves (enabled only; unset: as enable's default)
  std::string where;                      // "FILE: platforms[2] (aarch64)", for messages
};

struct DesiredStateFile {
  std::string source;  // file name for messages
  OthersPolicy others = OthersPolicy::unchanged;
  std::vector<DesiredPlatform> platforms;
};

// The largest document accepted; a desired state is a few hundred bytes.
inline constexpr std::size_t kMaxDesiredStateBytes = 64 * 1024;
inline constexpr std::size_t kMaxDesiredPlatforms = 64;

// Parses and validates the syntax and the types: JSON, known keys only, the right type for
// each, a valid spelling for each name, options only where they mean something. Errors are
// bad_config and name `source` and the entry. Names are checked against the catalog by the
// plan (core/apply/apply_plan.h).
Result<DesiredStateFile> parse_desired_state(std::string_view text, std::string_view source);

std::string_view to_string(DesiredState s);
std::string_view to_string(OthersPolicy o);

}  // namespace platformd
