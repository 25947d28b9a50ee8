#include "apply/applier.h"

#include "broker/session.h"

#include "exit_codes.h"

namespace platformd {

namespace {

ApplyItem item_of(const PlannedPlatform& p) {
  ApplyItem it;
  it.arch = p.arch;
  it.boinc_name = p.boinc_name;
  it.desired = p.desired;
  it.listed = p.listed;
  it.action = p.action;
  it.before = p.before;
  it.after = p.before;
  it.reason = p.why;
  return it;
}

// Runs one platform's action; the report's lines and warnings go to `rep`. The BOINC client is
// not restarted here: apply_desired_state restarts it once, after every action.
void run_action(Broker& b, const PlannedPlatform& p, ApplyItem& it, ApplyReport& rep) {
  ChangeOptions co;
  co.restart_boinc = false;
  co.strict = p.strict;
  co.translator = p.translator;
  co.allow_slow = p.allow_slow;
  if (p.action == ApplyAction::enable) co.scope = p.scope;
  auto r = p.action == ApplyAction::enable ? b.enable({p.arch}, co) : b.disable({p.arch}, co);
  if (!r) {
    it.error = r.error();
    return;
  }
  for (auto& l : r->lines) rep.lines.push_back(std::move(l));
  for (auto& w : r->warnings) rep.warnings.push_back(std::move(w));
  if (r->error) it.error = *r->error;
  if (r->changed) it.outcome = ApplyOutcome::changed;
}

bool same(const PlatformSnapshot& a, const PlatformSnapshot& b) {
  return a.enabled == b.enabled && a.state == b.state && a.translator == b.translator;
}

}  // namespace

Result<ApplyReport> check_desired_state(const DesiredStateFile& d, const Catalog& catalog,
                                        const std::vector<TranslatorSpec>& translators, const StatusReport& before) {
  auto plan = plan_apply(d, catalog, translators, before);
  if (!plan) return plan.error();
  ApplyReport rep;
  rep.source = d.source;
  rep.check = true;
  rep.warnings = before.notes;
  for (const auto& p : *plan) rep.items.push_back(item_of(p));
  for (auto& it : rep.items)
    if (it.action != ApplyAction::none) {
      it.outcome = ApplyOutcome::would_change;
      it.after.enabled = it.desired == DesiredState::enabled;
      rep.changed = true;
    }
  return rep;
}

Result<ApplyReport> apply_desired_state(Broker& b, const DesiredStateFile& d, const ApplyOptions& o) {
  auto catalog = load_catalog(b.machine(), b.paths());
  if (!catalog) return catalog.error();
  auto translators = load_translators(b.paths());
  if (!translators) return translators.error();
  auto before = b.status();
  if (!before) return before.error();
  if (o.check) return check_desired_state(d, *catalog, *translators, *before);
  auto plan = plan_apply(d, *catalog, *translators, *before);
  if (!plan) return plan.error();
  ApplyReport rep;
  rep.source = d.source;
  rep.warnings = before->notes;
  for (const auto& p : *plan) rep.items.push_back(item_of(p));
  // Withdrawals first: a platform given up should not wait for the probes of new ones.
  bool acted = false;
  for (auto action : {ApplyAction::disable, ApplyAction::enable})
    for (std::size_t i = 0; i < plan->size(); ++i)
      if ((*plan)[i].action == action) {
        run_action(b, (*plan)[i], rep.items[i], rep);
        acted = true;
      }
  // One restart of the BOINC client for the whole file (not one per platform): a reconcile
  // applies the advertised set with the restart, confirms the client's list, and lets the
  // handlers of withdrawn platforms go once the client no longer lists them.
  if (acted && o.restart_boinc) {
    auto r = b.reconcile();
    if (!r) {
      rep.warnings.push_back("BOINC: " + r.error().message);
    } else {
      for (auto& l : r->lines) rep.lines.push_back(std::move(l));
      for (auto& w : r->warnings) rep.warnings.push_back(std::move(w));
    }
  }

  auto after = b.status();
  if (!after) return after.error();
  for (auto& it : rep.items) {
    for (const auto& s : after->platforms)
      if (s.arch == it.arch) it.after = snapshot_of(s);
    if (it.error) {
      it.outcome = ApplyOutcome::failed;
      it.reason = it.error->message;
      if (!rep.error) rep.error = it.error;
    } else if (it.action != ApplyAction::none && !same(it.before, it.after)) {
      it.outcome = ApplyOutcome::changed;
    }
    rep.changed = rep.changed || it.outcome == ApplyOutcome::changed;
  }
  return rep;
}

int apply_exit_code(const ApplyReport& r) {
  if (r.error) return r.error->code == 0 ? exit_code::failure : r.error->code;
  return r.changed ? exit_code::changed : exit_code::ok;
}

std::string_view to_string(ApplyOutcome o) {
  switch (o) {
    case ApplyOutcome::changed:
      return "changed";
    case ApplyOutcome::would_change:
      return "would_change";
    case ApplyOutcome::failed:
      return "failed";
    case ApplyOutcome::unchanged:
      break;
  }
  return "unchanged";
}

}  // namespace platformd
