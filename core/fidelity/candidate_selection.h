// Choosing among translator candidates for one platform, on the host where the choice is made:
// every installed candidate is verified with the static probe (fingerprint and speed) and the
// dynamically linked one (BOINC projects ship both kinds); one that cannot run either kind is
// not a candidate. Then the fewest deviating impact classes win, blocking ones counted first;
// only among equals does speed (measured in the same run) decide.
#pragma once

#include <string>
#include <vector>

#include "binfmt/platform_plan.h"
#include "fidelity/impact.h"
#include "fidelity/verifier.h"
#include "fidelity/verify_result.h"

namespace platformd {

struct CandidateRun {
  std::string name;     // the translator description's name: "qemu-user-static"
  std::string path;     // the binary
  std::string problem;  // why it is not a candidate; "" when it is one
  VerifyResult result;  // the static probe's run (fingerprint, speed)
  DynamicCheck dynamic;
  std::vector<ClassResult> classes;  // static and dynamic fingerprints together
  int blocking = 0;                  // classes that deviate and block
  int deviating = 0;                 // classes that deviate
  bool chosen = false;
};

// Fills problem, classes and the counts from result and dynamic.
void summarize(CandidateRun& c, std::string_view arch);

// Index of the best candidate (-1 when none is one), and why it was chosen.
struct CandidateSelection {
  int index = -1;
  std::string why;
};
CandidateSelection select_candidate(const std::vector<CandidateRun>& cands);

// "qemu-user 10 (/usr/bin/qemu-x86_64): exact for ordinary FP; differs for: ...; FP 7.1%,
// integer 61% of native", or "box64 (/usr/bin/box64): not a candidate: static x86_64
// programs crash (...)"
std::string candidate_line(const CandidateRun& c);

// Verifies every candidate (ProbeVia::translator, registering nothing) and marks the chosen
// one. Candidates that are not installed are listed with their problem, not run.
std::vector<CandidateRun> verify_candidates(Machine& m, const Paths& p, const HostInfo& host, const Platform& pl,
                                            const std::vector<Candidate>& cands, bool strict, bool allow_slow,
                                            CandidateSelection* selection);

}  // namespace platformd
