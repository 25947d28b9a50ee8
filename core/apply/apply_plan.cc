// Deciding, per platform, whether the machine already is as the file says. "In sync" is read
// from the status the broker reports, the same one `platformctl status` prints, so apply and
// status never disagree about what a platform's state is.
#include "apply/apply_plan.h"

#include <algorithm>

#include "exit_codes.h"

namespace platformd {

namespace {

const PlatformStatus* find_status(const StatusReport& s, std::string_view arch) {
  for (const auto& p : s.platforms)
    if (p.arch == arch) return &p;
  return nullptr;
}

// A translator is named by its description ("qemu-user-static") or by the path of its binary
// for this platform; either way the broker is given the path.
Result<std::string> resolve_translator(const DesiredPlatform& d, const Platform& pl,
                                       const std::vector<TranslatorSpec>& translators) {
  std::string described;
  for (const auto& spec : translators) {
    auto it = spec.platforms.find(pl.arch);
    if (it == spec.platforms.end()) continue;
    if (*d.translator == spec.name || *d.translator == it->second.path) return it->second.path;
    described += fmt::format("{}{} ({})", described.empty() ? "" : ", ", spec.name, it->second.path);
  }
  return fail(exit_code::bad_config, "{}: translator \"{}\" is not described for {} (described: {})", d.where,
              *d.translator, pl.arch, described.empty() ? "none" : described);
}

// Is a platform the file wants enabled already as wanted? Enabled and verified ("emulated"),
// by the translator asked for if one is. Anything else (not chosen, chosen but its entry is
// gone or its verification failed) is a reason to enable it, which registers and proves it.
std::optional<std::string> enable_needed(const PlatformStatus& s, const std::optional<std::string>& translator) {
  if (!s.enabled) return fmt::format("not enabled (now {})", to_string(s.state));
  if (s.state != PlatformState::emulated)
    return fmt::format("enabled, but {}: {}", to_string(s.state), s.reason.empty() ? "-" : s.reason);
  if (translator && s.translator != *translator)
    return fmt::format("served by {}, the file asks for {}", s.translator, *translator);
  return std::nullopt;
}

}  // namespace

PlatformSnapshot snapshot_of(const PlatformStatus& s) {
  return PlatformSnapshot{s.enabled, s.state, s.translator, s.fidelity, s.speed_ratio, s.reason};
}

Result<std::vector<PlannedPlatform>> plan_apply(const DesiredStateFile& d, const Catalog& catalog,
                                                const std::vector<TranslatorSpec>& translators,
                                                const StatusReport& status) {
  std::vector<PlannedPlatform> out;
  std::vector<std::string> named;  // arch of every entry so far, to find duplicates
  std::vector<std::string> where_named;
  for (const auto& want : d.platforms) {
    const Platform* pl = catalog.resolve(want.name);
    if (!pl) {
      std::string known;
      for (const auto& q : catalog.platforms) known += (known.empty() ? "" : ", ") + q.arch;
      return fail(exit_code::bad_config, "{}: unknown platform (known: {}; BOINC names and aliases work too)",
                  want.where, known);
    }
    if (auto seen = std::find(named.begin(), named.end(), pl->arch); seen != named.end())
      return fail(exit_code::bad_config, "{}: {} is already named by {}", want.where, pl->arch,
                  where_named[seen - named.begin()]);
    named.push_back(pl->arch);
    where_named.push_back(want.where);
    const PlatformStatus* s = find_status(status, pl->arch);
    if (!s) return fail(exit_code::failure, "{}: the status has no row for {}", want.where, pl->arch);
    PlannedPlatform p;
    p.arch = pl->arch;
    p.boinc_name = pl->boinc_name;
    p.desired = want.state;
    p.before = snapshot_of(*s);
    p.strict = want.strict;
    p.allow_slow = want.allow_slow;
    p.scope = want.scope;
    const bool moves = want.state == DesiredState::enabled && want.scope && s->enabled &&
                       s->state != PlatformState::native && s->scope != *want.scope;
    if (want.translator) {
      auto path = resolve_translator(want, *pl, translators);
      if (!path) return path.error();
      p.translator = *path;
    }
    if (s->state == PlatformState::native) {
      // Nothing to register either way: a fleet file names the platforms a shelf should run,
      // and on a board that runs one of them natively that one is already as wanted.
      p.why = "runs natively on this machine";
    } else if (moves) {
      // Moved by enable, which protects BOINC's tasks of it as disable does.
      p.action = ApplyAction::enable;
      p.why = fmt::format("enabled with scope {}, the file asks for {}", to_string(s->scope), to_string(*want.scope));
    } else if (want.state == DesiredState::enabled) {
      if (auto need = enable_needed(*s, p.translator)) {
        p.action = ApplyAction::enable;
        p.why = *need;
      } else {
        p.why = "enabled and verified";
      }
    } else if (s->enabled) {
      p.action = ApplyAction::disable;
      p.why = fmt::format("enabled (now {})", to_string(s->state));
    } else {
      p.why = "not enabled";
    }
    out.push_back(std::move(p));
  }
  if (d.others == OthersPolicy::disabled) {
    for (const auto& s : status.platforms) {
      if (!s.enabled || s.state == PlatformState::native ||
          std::find(named.begin(), named.end(), s.arch) != named.end())
        continue;
      PlannedPlatform p;
      p.arch = s.arch;
      p.boinc_name = s.boinc_name;
      p.desired = DesiredState::disabled;
      p.listed = false;
      p.action = ApplyAction::disable;
      p.why = fmt::format("enabled, and not named in {} (\"others\": \"disabled\")", d.source);
      p.before = snapshot_of(s);
      out.push_back(std::move(p));
    }
  }
  return out;
}

std::string_view to_string(ApplyAction a) {
  switch (a) {
    case ApplyAction::enable:
      return "enable";
    case ApplyAction::disable:
      return "disable";
    case ApplyAction::none:
      break;
  }
  return "none";
}

}  // namespace platformd
