// The default scope of `enable` (issue 21, core/broker/scope.h): boinc only where the kernel
// gives a user namespace its own binfmt_misc and systemd starts the client through the launcher.
#include <doctest/doctest.h>

#include "broker/scope.h"

using namespace platformd;

namespace {
const fs::path kLauncher = "/usr/lib/platformd/platformd-boinc-launch";
BoincUnit unit(std::string exec, std::string load = "loaded") {
  BoincUnit u;
  u.name = kBoincUnit;
  u.load_state = std::move(load);
  u.active_state = "active";
  u.exec_path = std::move(exec);
  return u;
}
}  // namespace

TEST_CASE("default scope: boinc with Linux >= 6.7 and the unit starting the launcher") {
  auto d = decide_default_scope("6.12.95+deb12-amd64\n", unit(kLauncher.string()), kLauncher);
  CHECK(d.scope == Scope::boinc);
  CHECK(d.why.find("Linux 6.12.95+deb12-amd64 gives BOINC's namespace its own binfmt_misc") != std::string::npos);
  CHECK(decide_default_scope("6.7.0", unit(kLauncher.string()), kLauncher).scope == Scope::boinc);
  CHECK(decide_default_scope("7.0.1-rpi", unit(kLauncher.string()), kLauncher).scope == Scope::boinc);
}

TEST_CASE("default scope: global, saying why, everywhere else") {
  auto old = decide_default_scope("6.1.0-41-amd64\n", unit(kLauncher.string()), kLauncher);
  CHECK(old.scope == Scope::global);
  CHECK(old.why.find("Linux 6.1.0-41-amd64 gives a user namespace no binfmt_misc of its own (6.7 does)") !=
        std::string::npos);
  CHECK(decide_default_scope("6.6.9", unit(kLauncher.string()), kLauncher).scope == Scope::global);
  CHECK(decide_default_scope("5.15.0", unit(kLauncher.string()), kLauncher).scope == Scope::global);
  auto garbled = decide_default_scope("", unit(kLauncher.string()), kLauncher);
  CHECK(garbled.scope == Scope::global);
  CHECK(garbled.why.find("(unknown release)") != std::string::npos);

  auto no_systemd = decide_default_scope("6.12.0", std::nullopt, kLauncher);
  CHECK(no_systemd.scope == Scope::global);
  CHECK(no_systemd.why.find("no systemd") != std::string::npos);
  auto no_unit = decide_default_scope("6.12.0", unit("", "not-found"), kLauncher);
  CHECK(no_unit.scope == Scope::global);
  CHECK(no_unit.why.find("no boinc-client.service") != std::string::npos);

  auto overridden = decide_default_scope("6.12.0", unit("/usr/bin/boinc"), kLauncher);
  CHECK(overridden.scope == Scope::global);
  CHECK(overridden.why.find("boinc-client.service starts /usr/bin/boinc, not platformd-boinc-launch") !=
        std::string::npos);
}
