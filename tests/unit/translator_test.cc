// Emulator descriptions (emulators/*.json): parse_translator and load_translators. A broken
// description is an error naming its file, never a translator silently dropped.
// docs/bad-input.md, "malformed emulators/*.json".
#include <doctest/doctest.h>

#include <stdlib.h>
#include <filesystem>
#include <fstream>

#include "exit_codes.h"
#include "fidelity/translator.h"

using namespace platformd;
namespace fs = std::filesystem;

TEST_CASE("the shipped emulator descriptions parse") {
  Paths p;
  p.data_dir = fs::path(PLATFORMD_SOURCE_DIR);
  auto all = load_translators(p);
  REQUIRE_MESSAGE(all, (all ? "" : all.error().message));
  REQUIRE_FALSE(all->empty());
  for (const auto& t : *all) {
    CHECK_FALSE(t.name.empty());
    for (const auto& [arch, fp] : t.platforms) CHECK(fp.path.starts_with("/"));
  }
}

TEST_CASE("bad input: malformed emulator descriptions name the file") {
  for (const char* text : {
           "", "not json", "[]", R"({"platforms": {}})",                                   // no name
           R"({"name": "", "platforms": {}})",                                             // empty name
           R"({"name": "x"})",                                                             // no platforms
           R"({"name": "x", "platforms": {"aarch64": {}}})",                               // no path
           R"({"name": "x", "platforms": {"aarch64": {"path": 3}}})",                      // path not a string
           R"({"name": "x", "platforms": {"aarch64": {"path": 1e30}}})",                   // nor a number
           R"({"name": "x", "platforms": {"aarch64": {"path": "qemu"}}})",                 // not absolute
           R"({"name": "x", "platforms": {"a:b": {"path": "/x"}}})",                       // invalid platform key
           R"({"name": "x", "platforms": {"aarch64": {"path": "/x", "env": {"A": 1}}}})",  // env value
           R"({"name": "x", "requires_static": 1, "platforms": {}})",                      // not a boolean
       }) {
    auto r = parse_translator(text, "emulators/x.json");
    REQUIRE_FALSE_MESSAGE(r, text);
    CHECK(r.error().code == exit_code::bad_config);
    CHECK_MESSAGE(r.error().message.starts_with("emulators/x.json: "), r.error().message);
  }
}

TEST_CASE("bad input: one broken description stops load_translators, naming it") {
  std::string t = (fs::temp_directory_path() / "platformd-emulators-XXXXXX").string();
  REQUIRE(::mkdtemp(t.data()) != nullptr);
  const fs::path dir = t;
  fs::create_directories(dir / "emulators");
  std::ofstream(dir / "emulators" / "good.json") << R"({"name": "good", "platforms": {"aarch64": {"path": "/x"}}})";
  std::ofstream(dir / "emulators" / "broken.json") << R"({"name": "broken", "platforms": )";
  std::ofstream(dir / "emulators" / "README") << "not a description: ignored";
  Paths p;
  p.data_dir = dir;
  auto r = load_translators(p);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == exit_code::bad_config);
  CHECK(r.error().message == (dir / "emulators" / "broken.json").string() + ": not a JSON object");
  fs::remove(dir / "emulators" / "broken.json");
  auto ok = load_translators(p);
  REQUIRE(ok);
  CHECK(ok->size() == 1);
  fs::remove_all(dir);
}

TEST_CASE("identity_path: the path of a file identity, colons in the path and all") {
  CHECK(identity_path("/usr/bin/qemu-aarch64-static:42:1000:7") == "/usr/bin/qemu-aarch64-static");
  CHECK(identity_path("/opt/odd:dir/qemu:1:2:3") == "/opt/odd:dir/qemu");  // cut at the first ':' before
  CHECK(identity_path("") == "");
  CHECK(identity_path("/no/fields") == "/no/fields");
  const std::string real = file_identity("/bin/sh");
  REQUIRE_FALSE(real.empty());
  CHECK(identity_path(real) == "/bin/sh");
}
