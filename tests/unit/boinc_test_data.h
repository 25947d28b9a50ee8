// Shared by the BOINC unit tests: the BOINC names they use and the recorded files in
// tests/data/boinc/ (captured from real clients).
#pragma once

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace platformd::test {

inline const std::string kAarch64 = "aarch64-unknown-linux-gnu";
inline const std::string kArmhf = "arm-unknown-linux-gnueabihf";
inline const std::string kX86_64 = "x86_64-pc-linux-gnu";
inline const std::string kI686 = "i686-pc-linux-gnu";

// The bytes of tests/data/boinc/NAME.
inline std::string data(const std::string& name) {
  std::ifstream f(std::string(PLATFORMD_SOURCE_DIR) + "/tests/data/boinc/" + name, std::ios::binary);
  REQUIRE(f.good());
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace platformd::test
