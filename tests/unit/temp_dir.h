// Test helpers: a temporary directory removed at scope exit, and whole-file read and write.
#pragma once

#include <doctest/doctest.h>

#include <stdlib.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace platformd::test {

struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const char* tag = "test") {
    std::string t = (std::filesystem::temp_directory_path() / (std::string("platformd-") + tag + "-XXXXXX")).string();
    REQUIRE(::mkdtemp(t.data()) != nullptr);
    path = std::filesystem::canonical(t);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

inline void put(const std::filesystem::path& p, const std::string& text) {
  std::ofstream f(p, std::ios::binary);
  f << text;
}

}  // namespace platformd::test
