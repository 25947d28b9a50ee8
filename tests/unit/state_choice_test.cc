// The parts of State that issue 12 added: Choice::withdrawing (a disabled platform whose
// handler waits for the BOINC client to stop listing it) and HostCache::undetermined (compat
// platforms whose native probe gave no answer, never cached as "not native").
#include <doctest/doctest.h>

#include "state.h"

using namespace platformd;

TEST_CASE("choice_of: enabled wins, then withdrawing, else disabled") {
  State s;
  s.enabled = {"aarch64"};
  s.withdrawing = {"aarch64", "riscv64"};  // enabled again while it was being withdrawn
  CHECK(choice_of(s, "aarch64") == Choice::enabled);
  CHECK(choice_of(s, "riscv64") == Choice::withdrawing);
  CHECK(choice_of(s, "s390x") == Choice::disabled);
  CHECK(to_string(Choice::withdrawing) == "withdrawing");
  CHECK(to_string(Choice::enabled) == "enabled");
  CHECK(to_string(Choice::disabled) == "disabled");
}

TEST_CASE("state file: withdrawing and undetermined round trip; older files have neither") {
  State s;
  s.withdrawing = {"riscv64", "aarch64", "aarch64"};
  s.host.kernel = "6.8 x86_64";
  s.host.undetermined = {"i686"};
  auto back = parse_state(serialize_state(s), "state.json");
  REQUIRE(back);
  CHECK(back->withdrawing == std::vector<std::string>{"aarch64", "riscv64"});  // sorted, once each
  CHECK(back->host.undetermined == std::vector<std::string>{"i686"});
  CHECK(back->host.native_compat.empty());

  auto old = parse_state(R"({"version": 1, "enabled": ["aarch64"], "host": {"kernel": "k", "native_compat": []}})",
                         "state.json");
  REQUIRE(old);
  CHECK(old->withdrawing.empty());
  CHECK(old->host.undetermined.empty());
  // Nothing is being withdrawn: the file says nothing about it (unchanged for older readers).
  CHECK(serialize_state(State{}).find("withdrawing") == std::string::npos);
}
