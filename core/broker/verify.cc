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

Result<std::vector<VerifyResult>> Broker::verify(const std::vector<std::string>& names, const VerifyOptions& o) {
  auto sess = open_session(m_, paths_, false);
  if (!sess) return sess.error();
  auto& s = *sess;
  std::vector<const Platform*> platforms;
  if (names.empty()) {
    for (const auto& pl : s.catalog.platforms)
      if (!s.host.runs_natively(pl.arch) || o.translator || o.native) platforms.push_back(&pl);
  } else {
    auto r = resolve_all(s.catalog, names);
    if (!r) return r.error();
    platforms = *r;
  }
  BinfmtTable table(m_, paths_.binfmt_dir);
  std::vector<BinfmtRule> entries;
  if (auto e = table.entries(); e) entries = std::move(*e);
  std::vector<VerifyResult> out;
  for (const Platform* pl : platforms) {
    auto cands = candidates_for(s.translators, *pl);
    prepare_rc(m_, paths_, s.state, s.translators, cands, pl->arch);
    VerifyTarget t{.platform = pl, .via = ProbeVia::native};
    t.allow_slow = o.allow_slow;
    if (o.native) {
      // ProbeVia::native with no translator: the kernel runs the probes itself.
    } else if (o.translator) {
      t.via = ProbeVia::translator;
      t.translator = *o.translator;
      for (const auto& c : cands)
        if (c.path == t.translator) t.env = c.env;
      t = with_rc(t, cands, t.translator);
    } else if (s.host.runs_natively(pl->arch)) {
      // natively, as above
    } else if (const BinfmtRule* h = find_entry(entries, own_entry_name(pl->arch)); h && h->enabled) {
      t = VerifyTarget{.platform = pl,
                       .via = ProbeVia::binfmt_empty_root,
                       .translator = h->interpreter,
                       .env = {},
                       .expect_preserved_argv0 = h->flags.find('P') != std::string::npos};
      t.allow_slow = o.allow_slow;
      for (const auto& c : cands)
        if (c.path == h->interpreter) t.env = c.env;
      t = with_rc(t, cands, h->interpreter);
    } else {
      // Nothing registered: verify every candidate and show the choice enable would make.
      CandidateSelection selection;
      auto runs = verify_candidates(m_, paths_, s.host, *pl, cands, o.strict, o.allow_slow, &selection);
      VerifyResult v;
      v.arch = pl->arch;
      v.fidelity = Fidelity::blocked;
      if (selection.index >= 0) v = runs[selection.index].result;
      for (const auto& c : runs) v.candidates.push_back(candidate_line(c));
      v.why_chosen = selection.index >= 0 ? selection.why : "no candidate runs both static and dynamic programs";
      if (cands.empty()) v.run_detail = "no translator is described for it";
      if (selection.index < 0 && !cands.empty()) {
        v.runs = false;
        v.passed = false;
        v.run_detail = fmt::format("no usable translator: {}", fmt::join(v.candidates, "; "));
      }
      // The daemon's answer has no field for the table: the choice travels in run_detail.
      if (runs.size() > 1 && selection.index >= 0) v.run_detail += "; " + v.why_chosen;
      out.push_back(std::move(v));
      continue;
    }
    VerifyResult v = verify_platform(m_, paths_, s.host, t, o.strict);
    // A pinned dynamic-only translator (box64) that cannot run the static probe is still no
    // candidate, but what it does with dynamic programs is shown: its settings (the rc file)
    // and its fidelity there are what an administrator asking about it wants to see.
    const bool dynamic_only = std::any_of(
        cands.begin(), cands.end(), [&](const Candidate& c) { return c.path == t.translator && !c.requires_static; });
    if (!v.runs && o.translator && dynamic_only) {
      auto d = verify_dynamic(m_, paths_, t, o.strict);
      if (d.runs) {
        auto cls = classes_of(pl->arch, d.categories);
        v.run_detail += fmt::format("; dynamic probe (not enough: static programs must run too): {}; {}", d.detail,
                                    verdict_line(cls));
      } else {
        v.run_detail += "; " + d.detail;
      }
    }
    // The dynamically linked probe too (BOINC projects ship both kinds), from the real root.
    if (v.runs && !t.translator.empty()) {
      VerifyTarget dt = t;
      if (dt.via == ProbeVia::binfmt_empty_root) dt.via = ProbeVia::native;  // exec: the kernel picks the handler
      auto d = verify_dynamic(m_, paths_, dt, o.strict);
      if (d.tested && !d.runs) {
        v.passed = false;
        v.run_detail += "; " + d.detail;
      } else if (!d.tested) {
        v.run_detail += "; " + d.detail;
      } else {
        v.run_detail += fmt::format("; dynamic probe: ran from the real root, fidelity {}", to_string(d.fidelity));
      }
    }
    // A translator whose rc file could not carry the settings it is verified with (a FIFO, a
    // hard link, the BOINC user's own lines that change what it loads): whatever its probes
    // did, BOINC's tasks would not run as they ran, so it does not pass (issue 20).
    for (const auto& c : cands)
      if (c.path == t.translator && !c.rcfile.file.empty() && !c.problem.empty()) {
        v.passed = false;
        v.run_detail = c.problem + (v.run_detail.empty() ? "" : "; " + v.run_detail);
      }
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace platformd
