#include "broker/broker.h"

#include <algorithm>
#include <functional>

#include "binfmt/binfmt_table.h"
#include "binfmt/elf_file.h"
#include "binfmt/platform_plan.h"
#include "boinc/boinc_locate.h"
#include "boinc/boinc_sync.h"
#include "boinc/cc_config.h"
#include "boinc/rc_home.h"
#include "broker/decisions.h"
#include "broker/scope.h"
#include "broker/session.h"
#include "broker/steps.h"
#include "exit_codes.h"
#include "fidelity/candidate_selection.h"
#include "fidelity/probe_runner.h"
#include "fidelity/speed_gate.h"
#include "fidelity/translator.h"
#include "fidelity/verifier.h"
#include "state.h"

namespace platformd {

Broker::Broker(Machine& m, Paths p) : m_(m), paths_(std::move(p)) {}

Result<ChangeReport> Broker::reconcile() {
  auto lock = FileLock::acquire(lock_file(paths_));
  if (!lock) return lock.error();
  auto sess = open_session(m_, paths_, false);
  if (!sess) return sess.error();
  auto& s = *sess;
  ChangeReport rep;
  rep.warnings = s.notes;
  // The daemon reconciles on every D-Bus call: when nothing changed, write nothing (each
  // save is an fsync and a rename).
  const std::string state_before = serialize_state(s.state);
  BinfmtTable table(m_, paths_.binfmt_dir);
  if (auto ok = table.prepare(); !ok) return ok.error();
  auto entries = table.entries();
  if (!entries) return entries.error();
  // Leftovers: our entries for platforms no longer chosen (those being withdrawn wait for the
  // client's list: settle_withdrawals below).
  for (const auto& e : *entries)
    if (is_own_entry(e.name) && !contains(s.state.enabled, e.name.substr(kOwnPrefix.size())) &&
        !contains(s.state.withdrawing, e.name.substr(kOwnPrefix.size()))) {
      if (auto r = table.remove_own(e.name); r) {
        rep.lines.push_back(fmt::format("removed leftover entry {}", e.name));
        rep.changed = true;
      }
    }
  // Taken over (--take-over): an entry of the other tool's that is enabled again (its tool
  // registered it anew: systemd-binfmt at boot or restart) is disabled again while the
  // platform is enabled; given back once the platform is neither enabled nor being withdrawn.
  for (const auto& [arch, names] : std::map<std::string, std::vector<std::string>>(s.state.taken_over)) {
    if (!contains(s.state.enabled, arch)) {
      if (!contains(s.state.withdrawing, arch)) give_back(table, s.state, arch, rep);
      continue;
    }
    for (const auto& name : names)
      if (const BinfmtRule* e = find_entry(*entries, name); e && e->enabled) {
        if (auto r = table.set_enabled(name, false); !r) {
          rep.warnings.push_back(r.error().message);
          continue;
        }
        rep.lines.push_back(fmt::format(
            "{}: disabled entry '{}' of another tool again (taken over; its tool registered it anew)", arch, name));
        rep.changed = true;
      }
  }
  if (auto again = table.entries(); again) *entries = std::move(*again);
  // Chosen platforms whose entry is gone (flushed by systemd-binfmt or another tool) or whose
  // translator file was replaced (F pinned the old inode) are registered and verified again.
  auto natives = native_headers(paths_, s.host);
  std::vector<std::string> kept_busy;
  for (const auto& arch : std::vector<std::string>(s.state.enabled)) {
    const Platform* pl = s.catalog.by_arch(arch);
    if (!pl) continue;
    auto cands = candidates_for(s.translators, *pl);
    RepairFacts facts{pl, &s.host, &s.state, &*entries, cands.empty() ? "" : cands.front().path, {}};
    for (const auto& e : *entries) facts.identities.emplace(e.interpreter, file_identity(e.interpreter));
    if (!cands.empty()) facts.identities.emplace(cands.front().path, file_identity(cands.front().path));
    const Repair need = decide_repair(facts);
    if (need == Repair::none || need == Repair::native) continue;
    const BinfmtRule* ours = find_entry(*entries, own_entry_name(arch));
    // Never lose work: a platform that stops verifying keeps its handler and its alt_platform
    // while BOINC holds tasks of it; both go with the first reconcile after they finish.
    // Asking BOINC (GUI RPC or client_state.xml) is for failures only, at most once each.
    std::optional<bool> busy_answer;
    auto busy = [&] {
      if (!busy_answer)
        busy_answer =
            (ours || contains(s.state.owned_alt_platforms, pl->boinc_name)) && boinc_busy_with(m_, paths_, *pl);
      return *busy_answer;
    };
    if (need == Repair::failed_with_handler) {
      if (busy()) {
        kept_busy.push_back(pl->boinc_name);
      } else if (auto r = table.remove_own(ours->name); r) {
        rep.lines.push_back(fmt::format("{}: removed entry {}: its verification failed and no BOINC task needs it now",
                                        arch, ours->name));
        rep.changed = true;
      }
      continue;
    }
    // Failed with this very translator and no handler left: retrying would fail the same way,
    // unless the handler is kept for BOINC's tasks (and was flushed meanwhile): register it again.
    if (need == Repair::failed_no_handler && !busy()) continue;
    std::size_t before = rep.lines.size();
    enable_one(m_, paths_, s, table, natives, pl, ChangeOptions{}, rep, busy);
    if (!s.state.verified[arch].passed && busy_answer.value_or(false)) kept_busy.push_back(pl->boinc_name);
    if (rep.lines.size() > before) {
      rep.lines.back() = "repaired " + rep.lines.back();
      rep.changed = true;
    }
    if (auto again = table.entries(); again) *entries = std::move(*again);
  }
  if (serialize_state(s.state) != state_before || s.state_recovered) {
    if (auto r = save_state(m_, paths_, s.state); !r) return r.error();
  }
  ClientListing listing;
  sync_boinc(m_, paths_, s.catalog, s.state, ChangeOptions{}, rep, kept_busy, &listing);
  settle_withdrawals(m_, paths_, s.catalog, s.state, listing, false, rep);
  sync_rc(m_, paths_, s.state, s.translators, rep);
  heal_boinc_instance(m_, paths_, s, rep);
  if (serialize_state(s.state) != state_before || s.state_recovered) {
    if (auto r = save_state(m_, paths_, s.state); !r) return r.error();
  }
  return rep;
}

}  // namespace platformd
