// Fuzz target: the GUI RPC replies uptake reads (core/boinc/boinc_messages.h) and uptake itself
// (core/boinc/uptake.h). The peer on the GUI RPC port is a local process, and the messages carry
// a project server's text: untrusted input twice over.
//
// Input: a reply's text, parsed both as a <get_messages> and as a <get_old_results> reply.
//
// Invariants: whatever parses, decide_uptake and every describe() give printable ASCII only
// (what reaches a terminal, the journal, JSON and D-Bus); counts are never negative; the
// words of a scheduler reply are at most 8. Whatever the input: no crash, no exception.
#include "boinc/boinc_messages.h"
#include "boinc/uptake.h"
#include "fuzz_util.h"

using namespace platformd;

namespace {

bool printable(const std::string& s) {
  for (unsigned char c : s)
    if (c < 0x20 || c > 0x7e) return false;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = platformd_fuzz::as_text(data, size);
  auto msgs = parse_get_messages_reply(text, "GUI RPC reply");
  auto old = parse_get_old_results_reply(text, "GUI RPC reply");
  std::vector<BoincMessage> m = msgs ? *msgs : std::vector<BoincMessage>{};
  std::vector<BoincOldResult> o = old ? *old : std::vector<BoincOldResult>{};
  // A state naming the projects the input names, so that their messages and results count.
  BoincClientState s;
  for (const auto& x : m)
    if (s.projects.size() < 4) s.projects.push_back({x.project, "http://" + x.project + "/"});
  for (const auto& r : o) {
    if (s.projects.size() < 8) s.projects.push_back({"", r.project_url});
    s.app_versions.push_back({r.project_url, r.app, 100, "aarch64-unknown-linux-gnu", ""});
  }
  for (const auto& u : decide_uptake(s, m, o, {"aarch64-unknown-linux-gnu", "x86_64-pc-linux-gnu"})) {
    FUZZ_CHECK(u.waiting >= 0 && u.running >= 0 && u.to_report >= 0 && u.reported_last_hour >= 0, "negative count");
    FUZZ_CHECK(printable(describe(u)), "describe(uptake) is not printable ASCII");
    FUZZ_CHECK(printable(u.project) && printable(u.url), "a name is not printable ASCII");
    if (u.last_reply) {
      FUZZ_CHECK(u.last_reply->words.size() <= 8, "more than 8 words kept");
      FUZZ_CHECK(printable(describe(*u.last_reply)), "describe(reply) is not printable ASCII");
    }
  }
  return 0;
}
