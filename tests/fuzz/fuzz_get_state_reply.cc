// Fuzz target: parse_get_state_reply, the GUI RPC <get_state/> reply from the BOINC client
// (core/boinc/boinc_state.h). The peer is a local process, so its bytes are untrusted input.
//
// Input: the reply's text (without the GUI RPC's \003 terminator).
//
// Invariants, when it parses: the platform list has no duplicates and starts with the primary
// platform when there is one; describe() and state_text() work on every task; the filters
// return subsets. Whatever the input: no crash, no exception.
#include <algorithm>
#include <set>

#include "boinc/boinc_state.h"
#include "fuzz_util.h"

using namespace platformd;

namespace {

void check_state(const BoincClientState& s) {
  std::set<std::string> seen(s.platforms.begin(), s.platforms.end());
  FUZZ_CHECK(seen.size() == s.platforms.size(), "duplicate platform in the list");
  FUZZ_CHECK(seen.count("") == 0, "empty platform name in the list");
  if (!s.primary_platform.empty())
    FUZZ_CHECK(!s.platforms.empty() && s.platforms.front() == s.primary_platform, "primary platform is not first");
  std::size_t unfinished = 0;
  for (const auto& t : s.tasks) {
    (void)describe(t);
    (void)t.state_text();
    unfinished += t.unfinished() ? 1 : 0;
  }
  const auto all = unfinished_tasks_of(s, s.platforms);
  FUZZ_CHECK(all.size() <= unfinished, "unfinished_tasks_of returned more than the unfinished tasks");
  for (const auto& t : all)
    FUZZ_CHECK(t.unfinished() && std::find(s.platforms.begin(), s.platforms.end(), t.platform) != s.platforms.end(),
               "unfinished_tasks_of returned a task it should not");
  FUZZ_CHECK(app_versions_of(s, s.platforms).size() <= s.app_versions.size(), "app_versions_of grew");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto s = parse_get_state_reply(platformd_fuzz::as_text(data, size), "GUI RPC reply");
  if (s) check_state(*s);
  return 0;
}
