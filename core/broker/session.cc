#include "broker/session.h"

#include <algorithm>

#include "binfmt/binfmt_table.h"
#include "boinc/boinc_locate.h"
#include "boinc/cc_config.h"
#include "broker/steps.h"
#include "exit_codes.h"

namespace platformd {

namespace {

// After the state file was lost: the <alt_platform> entries that name a platform our kernel
// entries serve are taken as ours (we wrote them; a user's duplicate would be redundant), so
// a later disable withdraws them. Entries of platforms without our entry stay the user's.
std::vector<std::string> recover_owned_alt_platforms(Machine& m, const Paths& p, const Catalog& c,
                                                     const std::vector<std::string>& enabled) {
  std::vector<std::string> owned;
  auto dd = boinc_data_dir(m, p);
  if (!dd) return owned;
  auto loc = locate_cc_config(m, *dd);
  if (!loc || !loc->exists) return owned;
  auto text = m.read_file_at(loc->dir, loc->name);
  if (!text || !*text) return owned;
  auto view = read_cc_config((*text)->text, loc->real.string());
  if (!view) return owned;
  for (const auto& arch : enabled)
    if (const Platform* pl = c.by_arch(arch))
      for (const auto& e : view->alt_platforms)
        if (e.name == pl->boinc_name) add_sorted(owned, e.name);
  return owned;
}

}  // namespace

Result<Catalog> load_catalog(Machine& m, const Paths& p) {
  fs::path f = p.data_dir / "catalog.json";
  auto text = m.read_file(f, 1 << 20);
  if (!text) return text.error();
  return parse_catalog(*text, f.string());
}

Result<std::vector<const Platform*>> resolve_all(const Catalog& c, const std::vector<std::string>& names) {
  std::vector<const Platform*> out;
  for (const auto& n : names) {
    if (auto v = validate_platform_name(n); !v) return v.error();
    const Platform* p = c.resolve(n);
    if (!p) {
      std::string known;
      for (const auto& q : c.platforms) known += (known.empty() ? "" : ", ") + q.arch;
      return fail(exit_code::usage, "unknown platform \"{}\" (known: {}; BOINC names and aliases work too)", n, known);
    }
    if (std::find(out.begin(), out.end(), p) == out.end()) out.push_back(p);
  }
  return out;
}

// Loads catalog, translators and state, and detects the host. A corrupt state file is
// rebuilt from the kernel table (our entries say what was enabled), and the caller is told.
Result<Session> open_session(Machine& m, const Paths& p, bool reprobe_host) {
  Session s;
  auto cat = load_catalog(m, p);
  if (!cat) return cat.error();
  s.catalog = std::move(*cat);
  auto tr = load_translators(p);
  if (!tr) return tr.error();
  s.translators = std::move(*tr);
  auto st = load_state(m, p);
  if (st) {
    s.state = std::move(*st);
  } else {
    s.state_recovered = true;
    BinfmtTable table(m, p.binfmt_dir);
    if (auto entries = table.entries(); entries)
      for (const auto& e : *entries)
        if (is_own_entry(e.name)) add_sorted(s.state.enabled, e.name.substr(kOwnPrefix.size()));
    s.state.owned_alt_platforms = recover_owned_alt_platforms(m, p, s.catalog, s.state.enabled);
    s.notes.push_back(fmt::format(
        "{}; rebuilt the choice from the kernel table (enabled: {}) and cc_config.xml (ours: {})", st.error().message,
        s.state.enabled.empty() ? "none" : fmt::format("{}", fmt::join(s.state.enabled, ", ")),
        s.state.owned_alt_platforms.empty() ? "none"
                                            : fmt::format("{}", fmt::join(s.state.owned_alt_platforms, ", "))));
  }
  auto host = detect_host(m, p, s.catalog, s.state.host, reprobe_host);
  if (!host) return host.error();
  s.host = std::move(*host);
  return s;
}

Result<ChangeRun> begin_change(Machine& m, const Paths& p, const std::vector<std::string>& names) {
  auto lock = FileLock::acquire(lock_file(p));
  if (!lock) return lock.error();
  auto sess = open_session(m, p, false);
  if (!sess) return sess.error();
  auto platforms = resolve_all(sess->catalog, names);
  if (!platforms) return platforms.error();
  ChangeReport rep;
  rep.warnings = sess->notes;
  return ChangeRun{std::move(*lock), std::move(*sess), std::move(*platforms), std::move(rep)};
}

Result<ChangeReport> finish_change(Machine& m, const Paths& p, ChangeRun& c, const ChangeOptions& o,
                                   const std::vector<std::string>& keep_advertised) {
  if (auto r = save_state(m, p, c.s.state); !r) return r.error();
  ClientListing listing;
  sync_boinc(m, p, c.s.catalog, c.s.state, o, c.rep, keep_advertised, &listing);
  settle_withdrawals(m, p, c.s.catalog, c.s.state, listing, true, c.rep);
  sync_rc(m, p, c.s.state, c.s.translators, c.rep);
  if (auto r = save_state(m, p, c.s.state); !r) return r.error();
  return std::move(c.rep);
}

}  // namespace platformd
