// Impact classes: which programs a floating-point deviation can change. The probe groups its
// cases in categories (what is computed); the class says who is hurt when a translator gets a
// category wrong, and the policy judges by class, not by category name: a translator that
// keeps the wrong NaN payload is not a broken adder. docs/fidelity.md gives each class's
// reasoning. Pure functions.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace platformd {

enum class ImpactClass {
  every_program,        // finite results of ordinary FP code in the default environment
  long_double,          // x86_64 programs that use long double (x87)
  neon_simd,            // armhf programs vectorised with NEON
  rounding_modes,       // programs that call fesetround
  fp_flags,             // programs that read exception flags
  flush_modes,          // programs that enable FTZ/DAZ or FZ/DN (-ffast-math's crtfastmath)
  nan_payloads,         // only results that are already NaN: which payload or sign survives
  x87_transcendentals,  // programs using fsin, fcos, fptan, fpatan, f2xm1 ...
  libm,                 // programs calling libm (exp, log, pow, sin...): glibc picks its code by the CPU's
                        // FMA/AVX2, and a translator may map a program's libm to the host's (box64)
};

// Every class, in report order (the one that blocks by default first).
inline constexpr std::array<ImpactClass, 9> kImpactClasses = {
    ImpactClass::every_program, ImpactClass::long_double, ImpactClass::neon_simd,    ImpactClass::rounding_modes,
    ImpactClass::fp_flags,      ImpactClass::flush_modes, ImpactClass::nan_payloads, ImpactClass::x87_transcendentals,
    ImpactClass::libm};

// "every-program", "nan-payloads", ...: the names of the policy file, JSON and messages.
std::string_view impact_name(ImpactClass c);
std::optional<ImpactClass> parse_impact_name(std::string_view name);
// Who is affected, for the one-line verdict: "fast-math programs".
std::string_view impact_audience(ImpactClass c);

// The class of a probe category on an architecture; nullopt for a category this build does
// not know (a newer probe). Categories map to one class each, except x87pc: x87 is i686's FP
// unit (every double computed there is x87 arithmetic), but on x86_64 only long double uses it.
std::optional<ImpactClass> impact_of(std::string_view arch, std::string_view category);

// One category's judgement as the broker reports it (also over D-Bus).
struct CategoryResult {
  std::string category;
  bool exact = true;
  bool blocking = false;  // a deviation here blocks under the policy in force
  std::string first_difference;
};

// One class's judgement, derived from its categories' results.
struct ClassResult {
  std::optional<ImpactClass> impact;  // nullopt: categories this build has no class for
  bool exact = true;
  bool blocking = false;
  std::string first_case;        // name of the first differing case, "" when exact
  std::string first_difference;  // "case: got X, expected Y (source)"
  std::vector<std::string> categories;
};

// Groups category results by class, in kImpactClasses order (unclassified last). Classes
// without any case on this architecture are left out.
std::vector<ClassResult> classes_of(std::string_view arch, const std::vector<CategoryResult>& categories);

// The one-line verdict shown by status, verify and the daemon, e.g.
//   "exact for ordinary FP; differs for: flush-modes (fast-math programs; first
//    ftz.ftz.round_to_normal.f64), nan-payloads (...)"
// A class that blocks under the policy in force is marked "BLOCKS". "" when nothing was judged.
std::string verdict_line(const std::vector<ClassResult>& classes);

}  // namespace platformd
