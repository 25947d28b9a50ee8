// Translator candidates: verify each, then choose. See candidate_selection.h.
#include "fidelity/candidate_selection.h"

#include <algorithm>
#include <tuple>

#include <fmt/format.h>

namespace platformd {

namespace {

double speed_of(const VerifyResult& r) {
  return r.fp_ratio && r.int_ratio ? combined_speed(*r.fp_ratio, *r.int_ratio) : 0;
}

// Lower is better: blocking classes, then deviating classes, then slower.
auto rank(const CandidateRun& c) {
  return std::make_tuple(c.blocking, c.deviating, -speed_of(c.result));
}

}  // namespace

void summarize(CandidateRun& c, std::string_view arch) {
  if (!c.problem.empty()) return;
  if (!c.result.runs) {
    c.problem = fmt::format("static {} programs fail: {}", arch, c.result.run_detail);
    return;
  }
  if (c.dynamic.tested && !c.dynamic.runs) {
    c.problem = c.dynamic.detail;
    return;
  }
  // A class deviates when either probe deviates in it; the first difference shown is the
  // static probe's when both do.
  std::vector<CategoryResult> all = c.result.categories;
  for (const auto& d : c.dynamic.categories) {
    auto it = std::find_if(all.begin(), all.end(), [&](const CategoryResult& s) { return s.category == d.category; });
    if (it == all.end())
      all.push_back(d);
    else if (it->exact && !d.exact)
      *it = CategoryResult{d.category, false, d.blocking, "dynamic probe: " + d.first_difference};
  }
  c.classes = classes_of(arch, all);
  c.blocking = c.deviating = 0;
  for (const auto& k : c.classes)
    if (!k.exact) {
      ++c.deviating;
      if (k.blocking) ++c.blocking;
    }
}

CandidateSelection select_candidate(const std::vector<CandidateRun>& cands) {
  CandidateSelection ch;
  for (std::size_t i = 0; i < cands.size(); ++i) {
    if (!cands[i].problem.empty()) continue;
    if (ch.index < 0 || rank(cands[i]) < rank(cands[ch.index])) ch.index = static_cast<int>(i);
  }
  if (ch.index < 0) return ch;
  const CandidateRun& best = cands[ch.index];
  std::vector<std::string> beaten;
  std::string by;  // the strongest reason it beat any other candidate
  for (std::size_t i = 0; i < cands.size(); ++i) {
    const auto& o = cands[i];
    if (static_cast<int>(i) == ch.index || !o.problem.empty()) continue;
    if (o.blocking != best.blocking)
      beaten.push_back(fmt::format("{} ({} blocking class(es) against {})", o.name, o.blocking, best.blocking));
    else if (o.deviating != best.deviating)
      beaten.push_back(fmt::format("{} ({} deviating class(es) against {})", o.name, o.deviating, best.deviating));
    else
      beaten.push_back(fmt::format("{} (as many deviating classes, {}; slower: {:.1f}% against {:.1f}% of native)",
                                   o.name, o.deviating, 100 * speed_of(o.result), 100 * speed_of(best.result)));
  }
  if (beaten.empty())
    ch.why =
        best.dynamic.tested
            ? fmt::format("{} is the only candidate that runs both static and dynamic programs", best.name)
            // Said as it is (scenario E: no x86_64 libc on the board, so no dynamic run).
            : fmt::format("{} is the only candidate that runs static programs; {}", best.name, best.dynamic.detail);
  else
    ch.why = fmt::format("chose {}: it beats {}", best.name, fmt::join(beaten, ", "));
  return ch;
}

std::string candidate_line(const CandidateRun& c) {
  std::string head = fmt::format("{} ({})", c.name, c.path);
  if (!c.problem.empty()) return fmt::format("{}: not a candidate: {}", head, c.problem);
  std::string verdict = verdict_line(c.classes);
  std::string speed =
      c.result.fp_ratio && c.result.int_ratio
          ? fmt::format("FP {:.1f}%, integer {:.1f}% of native", 100 * *c.result.fp_ratio, 100 * *c.result.int_ratio)
          : "speed not measured";
  std::string dyn = c.dynamic.tested ? "" : fmt::format("; {}", c.dynamic.detail);
  return fmt::format("{}{}: {}; {}{}", c.chosen ? "* " : "", head, verdict.empty() ? "-" : verdict, speed, dyn);
}

std::vector<CandidateRun> verify_candidates(Machine& m, const Paths& p, const HostInfo& host, const Platform& pl,
                                            const std::vector<Candidate>& cands, bool strict, bool allow_slow,
                                            CandidateSelection* selection) {
  std::vector<CandidateRun> out;
  for (const auto& c : cands) {
    CandidateRun v;
    v.name = c.spec_name;
    v.path = c.path;
    v.problem = c.problem;
    if (v.problem.empty()) {
      VerifyTarget t{.platform = &pl, .via = ProbeVia::translator, .translator = c.path, .env = c.env};
      t.allow_slow = allow_slow;
      t.rc_file = c.rcfile.file;
      t.rc_text = c.rc_text;
      t.maps_host_libc = c.maps_host_libc;
      v.result = verify_platform(m, p, host, t, strict);
      if (v.result.runs) v.dynamic = verify_dynamic(m, p, t, strict);
    }
    summarize(v, pl.arch);
    out.push_back(std::move(v));
  }
  CandidateSelection ch = select_candidate(out);
  if (ch.index >= 0) out[ch.index].chosen = true;
  if (selection) *selection = ch;
  return out;
}

}  // namespace platformd
