#include "broker/decisions.h"

#include <algorithm>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "binfmt/binfmt_table.h"
#include "broker/steps.h"
#include "fidelity/speed_gate.h"
#include "fidelity/translator.h"
#include "fidelity/verifier.h"

namespace platformd {

bool record_reusable(const VerifyRecord& r, std::string_view translator_identity, std::string_view probe_identity,
                     bool strict, bool allow_slow) {
  return r.passed && r.translator_identity == translator_identity && r.probe_identity == probe_identity &&
         (!strict || r.fidelity == Fidelity::exact) &&
         (allow_slow || speed_gate(std::min(r.fp_ratio, r.int_ratio)) != SpeedGate::too_slow);
}

namespace {
// The recorded identity of `path`, "" when none was recorded.
std::string identity_in(const std::map<std::string, std::string>& ids, const std::string& path) {
  auto it = ids.find(path);
  return it == ids.end() ? std::string() : it->second;
}
}  // namespace

namespace {
// A verified platform scoped to BOINC: where BOINC's client stands decides whether its tasks
// find the handler (docs/scoped.md).
void decide_in_boinc_instance(PlatformStatus& ps, const Platform& pl, const BoincInstanceFacts& bi) {
  using C = BoincInstanceFacts::Client;
  const std::string name = own_entry_name(pl.arch);
  switch (bi.client) {
    case C::not_running:
      ps.state = PlatformState::emulated;
      ps.reason =
          "for BOINC's tasks alone (scope boinc): no BOINC client runs now; platformd-boinc-launch puts the handler "
          "in BOINC's own namespace when the client starts; the machine's table is left as it is";
      return;
    case C::not_launched:
      ps.state = PlatformState::unavailable;
      ps.reason = fmt::format(
          "scope boinc, but the BOINC client that answers was not started by platformd-boinc-launch: its tasks of "
          "{} find no handler. boinc-client.service needs platformd's drop-in (`systemctl cat boinc-client`), "
          "then `systemctl restart boinc-client`",
          pl.arch);
      return;
    case C::launched:
      break;
  }
  ps.handler = name;
  if (!bi.entries) {
    ps.state = PlatformState::unavailable;
    ps.reason = fmt::format("scope boinc: BOINC's instance (client PID {}) cannot be read: {}", bi.pid, bi.unreadable);
    return;
  }
  const BinfmtRule* h = find_entry(*bi.entries, name);
  if (!h || !h->enabled || h->interpreter != ps.translator) {
    ps.state = PlatformState::unavailable;
    ps.reason = fmt::format(
        "scope boinc: {} in BOINC's own namespace (client PID {}){}; platformd puts it back (reconcile)", name, bi.pid,
        !h            ? " is missing"
        : !h->enabled ? " is disabled"
                      : fmt::format(" runs {}, not the verified {}", h->interpreter, ps.translator));
    return;
  }
  ps.state = PlatformState::emulated;
  ps.reason = fmt::format(
      "for BOINC's tasks alone (scope boinc): handler {} in BOINC's own namespace (client PID {}); the machine's "
      "table is left as it is",
      name, bi.pid);
}
}  // namespace

std::string PlatformFacts::identity_of(const std::string& path) const {
  return identity_in(identities, path);
}

std::string_view to_string(PlatformState s) {
  switch (s) {
    case PlatformState::native:
      return "native";
    case PlatformState::emulated:
      return "emulated";
    case PlatformState::available:
      return "available";
    case PlatformState::withdrawing:
      return "withdrawing";
    case PlatformState::unavailable:
      break;
  }
  return "unavailable";
}

std::optional<PlatformState> platform_state_from(std::string_view s) {
  for (auto v : {PlatformState::native, PlatformState::emulated, PlatformState::available, PlatformState::unavailable,
                 PlatformState::withdrawing})
    if (to_string(v) == s) return v;
  return std::nullopt;
}

namespace {
// What a recorded verification says, into a platform's status.
void take_record(PlatformStatus& ps, const VerifyRecord& r) {
  ps.fidelity = r.fidelity;
  ps.verdict = r.verdict;
  if (!r.guest_cpu.empty()) ps.verdict += (ps.verdict.empty() ? "" : "; ") + r.guest_cpu;
  ps.candidates = r.candidates;
  ps.why_chosen = r.why_chosen;
  if (r.fp_ratio > 0) ps.speed_ratio = combined_speed(r.fp_ratio, r.int_ratio);
}
}  // namespace

PlatformStatus decide_platform(const PlatformFacts& f) {
  const Platform& pl = *f.platform;
  PlatformStatus ps;
  if (f.client) ps.boinc_reports = contains(*f.client, pl.boinc_name);
  ps.arch = pl.arch;
  ps.boinc_name = pl.boinc_name;
  ps.boinc_canonical = pl.boinc_canonical;
  ps.enabled = contains(f.state->enabled, pl.arch);
  if (auto u = f.host->undetermined_compat.find(pl.arch); u != f.host->undetermined_compat.end() && !ps.enabled) {
    ps.state = PlatformState::unavailable;
    ps.reason = fmt::format(
        "cannot tell whether this kernel runs it natively: {}; no handler is registered for it "
        "until that is known",
        u->second);
    return ps;
  }
  if (f.host->runs_natively(pl.arch)) {
    ps.state = PlatformState::native;
    ps.reason = pl.arch == f.host->userland_arch ? "this machine's userland" : "proven by running its probe natively";
    if (ps.enabled && pl.arch != f.host->userland_arch) ps.reason += "; enabled: advertised to BOINC, no handler";
    return ps;
  }
  const auto& cands = f.candidates;
  const auto& entries = *f.entries;
  ps.scope = f.state->scope_of(pl.arch);
  if (ps.enabled && ps.scope == Scope::boinc) {
    // For BOINC's tasks alone: no handler in the machine's table, by design (issue 21).
    auto rec = f.state->verified.find(pl.arch);
    if (rec == f.state->verified.end()) {
      ps.state = PlatformState::unavailable;
      ps.reason = "not verified yet";
      return ps;
    }
    const std::string& idt = rec->second.translator_identity;
    ps.translator = identity_path(idt);
    take_record(ps, rec->second);
    if (!rec->second.passed) {
      ps.state = PlatformState::unavailable;
      ps.reason = rec->second.reason;
    } else if (f.identity_of(ps.translator) != idt) {
      ps.state = PlatformState::unavailable;
      ps.reason = fmt::format("{} changed since it was verified; re-verification pending", ps.translator);
    } else {
      decide_in_boinc_instance(ps, pl, f.boinc_instance);
      if (!rec->second.reason.empty()) ps.reason += "; " + rec->second.reason;
    }
    return ps;
  }
  if (ps.enabled) {
    const BinfmtRule* h = find_entry(entries, own_entry_name(pl.arch));
    if (!h) {
      auto rule = own_rule(pl, cands.empty() ? "/" : cands.front().path);
      auto f = foreign_overlaps(rule, entries);
      if (!f.empty()) h = find_entry(entries, f.front().name);
    }
    auto rec = f.state->verified.find(pl.arch);
    if (!h || !h->enabled) {
      ps.state = PlatformState::unavailable;
      ps.reason = "enabled, but its binfmt_misc entry is missing (platformd repairs this; or run 'platformctl enable " +
                  pl.arch + "')";
    } else {
      ps.handler = h->name;
      ps.translator = h->interpreter;
      if (rec == f.state->verified.end()) {
        ps.state = PlatformState::unavailable;
        ps.reason = "not verified yet";
      } else {
        take_record(ps, rec->second);
        if (!rec->second.passed) {
          ps.state = PlatformState::unavailable;
          ps.reason = rec->second.reason;
        } else if (f.identity_of(h->interpreter) != rec->second.translator_identity) {
          ps.state = PlatformState::unavailable;
          ps.reason = fmt::format("{} changed since it was verified; re-verification pending", h->interpreter);
        } else if (!f.settings_problem.empty()) {
          // Verified with settings BOINC's tasks do not get now (issue 20): not emulated as verified.
          ps.state = PlatformState::unavailable;
          ps.reason =
              fmt::format("the settings it was verified with are not what BOINC's tasks get: {}", f.settings_problem);
        } else {
          ps.state = PlatformState::emulated;
          ps.reason = rec->second.reason;
          if (auto t = f.state->taken_over.find(pl.arch); t != f.state->taken_over.end())
            ps.reason +=
                fmt::format("{}taken over (--take-over) from entry '{}' of another tool, disabled while {} is enabled",
                            ps.reason.empty() ? "" : "; ", fmt::join(t->second, "', '"), pl.arch);
        }
      }
    }
  } else if (const BinfmtRule* h = find_entry(entries, own_entry_name(pl.arch));
             h && choice_of(*f.state, pl.arch) == Choice::withdrawing) {
    ps.state = PlatformState::withdrawing;
    ps.handler = h->name;
    ps.translator = h->interpreter;
    ps.reason = ps.boinc_reports.has_value() && !*ps.boinc_reports
                    ? "disabled; the BOINC client no longer lists it: the handler goes at the next reconcile"
                    : fmt::format(
                          "disabled; the handler stays while the BOINC client lists {} (it fetches tasks "
                          "for it until it is restarted)",
                          pl.boinc_name);
    // A taken-over entry is given back at a bounded time, whatever keeps the platform listed.
    auto t = f.state->taken_over.find(pl.arch);
    auto since = f.state->withdrawing_since.find(pl.arch);
    if (t != f.state->taken_over.end() && since != f.state->withdrawing_since.end())
      ps.reason += fmt::format(
          "; entry '{}' of another tool, taken over, is enabled again when the handler goes, at the latest at the "
          "first reconcile after {:%Y-%m-%d %H:%M:%S} UTC",
          fmt::join(t->second, "', '"),
          fmt::gmtime(static_cast<std::time_t>(since->second + f.take_over_release_after)));
  } else {
    auto usable = std::find_if(cands.begin(), cands.end(), [](const Candidate& c) { return c.problem.empty(); });
    if (!f.have_probe) {
      ps.state = PlatformState::unavailable;
      ps.reason = f.probe_missing;
    } else if (usable == cands.end()) {
      ps.state = PlatformState::unavailable;
      ps.reason = cands.empty() ? "no translator is described for it" : cands.front().problem;
    } else {
      ps.state = PlatformState::available;
      ps.translator = usable->path;
      auto rec = f.state->verified.find(pl.arch);
      if (rec != f.state->verified.end() && rec->second.translator_identity == f.identity_of(usable->path)) {
        take_record(ps, rec->second);
        if (!rec->second.passed) ps.reason = "last verification failed: " + rec->second.reason;
      }
      // Never "available" without a word (issue 13: i686 was listed bare on arm64 after
      // postinst could not enable it): what is known, and the command that acts on it.
      bool verified_here = rec != f.state->verified.end() && rec->second.passed &&
                           rec->second.translator_identity == f.identity_of(usable->path);
      if (ps.reason.empty())
        ps.reason = verified_here
                        ? fmt::format("not enabled; verified with {} ('platformctl enable {}')", usable->path, pl.arch)
                        : fmt::format("not enabled; {} not verified with {} yet ('platformctl verify {}')", pl.arch,
                                      usable->path, pl.arch);
    }
  }
  return ps;
}

void finish_reason(PlatformStatus& ps, const Platform& pl, const std::vector<std::string>& abort_risks) {
  for (const auto& r : abort_risks) {
    ps.abort_risks.push_back(r);
    ps.reason += std::string(ps.reason.empty() ? "" : "; ") + "WARNING: " + r;
  }
  if (!pl.boinc_canonical)
    ps.reason += std::string(ps.reason.empty() ? "" : "; ") + "BOINC servers do not know this platform name";
  // The client's own detection (x86: any 32-bit ELF under /lib*) can claim a platform the
  // kernel cannot run; its tasks would then fail. Seen here: i686 on an x86_64 kernel
  // without IA32 emulation (docs/boinc.md).
  // An enabled one that cannot run now says why above; the client's tasks of it fail until then.
  if (ps.boinc_reports.value_or(false) && ps.state != PlatformState::native && ps.state != PlatformState::emulated &&
      ps.state != PlatformState::withdrawing)
    ps.reason += std::string(ps.reason.empty() ? "" : "; ") +
                 (ps.enabled ? "WARNING: the BOINC client advertises it, and its tasks of it fail until this is mended"
                             : "WARNING: the BOINC client advertises it, but this machine cannot run it; enable it "
                               "to emulate it");
}

Repair decide_repair(const RepairFacts& f) {
  const Platform& pl = *f.platform;
  if (f.host->runs_natively(pl.arch)) return Repair::native;
  // Its handler is in BOINC's own instance, which the launcher fills when the client starts;
  // the machine's table must not get one (issue 21).
  if (f.state->scope_of(pl.arch) == Scope::boinc) return Repair::none;
  auto id = [&](const std::string& path) { return identity_in(f.identities, path); };
  const BinfmtRule* ours = find_entry(*f.entries, own_entry_name(pl.arch));
  auto rec = f.state->verified.find(pl.arch);
  const bool passed = rec != f.state->verified.end() && rec->second.passed;
  const bool healthy = ours && ours->enabled && passed && rec->second.translator_identity == id(ours->interpreter);
  const bool adopted = !ours && passed && !foreign_overlaps(own_rule(pl, "/x"), *f.entries).empty();
  if (healthy || adopted) return Repair::none;
  // A platform that failed verification with the translator still installed as it was is
  // not retried on every trigger (each try runs the probes); a new translator file is.
  const bool failed_same = rec != f.state->verified.end() && !rec->second.passed && !f.first_candidate.empty() &&
                           rec->second.translator_identity == id(f.first_candidate);
  if (failed_same) return ours ? Repair::failed_with_handler : Repair::failed_no_handler;
  return Repair::register_again;
}

std::string_view to_string(Repair r) {
  switch (r) {
    case Repair::none:
      return "none";
    case Repair::native:
      return "native";
    case Repair::failed_with_handler:
      return "failed_with_handler";
    case Repair::failed_no_handler:
      return "failed_no_handler";
    case Repair::register_again:
      break;
  }
  return "register_again";
}

}  // namespace platformd
