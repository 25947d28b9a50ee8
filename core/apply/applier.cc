#include "apply/applier.h"

#include "exit_codes.h"

namespace platformd {

namespace {

// The broker's ChangeOptions gains allow_slow with issue 14. Until then a file asking for it
// is refused (before anything changes) rather than enabled under the default policy, which
// would pretend to honour it. Checked at compile time, so it starts working when the broker
// offers it and never has to be remembered.
template <typename O>
constexpr bool broker_has_allow_slow = requires(O o) {
  o.allow_slow = true;
};

template <typename O>
void set_allow_slow(O& o, bool v) {
  if constexpr (broker_has_allow_slow<O>) o.allow_slow = v;
}

Result<Catalog> load_catalog(Machine& m, const Paths& p) {
  fs::path f = p.data_dir / "catalog.json";
  auto text = m.read_file(f, 1 << 20);
  if (!text) return text.error();
  return parse_catalog(*text, f.string());
}

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

// Runs one platform's action; the report's lines and warnings go to `rep`.
void run_action(Broker& b, const PlannedPlatform& p, const ApplyOptions& o, ApplyItem& it, ApplyReport& rep) {
  ChangeOptions co;
  co.restart_boinc = o.restart_boinc;
  co.strict = p.strict;
  co.translator = p.translator;
  set_allow_slow(co, p.allow_slow);
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

Result<ApplyReport> apply_desired_state(Broker& b, const DesiredStateFile& d, const ApplyOptions& o) {
  auto catalog = load_catalog(b.machine(), b.paths());
  if (!catalog) return catalog.error();
  auto translators = load_translators(b.paths());
  if (!translators) return translators.error();
  auto before = b.status();
  if (!before) return before.error();
  auto plan = plan_apply(d, *catalog, *translators, *before);
  if (!plan) return plan.error();
  for (const auto& p : *plan)
    if (p.allow_slow && !broker_has_allow_slow<ChangeOptions>)
      return fail(exit_code::bad_config,
                  "{}: {}: allow_slow is not supported by this platformd (its broker has no such policy yet); "
                  "nothing was changed",
                  d.source, p.arch);

  ApplyReport rep;
  rep.source = d.source;
  rep.check = o.check;
  rep.warnings = before->notes;
  for (const auto& p : *plan) rep.items.push_back(item_of(p));
  if (o.check) {
    for (auto& it : rep.items)
      if (it.action != ApplyAction::none) {
        it.outcome = ApplyOutcome::would_change;
        it.after.enabled = it.desired == DesiredState::enabled;
        rep.changed = true;
      }
    return rep;
  }
  // Withdrawals first: a platform given up should not wait for the probes of new ones.
  for (auto action : {ApplyAction::disable, ApplyAction::enable})
    for (std::size_t i = 0; i < plan->size(); ++i)
      if ((*plan)[i].action == action) run_action(b, (*plan)[i], o, rep.items[i], rep);

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
