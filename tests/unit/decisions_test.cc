// The broker's pure decisions (core/broker/decisions.h) on recorded inputs: the shipped
// catalog, a host, a state file's content and a kernel table as the broker reads them.
#include <doctest/doctest.h>
#include <fstream>
#include <sstream>

#include "binfmt/binfmt_table.h"
#include "broker/decisions.h"
#include "fidelity/speed_gate.h"
#include "fidelity/verifier.h"

using namespace platformd;

namespace {

Catalog shipped_catalog() {
  std::ifstream in(std::string(PLATFORMD_SOURCE_DIR) + "/platforms/catalog.json");
  std::stringstream ss;
  ss << in.rdbuf();
  auto c = parse_catalog(ss.str(), "catalog.json");
  REQUIRE(c);
  return *c;
}

const std::string kQemu = "/usr/bin/qemu-aarch64-static";
const std::string kQemuId = "/usr/bin/qemu-aarch64-static:42:1000:7";

// An x86_64 host with an i686 compat proven native, and the aarch64 platform's facts.
struct Fixture {
  Catalog catalog = shipped_catalog();
  HostInfo host;
  State state;
  std::vector<BinfmtRule> entries;
  PlatformFacts f;
  Fixture() {
    host.kernel_arch = "x86_64";
    host.userland_arch = "x86_64";
    host.userland_bits = 64;
    host.native_compat = {"i686"};
    f.platform = catalog.resolve("aarch64");
    REQUIRE(f.platform);
    f.host = &host;
    f.state = &state;
    f.entries = &entries;
    Candidate c;
    c.spec_name = "qemu-user-static";
    c.path = kQemu;
    f.candidates = {c};
    f.identities[kQemu] = kQemuId;
  }
  void enable_verified(bool passed = true, std::string identity = kQemuId) {
    state.enabled = {"aarch64"};
    VerifyRecord r;
    r.translator_identity = std::move(identity);
    r.fidelity = passed ? Fidelity::exact : Fidelity::blocked;
    r.passed = passed;
    r.fp_ratio = 0.1;
    r.int_ratio = 0.2;
    r.reason = passed ? "" : "flush-modes differ";
    state.verified["aarch64"] = r;
  }
  void own_entry(bool enabled = true) {
    BinfmtRule e = own_rule(*f.platform, kQemu);
    e.enabled = enabled;
    entries.push_back(e);
  }
  PlatformStatus decide() { return decide_platform(f); }
};

}  // namespace

TEST_CASE("decide_platform: the userland's own platform and a proven compat platform are native") {
  Fixture x;
  x.f.platform = x.catalog.resolve("x86_64");
  auto ps = x.decide();
  CHECK(ps.state == PlatformState::native);
  CHECK(ps.reason == "this machine's userland");
  x.f.platform = x.catalog.resolve("i686");
  x.state.enabled = {"i686"};
  ps = x.decide();
  CHECK(ps.state == PlatformState::native);
  CHECK(ps.reason == "proven by running its probe natively; enabled: advertised to BOINC, no handler");
  CHECK(ps.handler.empty());
}

TEST_CASE("decide_platform: a compat platform the probe could not settle is unavailable, with why") {
  Fixture x;
  x.host.native_compat.clear();
  x.host.undetermined_compat["i686"] = "the probe timed out";
  x.f.platform = x.catalog.resolve("i686");
  auto ps = x.decide();
  CHECK(ps.state == PlatformState::unavailable);
  CHECK(ps.reason.find("the probe timed out") != std::string::npos);
}

TEST_CASE("decide_platform: enabled, handler registered and verified with this translator file: emulated") {
  Fixture x;
  x.enable_verified();
  x.own_entry();
  auto ps = x.decide();
  CHECK(ps.state == PlatformState::emulated);
  CHECK(ps.enabled);
  CHECK(ps.handler == "platformd-aarch64");
  CHECK(ps.translator == kQemu);
  CHECK(ps.fidelity == Fidelity::exact);
  REQUIRE(ps.speed_ratio);
  CHECK(*ps.speed_ratio == doctest::Approx(combined_speed(0.1, 0.2)));
}

TEST_CASE("decide_platform: each way an enabled platform stops being emulated") {
  Fixture x;
  x.enable_verified();
  SUBCASE("its entry is missing") {
    auto ps = x.decide();
    CHECK(ps.state == PlatformState::unavailable);
    CHECK(ps.reason.find("binfmt_misc entry is missing") != std::string::npos);
  }
  SUBCASE("its entry is disabled") {
    x.own_entry(false);
    CHECK(x.decide().state == PlatformState::unavailable);
  }
  SUBCASE("the translator file was replaced since it was verified") {
    x.own_entry();
    x.f.identities[kQemu] = "/usr/bin/qemu-aarch64-static:43:1000:9";
    auto ps = x.decide();
    CHECK(ps.state == PlatformState::unavailable);
    CHECK(ps.reason.find("changed since it was verified") != std::string::npos);
  }
  SUBCASE("never verified") {
    x.own_entry();
    x.state.verified.clear();
    auto ps = x.decide();
    CHECK(ps.state == PlatformState::unavailable);
    CHECK(ps.reason == "not verified yet");
  }
  SUBCASE("the settings it was verified with are not what BOINC's tasks get (issue 20)") {
    x.own_entry();
    x.f.settings_problem = "[**] sets BOX64_LD_LIBRARY_PATH";
    auto ps = x.decide();
    CHECK(ps.state == PlatformState::unavailable);
    CHECK(ps.reason.find("not what BOINC's tasks get: [**] sets BOX64_LD_LIBRARY_PATH") != std::string::npos);
  }
  SUBCASE("its verification failed: the recorded reason") {
    x.enable_verified(false);
    x.own_entry();
    auto ps = x.decide();
    CHECK(ps.state == PlatformState::unavailable);
    CHECK(ps.reason == "flush-modes differ");
    CHECK(ps.fidelity == Fidelity::blocked);
  }
}

TEST_CASE("decide_platform: scope boinc (issue 21): emulated with no entry in the machine's table") {
  Fixture x;
  x.enable_verified();
  x.state.scope["aarch64"] = Scope::boinc;
  SUBCASE("no entry of ours, another tool's entry for the same programs: still emulated, for BOINC alone") {
    BinfmtRule foreign = own_rule(*x.f.platform, "/usr/bin/box64-standin");
    foreign.name = "owners-tool";
    x.entries.push_back(foreign);
    auto ps = x.decide();
    CHECK(ps.state == PlatformState::emulated);
    CHECK(ps.scope == Scope::boinc);
    CHECK(ps.handler.empty());
    CHECK(ps.translator == kQemu);
    CHECK(ps.reason.find("for BOINC's tasks alone (scope boinc)") != std::string::npos);
  }
  SUBCASE("the translator file replaced since: re-verification pending") {
    x.f.identities[kQemu] = "/usr/bin/qemu-aarch64-static:43:1000:9";
    CHECK(x.decide().state == PlatformState::unavailable);
  }
  SUBCASE("its verification failed") {
    x.enable_verified(false);
    CHECK(x.decide().state == PlatformState::unavailable);
  }
  using C = BoincInstanceFacts::Client;
  SUBCASE("no client runs: emulated; the launcher fills the instance when the client starts") {
    auto ps = x.decide();
    CHECK(ps.state == PlatformState::emulated);
    CHECK(ps.reason.find("no BOINC client runs now") != std::string::npos);
  }
  SUBCASE("a client answers that the launcher did not start: its tasks would find no handler") {
    x.f.boinc_instance.client = C::not_launched;
    auto ps = x.decide();
    CHECK(ps.state == PlatformState::unavailable);
    CHECK(ps.reason.find("was not started by platformd-boinc-launch") != std::string::npos);
    CHECK(ps.reason.find("systemctl cat boinc-client") != std::string::npos);
  }
  SUBCASE("the launched client's instance holds our handler with the verified translator: emulated") {
    x.f.boinc_instance.client = C::launched;
    x.f.boinc_instance.pid = 4242;
    x.f.boinc_instance.entries = std::vector<BinfmtRule>{own_rule(*x.f.platform, kQemu)};
    auto ps = x.decide();
    CHECK(ps.state == PlatformState::emulated);
    CHECK(ps.handler == "platformd-aarch64");
    CHECK(ps.reason.find("in BOINC's own namespace (client PID 4242)") != std::string::npos);
  }
  SUBCASE("the launched client's instance lacks it, has it disabled, or with another translator: unavailable") {
    x.f.boinc_instance.client = C::launched;
    x.f.boinc_instance.pid = 4242;
    x.f.boinc_instance.entries = std::vector<BinfmtRule>{};
    auto ps = x.decide();
    CHECK(ps.state == PlatformState::unavailable);
    CHECK(ps.reason.find("platformd-aarch64 in BOINC's own namespace (client PID 4242) is missing") !=
          std::string::npos);
    BinfmtRule off = own_rule(*x.f.platform, kQemu);
    off.enabled = false;
    x.f.boinc_instance.entries = std::vector<BinfmtRule>{off};
    CHECK(x.decide().reason.find("is disabled") != std::string::npos);
    x.f.boinc_instance.entries = std::vector<BinfmtRule>{own_rule(*x.f.platform, "/usr/bin/other")};
    ps = x.decide();
    CHECK(ps.state == PlatformState::unavailable);
    CHECK(ps.reason.find("runs /usr/bin/other, not the verified " + kQemu) != std::string::npos);
  }
  SUBCASE("the launched client's instance cannot be read: unavailable, with why") {
    x.f.boinc_instance.client = C::launched;
    x.f.boinc_instance.pid = 4242;
    x.f.boinc_instance.unreadable = "Permission denied";
    auto ps = x.decide();
    CHECK(ps.state == PlatformState::unavailable);
    CHECK(ps.reason.find("cannot be read: Permission denied") != std::string::npos);
  }
}

TEST_CASE("decide_platform: another tool's entry that serves it is reported as the handler") {
  Fixture x;
  x.enable_verified(true, "/usr/libexec/qemu-binfmt/aarch64-binfmt-P:id");
  BinfmtRule foreign = own_rule(*x.f.platform, "/usr/libexec/qemu-binfmt/aarch64-binfmt-P");
  foreign.name = "qemu-aarch64";
  x.entries.push_back(foreign);
  x.f.identities[foreign.interpreter] = "/usr/libexec/qemu-binfmt/aarch64-binfmt-P:id";
  x.state.taken_over.clear();
  auto ps = x.decide();
  CHECK(ps.state == PlatformState::emulated);
  CHECK(ps.handler == "qemu-aarch64");
  CHECK(ps.translator == foreign.interpreter);
}

TEST_CASE("decide_platform: a taken-over entry is named in the reason") {
  Fixture x;
  x.enable_verified();
  x.own_entry();
  x.state.taken_over["aarch64"] = {"box64-like"};
  auto ps = x.decide();
  CHECK(ps.state == PlatformState::emulated);
  CHECK(ps.reason.find("taken over (--take-over) from entry 'box64-like'") != std::string::npos);
}

TEST_CASE("decide_platform: withdrawing while the client may still list it") {
  Fixture x;
  x.own_entry();
  x.state.withdrawing = {"aarch64"};
  SUBCASE("client lists it") {
    x.f.client = std::vector<std::string>{"x86_64-pc-linux-gnu", "aarch64-unknown-linux-gnu"};
    auto ps = x.decide();
    CHECK(ps.state == PlatformState::withdrawing);
    CHECK(ps.reason.find("the handler stays while the BOINC client lists") != std::string::npos);
  }
  SUBCASE("client no longer lists it") {
    x.f.client = std::vector<std::string>{"x86_64-pc-linux-gnu"};
    auto ps = x.decide();
    CHECK(ps.state == PlatformState::withdrawing);
    CHECK(ps.reason.find("no longer lists it") != std::string::npos);
  }
  SUBCASE("no client answers: it may still list it") {
    auto ps = x.decide();
    CHECK(ps.state == PlatformState::withdrawing);
    CHECK(ps.reason.find("the handler stays") != std::string::npos);
  }
}

TEST_CASE("decide_platform: not enabled: available with the next command, or unavailable with why") {
  Fixture x;
  SUBCASE("no probe installed") {
    x.f.have_probe = false;
    x.f.probe_missing = "probe-aarch64 is not installed";
    auto ps = x.decide();
    CHECK(ps.state == PlatformState::unavailable);
    CHECK(ps.reason == "probe-aarch64 is not installed");
  }
  SUBCASE("no usable translator: the first problem") {
    x.f.candidates[0].problem = "/usr/bin/qemu-aarch64-static is not installed";
    auto ps = x.decide();
    CHECK(ps.state == PlatformState::unavailable);
    CHECK(ps.reason == "/usr/bin/qemu-aarch64-static is not installed");
  }
  SUBCASE("no translator described") {
    x.f.candidates.clear();
    CHECK(x.decide().reason == "no translator is described for it");
  }
  SUBCASE("usable, never verified") {
    auto ps = x.decide();
    CHECK(ps.state == PlatformState::available);
    CHECK(ps.translator == kQemu);
    CHECK(ps.reason.find("'platformctl verify aarch64'") != std::string::npos);
  }
  SUBCASE("usable and verified with this very file") {
    x.enable_verified();
    x.state.enabled.clear();
    auto ps = x.decide();
    CHECK(ps.state == PlatformState::available);
    CHECK(ps.fidelity == Fidelity::exact);
    CHECK(ps.reason.find("'platformctl enable aarch64'") != std::string::npos);
  }
}

TEST_CASE("finish_reason: abort risks, unknown BOINC names and a client that advertises what cannot run") {
  Fixture x;
  auto ps = x.decide();  // available, not enabled
  ps.boinc_reports = true;
  finish_reason(ps, *x.f.platform, {});
  CHECK(ps.reason.find("WARNING: the BOINC client advertises it, but this machine cannot run it") != std::string::npos);
  x.enable_verified();
  x.own_entry();
  ps = x.decide();
  ps.boinc_reports = true;
  finish_reason(ps, *x.f.platform, {"project P: tasks run past their bound"});
  CHECK(ps.abort_risks.size() == 1);
  CHECK(ps.reason.find("WARNING: project P") != std::string::npos);
  CHECK(ps.reason.find("advertises it, but") == std::string::npos);
  // Enabled but unavailable (its entry gone): the warning does not tell to enable it.
  x.entries.clear();
  ps = x.decide();
  REQUIRE(ps.state == PlatformState::unavailable);
  ps.boinc_reports = true;
  finish_reason(ps, *x.f.platform, {});
  CHECK(ps.reason.find("WARNING: the BOINC client advertises it, and its tasks of it fail until this is mended") !=
        std::string::npos);
  CHECK(ps.reason.find("enable it to emulate it") == std::string::npos);
  // The userland's own platform, which every client lists: no warning (scenario I's board
  // showed one for aarch64 before).
  Fixture arm;
  arm.host.kernel_arch = arm.host.userland_arch = "aarch64";
  ps = arm.decide();
  REQUIRE(ps.state == PlatformState::native);
  ps.boinc_reports = true;
  finish_reason(ps, *arm.f.platform, {});
  CHECK(ps.reason.find("WARNING") == std::string::npos);
}

TEST_CASE("record_reusable: same files, same policy, fast enough") {
  VerifyRecord r;
  r.passed = true;
  r.translator_identity = "t1";
  r.probe_identity = "p1";
  r.fidelity = Fidelity::warning;
  r.fp_ratio = 0.5;
  r.int_ratio = 0.4;
  CHECK(record_reusable(r, "t1", "p1", false, false));
  CHECK_FALSE(record_reusable(r, "t2", "p1", false, false));  // translator replaced
  CHECK_FALSE(record_reusable(r, "t1", "p2", false, false));  // probe replaced
  CHECK_FALSE(record_reusable(r, "t1", "p1", true, false));   // strict wants exact
  r.fidelity = Fidelity::exact;
  CHECK(record_reusable(r, "t1", "p1", true, false));
  r.int_ratio = kTooSlowRatio / 2;
  CHECK_FALSE(record_reusable(r, "t1", "p1", false, false));  // too slow
  CHECK(record_reusable(r, "t1", "p1", false, true));         // unless allowed
  r.passed = false;
  CHECK_FALSE(record_reusable(r, "t1", "p1", false, true));
}

TEST_CASE("decide_repair: what reconcile must do for an enabled platform") {
  Fixture x;
  RepairFacts r{x.f.platform, &x.host, &x.state, &x.entries, kQemu, {{kQemu, kQemuId}}};
  x.enable_verified();
  SUBCASE("healthy: nothing") {
    x.own_entry();
    CHECK(decide_repair(r) == Repair::none);
  }
  SUBCASE("entry flushed: register again") {
    CHECK(decide_repair(r) == Repair::register_again);
  }
  SUBCASE("scope boinc (issue 21): never a handler in the machine's table, so nothing to repair there") {
    x.state.scope["aarch64"] = Scope::boinc;
    CHECK(decide_repair(r) == Repair::none);
  }
  SUBCASE("entry disabled by someone: register again") {
    x.own_entry(false);
    CHECK(decide_repair(r) == Repair::register_again);
  }
  SUBCASE("translator replaced since the verdict: register again") {
    x.own_entry();
    r.identities[kQemu] = "new";
    CHECK(decide_repair(r) == Repair::register_again);
  }
  SUBCASE("served by another tool's entry and verified: adopted, nothing") {
    BinfmtRule foreign = own_rule(*x.f.platform, "/usr/libexec/qemu-binfmt/aarch64-binfmt-P");
    foreign.name = "qemu-aarch64";
    x.entries.push_back(foreign);
    CHECK(decide_repair(r) == Repair::none);
  }
  SUBCASE("failed with this very translator: the handler goes (unless tasks), or nothing is retried") {
    x.enable_verified(false);
    x.own_entry();
    CHECK(decide_repair(r) == Repair::failed_with_handler);
    x.entries.clear();
    CHECK(decide_repair(r) == Repair::failed_no_handler);
    r.identities[kQemu] = "a new file";  // a new translator file is tried again
    CHECK(decide_repair(r) == Repair::register_again);
  }
  SUBCASE("enabled natively: nothing to register") {
    r.platform = x.catalog.resolve("i686");
    CHECK(decide_repair(r) == Repair::native);
  }
}
