#include "binfmt/platform_plan.h"

#include "binfmt/binfmt_table.h"

namespace platformd {

BinfmtRule own_rule(const Platform& p, const std::string& interpreter) {
  BinfmtRule r;
  r.name = own_entry_name(p.arch);
  r.type = 'M';
  r.offset = p.offset;
  r.magic = p.magic;
  r.mask = p.mask;
  r.interpreter = interpreter;
  r.flags = std::string(kOwnFlags);
  return r;
}

std::vector<Candidate> candidates_for(const std::vector<TranslatorSpec>& specs, const Platform& p) {
  std::vector<Candidate> out;
  for (const auto& s : specs) {
    auto it = s.platforms.find(p.arch);
    if (it == s.platforms.end()) continue;
    Candidate c{s.name,
                it->second.path,
                it->second.env,
                translator_problem(it->second.path, s.requires_static),
                s.requires_static,
                s.maps_host_libc,
                s.rcfile,
                {}};
    out.push_back(std::move(c));
  }
  return out;
}

std::string matches_native(const BinfmtRule& r, const std::vector<NativeHeader>& natives) {
  for (const auto& n : natives)
    if (rule_matches(r, n.header)) return n.what;
  return "";
}

std::vector<BinfmtRule> foreign_overlaps(const BinfmtRule& r, const std::vector<BinfmtRule>& table) {
  std::vector<BinfmtRule> out;
  for (const auto& e : table)
    if (!is_own_entry(e.name) && e.enabled && rules_overlap(r, e)) out.push_back(e);
  return out;
}

}  // namespace platformd
