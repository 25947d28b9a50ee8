#include <doctest/doctest.h>
#include <fstream>
#include <sstream>

#include "binfmt/binfmt_rule.h"
#include "binfmt/platform_plan.h"
#include "catalog.h"
#include "exit_codes.h"
#include "state.h"

using namespace platformd;

namespace {

std::string read_source(const char* rel) {
  std::ifstream in(std::string(PLATFORMD_SOURCE_DIR) + "/" + rel);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A one-platform catalog with `fields` spliced into the platform object.
std::string one_platform(const std::string& fields) {
  return R"({"platforms":[{"boinc_name":"b-b","magic":"7f","mask":"ff",)" + fields + "}]}";
}

}  // namespace

TEST_CASE("the shipped catalog parses and resolves every alias a person types") {
  auto c = parse_catalog(read_source("platforms/catalog.json"), "catalog.json");
  REQUIRE(c);
  struct {
    const char* typed;
    const char* boinc;
  } cases[] = {{"x86_64", "x86_64-pc-linux-gnu"},
               {"amd64", "x86_64-pc-linux-gnu"},
               {"i686", "i686-pc-linux-gnu"},
               {"i386", "i686-pc-linux-gnu"},
               {"aarch64", "aarch64-unknown-linux-gnu"},
               {"arm64", "aarch64-unknown-linux-gnu"},
               {"armhf", "arm-unknown-linux-gnueabihf"},
               {"arm", "arm-unknown-linux-gnueabihf"},
               {"riscv64", "riscv64-unknown-linux-gnu"},
               {"ppc64le", "powerpc64le-unknown-linux-gnu"},
               {"s390x", "s390x-ibm-linux-gnu"},
               {"aarch64-unknown-linux-gnu", "aarch64-unknown-linux-gnu"}};
  for (const auto& k : cases) {
    const Platform* p = c->resolve(k.typed);
    REQUIRE_MESSAGE(p, k.typed);
    CHECK(p->boinc_name == k.boinc);
  }
  CHECK(c->resolve("sparc") == nullptr);
  CHECK(c->resolve("AARCH64") == nullptr);
  for (const char* non_canonical : {"riscv64", "ppc64le", "s390x"})
    CHECK_FALSE(c->by_arch(non_canonical)->boinc_canonical);
  for (const char* canonical : {"x86_64", "i686", "aarch64", "armhf"}) CHECK(c->by_arch(canonical)->boinc_canonical);
}

TEST_CASE("malformed catalogs are rejected with the file named") {
  CHECK_FALSE(parse_catalog("", "c.json"));
  CHECK_FALSE(parse_catalog("{}", "c.json"));
  CHECK_FALSE(parse_catalog("{\"platforms\": []}", "c.json"));
  auto odd = parse_catalog(R"({"platforms":[{"arch":"a","boinc_name":"a-b","elf_class":2,"magic":"7f4","mask":"ff"}]})",
                           "c.json");
  REQUIRE_FALSE(odd);
  CHECK(odd.error().message.find("c.json") != std::string::npos);
  CHECK_FALSE(parse_catalog(
      R"({"platforms":[{"arch":"a","boinc_name":"a-b","elf_class":2,"magic":"7f","mask":"ffff"}]})", "c"));
  CHECK_FALSE(parse_catalog(
      R"({"platforms":[{"arch":"a:b","boinc_name":"a-b","elf_class":2,"magic":"7f","mask":"ff"}]})", "c"));
  const char* dup = R"({"platforms":[{"arch":"a","boinc_name":"a-b","elf_class":2,"magic":"7f","mask":"ff"},
                                     {"arch":"b","boinc_name":"b-b","aliases":["a"],"elf_class":2,"magic":"7f","mask":"ff"}]})";
  CHECK_FALSE(parse_catalog(dup, "c"));
}

TEST_CASE("platform names people type are validated before use") {
  CHECK(validate_platform_name("aarch64"));
  CHECK(validate_platform_name("arm-unknown-linux-gnueabihf"));
  for (std::string bad : {std::string(), std::string("a:b"), std::string("a/b"), std::string("a\nb"),
                          std::string("\xff"), std::string(65, 'a'), std::string("a b")})
    CHECK_FALSE(validate_platform_name(bad));
}

TEST_CASE("state file: round trip, and corruption is reported, not guessed") {
  State s;
  s.enabled = {"armhf", "aarch64"};
  s.owned_alt_platforms = {"aarch64-unknown-linux-gnu"};
  VerifyRecord& rec = s.verified["aarch64"];
  rec.translator_identity = "/usr/bin/qemu-aarch64-static:1:2:3";
  rec.fidelity = Fidelity::exact;
  rec.passed = true;
  rec.fp_ratio = 0.05;
  rec.int_ratio = 0.5;
  auto back = parse_state(serialize_state(s), "state.json");
  REQUIRE(back);
  CHECK(back->owned_alt_platforms == s.owned_alt_platforms);
  CHECK(back->verified["aarch64"].passed);
  CHECK(back->verified["aarch64"].fp_ratio == doctest::Approx(0.05));
  auto truncated = serialize_state(s);
  truncated.resize(truncated.size() / 2);
  auto bad = parse_state(truncated, "/var/lib/platformd/state.json");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message.find("/var/lib/platformd/state.json") != std::string::npos);
  CHECK_FALSE(parse_state("{\"version\": 99}", "s"));
  CHECK_FALSE(parse_state("{\"enabled\": 3}", "s"));
}

TEST_CASE("state file: a platform's scope (issue 21) round-trips as a word; old files are global; bad words refused") {
  State s;
  s.enabled = {"x86_64", "i686"};
  s.scope["x86_64"] = Scope::boinc;
  const std::string text = serialize_state(s);
  CHECK(text.find("\"x86_64\": \"boinc\"") != std::string::npos);
  auto back = parse_state(text, "state.json");
  REQUIRE(back);
  CHECK(back->scope_of("x86_64") == Scope::boinc);
  CHECK(back->scope_of("i686") == Scope::global);
  auto old = parse_state(R"({"version": 1, "enabled": ["x86_64"]})", "s");
  REQUIRE(old);
  CHECK(old->scope_of("x86_64") == Scope::global);
  for (const char* bad : {R"({"version": 1, "scope": {"x86_64": "BOINC"}})",
                          R"({"version": 1, "scope": {"x86_64": 1}})", R"({"version": 1, "scope": ["boinc"]})"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_state(bad, "s"));
  }
  CHECK(to_string(Scope::global) == "global");
  CHECK(scope_from("boinc") == Scope::boinc);
  CHECK_FALSE(scope_from("Global"));
}

TEST_CASE("state file: withdrawing_since (issue 20) round-trips; old files without it load; floats refused") {
  State s;
  s.withdrawing = {"aarch64"};
  s.taken_over["aarch64"] = {"qemu-aarch64"};
  s.withdrawing_since["aarch64"] = 1'796'000'000;
  auto back = parse_state(serialize_state(s), "state.json");
  REQUIRE(back);
  CHECK(back->withdrawing_since == s.withdrawing_since);
  auto old = parse_state(R"({"version": 1, "enabled": [], "withdrawing": ["aarch64"]})", "s");
  REQUIRE(old);
  CHECK(old->withdrawing_since.empty());
  CHECK_FALSE(parse_state(R"({"version": 1, "withdrawing_since": {"aarch64": 1e30}})", "s"));
  CHECK_FALSE(parse_state(R"({"version": 1, "withdrawing_since": [1]})", "s"));
}

// Regression (fuzz: regressions/state/serialize-throws-on-non-utf8-string and
// non-finite-ratio-written-as-null-then-rejected-as-corrupt): a translator's stderr in a
// failure reason, or an infinite ratio, must not make the state unsavable or unreadable.
TEST_CASE("state with non-UTF-8 reasons and non-finite ratios still saves and loads") {
  State s;
  s.enabled = {"aarch64"};
  VerifyRecord& rec = s.verified["aarch64"];
  rec.translator_identity = "/x:1:2:3";
  rec.fidelity = Fidelity::blocked;
  rec.reason = std::string("crash \xff\xfe");
  rec.fp_ratio = 1.0 / 0.0;
  rec.int_ratio = 0.5;
  std::string text;
  REQUIRE_NOTHROW(text = serialize_state(s));
  auto back = parse_state(text, "state.json");
  REQUIRE(back);
  CHECK(back->enabled == s.enabled);
  CHECK(back->verified["aarch64"].fp_ratio == 0.0);
}

// Regression (fuzz: regressions/catalog/arch-too-long-for-binfmt-entry-name): every platform
// the catalog accepts must be registrable as the binfmt_misc entry "platformd-<arch>". The
// kernel takes entry names of up to 255 bytes (NAME_MAX; it was wrongly capped at 64, so a
// 60-byte arch parsed and could never be enabled); the catalog caps names at 64 bytes.
TEST_CASE("regression arch-too-long-for-binfmt-entry-name") {
  for (std::size_t n : {1u, 54u, 60u, 64u}) {
    auto c = parse_catalog(one_platform(R"("elf_class":2,"arch":")" + std::string(n, 'a') + "\""), "c.json");
    REQUIRE(c);
    auto line = build_register_line(own_rule(c->platforms[0], "/usr/bin/qemu-test-static"));
    CHECK_MESSAGE(line, n);
  }
  auto c = parse_catalog(one_platform(R"("elf_class":2,"arch":")" + std::string(65, 'a') + "\""), "c.json");
  REQUIRE_FALSE(c);
  CHECK(c.error().code == exit_code::bad_config);
  CHECK(c.error().message == "c.json: platforms[0]: platform name is longer than 64 bytes");
}

// Regressions (fuzz: regressions/catalog/elf-class-float-outside-int-range,
// offset-float-outside-unsigned-range, regressions/state/version-float-outside-int-range):
// nlohmann's get<int>() on 1e30 is a float-to-int conversion with undefined behaviour, and
// get<unsigned>() on -1 wraps. Integers are checked before they are converted.
TEST_CASE("regression elf-class-float-outside-int-range") {
  for (const char* v : {"1e30", "-1e30", "2.0", "1.5", "3", "0", "-1", "18446744073709551615", "\"2\"", "null"}) {
    auto c = parse_catalog(one_platform(std::string(R"("arch":"a","elf_class":)") + v), "c.json");
    REQUIRE_FALSE_MESSAGE(c, v);
    CHECK(c.error().code == exit_code::bad_config);
    CHECK(c.error().message == "c.json: platforms[0]: elf_class must be an integer from 1 to 2");
  }
  CHECK(parse_catalog(one_platform(R"("arch":"a","elf_class":1)"), "c.json"));
}

TEST_CASE("regression offset-float-outside-unsigned-range") {
  for (const char* v : {"1e30", "-1", "4294967296", "18446744073709551615", "0.5", "128"}) {
    auto c = parse_catalog(one_platform(std::string(R"("arch":"a","elf_class":2,"offset":)") + v), "c.json");
    REQUIRE_FALSE_MESSAGE(c, v);
    CHECK(c.error().message == "c.json: platforms[0]: \"offset\" must be an integer from 0 to 127");
  }
  auto ok = parse_catalog(one_platform(R"("arch":"a","elf_class":2,"offset":127)"), "c.json");
  REQUIRE(ok);
  CHECK(ok->platforms[0].offset == 127);
  // And the magic must still end within the kernel's 128 bytes.
  CHECK_FALSE(parse_catalog(R"({"platforms":[{"arch":"a","boinc_name":"b-b","elf_class":2,"offset":127,)"
                            R"("magic":"7f7f","mask":"ffff"}]})",
                            "c.json"));
}

TEST_CASE("regression version-float-outside-int-range") {
  for (const char* v : {"1e30", "-1e30", "1.0", "-1", "18446744073709551615", "\"1\""}) {
    auto s = parse_state(std::string(R"({"version": )") + v + "}", "state.json");
    REQUIRE_FALSE_MESSAGE(s, v);
    CHECK(s.error().code == exit_code::bad_config);
    CHECK(s.error().message.find("state.json") == 0);
  }
  CHECK(parse_state(R"({"version": 1})", "state.json"));
  CHECK(parse_state("{}", "state.json"));
}
