// Fuzz target: parse_translator (emulators/*.json).
//
// Input: the description's JSON text.
//
// Invariants, when it parses: the name is not empty; every platform key is a valid platform
// name; every path is absolute. Whatever the input: no crash, no exception out of the parser.
#include "catalog.h"
#include "fidelity/translator.h"
#include "fuzz_util.h"

using namespace platformd;
using platformd_fuzz::shown;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto t = parse_translator(platformd_fuzz::as_text(data, size), "emulators/fuzz.json");
  if (!t) return 0;
  FUZZ_CHECK(!t->name.empty(), "a translator without a name parsed");
  for (const auto& [arch, fp] : t->platforms) {
    FUZZ_CHECK(validate_platform_name(arch).ok(), "platform key \"{}\" is not a platform name", shown(arch));
    FUZZ_CHECK(!fp.path.empty() && fp.path[0] == '/', "{}: path \"{}\" is not absolute", shown(arch), shown(fp.path));
  }
  return 0;
}
