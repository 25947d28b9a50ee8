// Deciding what to register for a platform, before touching the kernel: which translator,
// which rule, and whether the rule is safe (never matching the host's own programs) and free
// (not overlapping another tool's entry). Pure given its inputs.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "binfmt/binfmt_rule.h"
#include "catalog.h"
#include "fidelity/translator.h"

namespace platformd {

// Flags of our entries: F so the translator is opened at registration (works from chroots,
// containers and empty roots), P so argv[0] reaches the program (busybox-style tools). Never
// C: it would run the translator with a setuid binary's credentials (docs/binfmt.md).
inline constexpr std::string_view kOwnFlags = "PF";

BinfmtRule own_rule(const Platform& p, const std::string& interpreter);

struct Candidate {
  std::string spec_name;
  std::string path;
  std::map<std::string, std::string> env;
  std::string problem;  // empty when usable
  // false: a dynamic-only translator (box64): registered without F and verified from the real
  // root, never offered for chroots and containers.
  bool requires_static = true;
  bool maps_host_libc = false;    // TranslatorSpec::maps_host_libc
  TranslatorSpec::RcFile rcfile;  // settings from an rc file (box64), verified and written as such
  std::string rc_text;            // that file as BOINC's tasks will read it (set by the broker)
};

// Every translator description that covers the platform, in description order.
std::vector<Candidate> candidates_for(const std::vector<TranslatorSpec>& specs, const Platform& p);

// The headers of programs that must never be captured by a handler: the userland's own
// program and the probes of natively running compat platforms. Returns the name of the first
// one the rule matches, or "".
struct NativeHeader {
  std::string what;  // "/bin/sh (x86_64, this machine's userland)"
  Bytes header;
};
std::string matches_native(const BinfmtRule& r, const std::vector<NativeHeader>& natives);

// Enabled entries of other tools that can match the same files as `r`.
std::vector<BinfmtRule> foreign_overlaps(const BinfmtRule& r, const std::vector<BinfmtRule>& table);

}  // namespace platformd
