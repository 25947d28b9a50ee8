// Machine::read_named_file (issue 20, class 3): the file an administrator names for `apply`
// is opened once, not through a symlink, never waited on, and must be a bounded regular file.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>

#include "system/machine.h"
#include "temp_dir.h"

using namespace platformd;

TEST_CASE("read_named_file: a regular file is read; a symlink, a FIFO, a directory or an oversized file is refused") {
  test::TempDir t("named");
  RealMachine m;
  auto f = t.path / "want.json";
  std::ofstream(f) << "{\"version\": 1}";
  auto ok = m.read_named_file(f, 1024);
  REQUIRE(ok);
  CHECK(*ok == "{\"version\": 1}");

  auto secret = t.path / "secret";
  std::ofstream(secret) << "db_password_hunter2";
  auto link = t.path / "link.json";
  std::filesystem::create_symlink(secret, link);
  auto viaLink = m.read_named_file(link, 1024);
  REQUIRE_FALSE(viaLink);
  CHECK(viaLink.error().message.find("symbolic link") != std::string::npos);
  CHECK(viaLink.error().message.find("hunter2") == std::string::npos);

  auto fifo = t.path / "fifo.json";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  auto t0 = std::chrono::steady_clock::now();
  auto viaFifo = m.read_named_file(fifo, 1024);  // no writer: a blocking open would hang here
  REQUIRE_FALSE(viaFifo);
  CHECK(viaFifo.error().message.find("a FIFO") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5));

  auto dir = m.read_named_file(t.path, 1024);
  REQUIRE_FALSE(dir);
  CHECK(dir.error().message.find("a directory") != std::string::npos);

  auto big = m.read_named_file(f, 4);
  REQUIRE_FALSE(big);
  CHECK(big.error().message.find("larger than 4 bytes") != std::string::npos);
}
