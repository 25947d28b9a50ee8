// The desired-state file of `platformctl apply` and its plan: pure functions on strings and
// hand-made status reports (the integration tests run the real thing: test-apply*.sh).
#include <doctest/doctest.h>
#include <fstream>
#include <sstream>

#include "apply/apply_plan.h"
#include "apply/desired_state.h"
#include "exit_codes.h"

using namespace platformd;

namespace {

std::string read_source(const char* rel) {
  std::ifstream in(std::string(PLATFORMD_SOURCE_DIR) + "/" + rel);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Catalog shipped_catalog() {
  auto c = parse_catalog(read_source("platforms/catalog.json"), "catalog.json");
  REQUIRE(c);
  return *c;
}

std::vector<TranslatorSpec> shipped_translators() {
  std::vector<TranslatorSpec> out;
  for (const char* f : {"emulators/qemu-user-static.json", "emulators/box64.json"}) {
    auto t = parse_translator(read_source(f), f);
    REQUIRE(t);
    out.push_back(*t);
  }
  return out;
}

PlatformStatus row(std::string arch, std::string_view state, bool enabled, std::string translator = "") {
  PlatformStatus p;
  p.boinc_name = arch + "-boinc";
  p.arch = std::move(arch);
  p.state = *platform_state_from(state);
  p.enabled = enabled;
  p.translator = std::move(translator);
  return p;
}

// An x86_64 host with aarch64 enabled and verified, armhf available, riscv64 enabled but
// its verification failed.
StatusReport status_x86() {
  StatusReport s;
  s.platforms = {row("x86_64", "native", false),
                 row("i686", "unavailable", false),
                 row("aarch64", "emulated", true, "/usr/bin/qemu-aarch64-static"),
                 row("armhf", "available", false, "/usr/bin/qemu-arm-static"),
                 row("riscv64", "unavailable", true, "/usr/bin/qemu-riscv64-static"),
                 row("ppc64le", "available", false),
                 row("s390x", "available", false)};
  s.platforms[4].reason = "floating point deviates in nan";
  return s;
}

DesiredStateFile parsed(const std::string& text) {
  auto d = parse_desired_state(text, "fleet.json");
  if (!d) FAIL(d.error().message);
  return *d;
}

std::string error_of(const std::string& text) {
  auto d = parse_desired_state(text, "fleet.json");
  REQUIRE_FALSE(d);
  CHECK(d.error().code == exit_code::bad_config);
  CHECK(d.error().message.rfind("fleet.json: ", 0) == 0);  // names the file first
  return d.error().message;
}

const PlannedPlatform& planned(const std::vector<PlannedPlatform>& v, std::string_view arch) {
  for (const auto& p : v)
    if (p.arch == arch) return p;
  FAIL("no plan for " << arch);
  return v.front();
}

}  // namespace

TEST_CASE("a desired-state file parses with defaults and every option") {
  auto d = parsed(R"({"version": 1, "platforms": [
      {"name": "arm64", "state": "enabled"},
      {"name": "x86_64", "state": "enabled", "strict": true, "allow_slow": true, "translator": "box64"},
      {"name": "riscv64", "state": "disabled"}]})");
  REQUIRE(d.platforms.size() == 3);
  CHECK(d.others == OthersPolicy::unchanged);
  CHECK(d.platforms[0].name == "arm64");
  CHECK_FALSE(d.platforms[0].strict);
  CHECK_FALSE(d.platforms[0].translator);
  CHECK(d.platforms[1].strict);
  CHECK(d.platforms[1].allow_slow);
  CHECK(*d.platforms[1].translator == "box64");
  CHECK(d.platforms[2].state == DesiredState::disabled);
  CHECK(parsed(R"({"others": "disabled", "platforms": []})").others == OthersPolicy::disabled);
}

TEST_CASE("bad desired-state files get an error naming the file and the entry") {
  CHECK(error_of("{\"platforms\": [").find("not valid JSON") != std::string::npos);
  CHECK(error_of("[]").find("must be a JSON object") != std::string::npos);
  CHECK(error_of("{}").find("no \"platforms\"") != std::string::npos);
  CHECK(error_of(R"({"platforms": {"aarch64": "enabled"}})").find("platforms must be a list, not an object") !=
        std::string::npos);
  CHECK(error_of(R"({"version": 2, "platforms": []})").find("version 2 is not supported") != std::string::npos);
  CHECK(error_of(R"({"version": "1", "platforms": []})").find("\"version\" must be an integer") != std::string::npos);
  CHECK(error_of(R"({"platfroms": []})").find("unknown key \"platfroms\"") != std::string::npos);
  CHECK(error_of(R"({"others": "remove", "platforms": []})").find("others must be") != std::string::npos);
  CHECK(error_of(R"({"platforms": ["aarch64"]})").find("platforms[0]: must be an object") != std::string::npos);
  CHECK(error_of(R"({"platforms": [{"state": "enabled"}]})").find("platforms[0]: has no \"name\"") !=
        std::string::npos);
  CHECK(error_of(R"({"platforms": [{"name": "aarch64"}]})").find("platforms[0] (aarch64): has no \"state\"") !=
        std::string::npos);
  CHECK(error_of(R"({"platforms": [{"name": "aarch64", "state": "enable"}]})")
            .find("state must be \"enabled\" or \"disabled\", not the string \"enable\"") != std::string::npos);
  CHECK(error_of(R"({"platforms": [{"name": "aarch64", "state": "enabled", "strict": "yes"}]})")
            .find("strict must be true or false, not the string \"yes\"") != std::string::npos);
  CHECK(error_of(R"({"platforms": [{"name": "aarch64", "state": "enabled", "stirct": true}]})")
            .find("unknown key \"stirct\"") != std::string::npos);
  CHECK(error_of(R"({"platforms": [{"name": "aarch64", "state": "enabled", "translator": ""}]})")
            .find("translator must be") != std::string::npos);
  CHECK(error_of(R"({"platforms": [{"name": "aarch64", "state": "disabled", "strict": true}]})")
            .find("strict applies only to \"state\": \"enabled\"") != std::string::npos);
  CHECK(error_of(R"({"platforms": [{"name": "a/b", "state": "enabled"}]})").find("platforms[0]") != std::string::npos);
  CHECK(error_of(std::string(kMaxDesiredStateBytes + 1, ' ')).find("more than") != std::string::npos);
  std::string many = R"({"platforms": [)";
  for (std::size_t i = 0; i <= kMaxDesiredPlatforms; ++i)
    many += std::string(i ? "," : "") + R"({"name": "aarch64", "state": "enabled"})";
  CHECK(error_of(many + "]}").find("more than the 64") != std::string::npos);
}

TEST_CASE("the plan enables what is missing, disables what is extra, and leaves the rest") {
  auto d = parsed(R"({"platforms": [
      {"name": "aarch64", "state": "enabled"},
      {"name": "armhf", "state": "enabled"},
      {"name": "riscv64", "state": "disabled"},
      {"name": "ppc64le", "state": "disabled"},
      {"name": "amd64", "state": "enabled"}]})");
  auto plan = plan_apply(d, shipped_catalog(), shipped_translators(), status_x86());
  REQUIRE(plan);
  REQUIRE(plan->size() == 5);
  CHECK(planned(*plan, "aarch64").action == ApplyAction::none);  // enabled and verified
  CHECK(planned(*plan, "armhf").action == ApplyAction::enable);
  CHECK(planned(*plan, "armhf").before.state == PlatformState::available);
  CHECK(planned(*plan, "riscv64").action == ApplyAction::disable);
  CHECK(planned(*plan, "ppc64le").action == ApplyAction::none);  // already not enabled
  CHECK(planned(*plan, "x86_64").action == ApplyAction::none);   // native, through its alias
  CHECK(planned(*plan, "x86_64").why == "runs natively on this machine");
  // The file's order is kept.
  CHECK((*plan)[0].arch == "aarch64");
  CHECK((*plan)[4].arch == "x86_64");
}

TEST_CASE("an enabled platform whose verification failed is enabled again") {
  auto d = parsed(R"({"platforms": [{"name": "riscv64", "state": "enabled"}]})");
  auto plan = plan_apply(d, shipped_catalog(), shipped_translators(), status_x86());
  REQUIRE(plan);
  CHECK((*plan)[0].action == ApplyAction::enable);
  CHECK((*plan)[0].why.find("floating point deviates") != std::string::npos);
}

TEST_CASE("others: disabled withdraws the enabled platforms the file does not name") {
  auto d = parsed(R"({"others": "disabled", "platforms": [{"name": "armhf", "state": "enabled"}]})");
  auto plan = plan_apply(d, shipped_catalog(), shipped_translators(), status_x86());
  REQUIRE(plan);
  REQUIRE(plan->size() == 3);
  CHECK(planned(*plan, "aarch64").action == ApplyAction::disable);
  CHECK_FALSE(planned(*plan, "aarch64").listed);
  CHECK(planned(*plan, "riscv64").action == ApplyAction::disable);
  // Unchanged by default: the same file without "others" touches aarch64 not at all.
  auto partial = plan_apply(parsed(R"({"platforms": [{"name": "armhf", "state": "enabled"}]})"), shipped_catalog(),
                            shipped_translators(), status_x86());
  REQUIRE(partial);
  CHECK(partial->size() == 1);
}

TEST_CASE("a translator is resolved to its binary, and a different one means re-enabling") {
  auto cat = shipped_catalog();
  auto tr = shipped_translators();
  auto same = plan_apply(
      parsed(R"({"platforms": [{"name": "aarch64", "state": "enabled", "translator": "qemu-user-static"}]})"), cat, tr,
      status_x86());
  REQUIRE(same);
  CHECK(*(*same)[0].translator == "/usr/bin/qemu-aarch64-static");
  CHECK((*same)[0].action == ApplyAction::none);
  auto by_path = plan_apply(
      parsed(R"({"platforms": [{"name": "armhf", "state": "enabled", "translator": "/usr/bin/qemu-arm-static"}]})"),
      cat, tr, status_x86());
  REQUIRE(by_path);
  CHECK(*(*by_path)[0].translator == "/usr/bin/qemu-arm-static");
  auto other = plan_apply(parsed(R"({"platforms": [{"name": "x86_64", "state": "enabled", "translator": "box64"}]})"),
                          cat, tr, [] {
                            auto s = status_x86();
                            s.platforms[0] = row("x86_64", "emulated", true, "/usr/bin/qemu-x86_64-static");
                            return s;
                          }());
  REQUIRE(other);
  CHECK((*other)[0].action == ApplyAction::enable);
  CHECK((*other)[0].why.find("the file asks for") != std::string::npos);
}

TEST_CASE("the plan refuses unknown platforms, duplicates and undescribed translators") {
  auto cat = shipped_catalog();
  auto tr = shipped_translators();
  auto unknown = plan_apply(parsed(R"({"platforms": [{"name": "mips", "state": "enabled"}]})"), cat, tr, status_x86());
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().code == exit_code::bad_config);
  CHECK(unknown.error().message.find("fleet.json: platforms[0] (mips): unknown platform (known: x86_64") == 0);
  auto dup = plan_apply(
      parsed(R"({"platforms": [{"name": "aarch64", "state": "enabled"}, {"name": "arm64", "state": "disabled"}]})"),
      cat, tr, status_x86());
  REQUIRE_FALSE(dup);
  CHECK(dup.error().message ==
        "fleet.json: platforms[1] (arm64): aarch64 is already named by fleet.json: platforms[0] (aarch64)");
  auto badtr = plan_apply(parsed(R"({"platforms": [{"name": "riscv64", "state": "enabled", "translator": "box64"}]})"),
                          cat, tr, status_x86());
  REQUIRE_FALSE(badtr);
  CHECK(badtr.error().message.find("translator \"box64\" is not described for riscv64 (described: qemu-user-static") !=
        std::string::npos);
}

TEST_CASE("desired-state errors quote a short escaped excerpt of the file, never a whole value") {
  std::string secret = "tok-" + std::string(200, 'x') + "-SECRET";
  auto e = error_of(R"({"platforms": [{"name": "aarch64", "state": ")" + secret + R"("}]})");
  CHECK(e.find("not the string \"tok-xxxx") != std::string::npos);
  CHECK(e.find("SECRET") == std::string::npos);
  auto k = error_of(R"({"db_password_)" + std::string(100, 'p') + R"(_hunter2": 1, "platforms": []})");
  CHECK(k.find("unknown key \"db_password_") != std::string::npos);
  CHECK(k.find("hunter2") == std::string::npos);
  auto esc = error_of("{\"platforms\": [{\"name\": \"aarch64\", \"state\": \"\\u001b[31mred\"}]}");
  CHECK(esc.find('\x1b') == std::string::npos);
  CHECK(esc.find("\\x1b") != std::string::npos);
}

TEST_CASE("scope (issue 21): parsed, passed to the enable, and a move between scopes planned as an enable") {
  auto d = parsed(R"({"platforms": [{"name": "armhf", "state": "enabled", "scope": "boinc"},
                                    {"name": "aarch64", "state": "enabled", "scope": "global"}]})");
  CHECK(d.platforms[0].scope == Scope::boinc);
  CHECK(d.platforms[1].scope == Scope::global);
  CHECK_FALSE(parsed(R"({"platforms": [{"name": "armhf", "state": "enabled"}]})").platforms[0].scope);
  CHECK(error_of(R"({"platforms": [{"name": "armhf", "state": "enabled", "scope": "BOINC"}]})")
            .find("scope must be \"global\" (every program) or \"boinc\" (BOINC's tasks alone), not the string "
                  "\"BOINC\"") != std::string::npos);
  CHECK(error_of(R"({"platforms": [{"name": "armhf", "state": "enabled", "scope": true}]})").find("alone), not true") !=
        std::string::npos);
  CHECK(error_of(R"({"platforms": [{"name": "armhf", "state": "disabled", "scope": "boinc"}]})")
            .find("scope applies only to \"state\": \"enabled\"") != std::string::npos);

  auto cat = shipped_catalog();
  auto tr = shipped_translators();
  auto plan = plan_apply(d, cat, tr, status_x86());
  REQUIRE(plan);
  CHECK(planned(*plan, "armhf").action == ApplyAction::enable);
  CHECK(planned(*plan, "armhf").scope == Scope::boinc);
  CHECK(planned(*plan, "aarch64").action == ApplyAction::none);  // enabled globally, as asked
  auto move = plan_apply(parsed(R"({"platforms": [{"name": "aarch64", "state": "enabled", "scope": "boinc"}]})"), cat,
                         tr, status_x86());
  REQUIRE(move);
  CHECK(planned(*move, "aarch64").action == ApplyAction::enable);  // enable moves it, guarding BOINC's tasks
  CHECK(planned(*move, "aarch64").scope == Scope::boinc);
  CHECK(planned(*move, "aarch64").why == "enabled with scope global, the file asks for boinc");
}
