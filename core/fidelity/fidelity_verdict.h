// The fidelity verdict as a value: a layer below the fidelity checks, so that the state file
// and the status can hold it without the code that makes it.
#pragma once

#include <optional>
#include <string_view>

#include <fmt/format.h>

namespace platformd {

// The fidelity verdict of a verification. A word only at the edges (state file, JSON, D-Bus,
// text): to_string() and fidelity_from() are that spelling, in one place.
enum class Fidelity {
  unverified,  // "": no verification recorded
  exact,       // every judged category matches the reference
  warning,     // deviations, none of them blocking under the policy
  blocked,     // a blocking deviation (or the check could not run)
  native,      // a compat platform the kernel runs natively: nothing to verify
};
std::string_view to_string(Fidelity f);
std::optional<Fidelity> fidelity_from(std::string_view s);

}  // namespace platformd

// In a text message the verdict is its word ("fidelity exact").
template <>
struct fmt::formatter<platformd::Fidelity> : fmt::formatter<std::string_view> {
  auto format(platformd::Fidelity f, fmt::format_context& ctx) const {
    return fmt::formatter<std::string_view>::format(platformd::to_string(f), ctx);
  }
};
