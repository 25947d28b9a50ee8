// sync_alt_platforms against a temporary data directory: the real file system through
// RealMachine, with a Machine wrapper that injects a concurrent edit, no systemd, and no BOINC
// client (GUI RPC port 1, where nothing listens). The real-client cases are integration tests
// (tests/integration/test-boinc-*.sh).
#include <doctest/doctest.h>

#include "temp_dir.h"

#include "boinc_test_data.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "boinc/boinc_sync.h"
#include "exit_codes.h"

using namespace platformd;

namespace {

using namespace platformd::test;

struct NoSystemd : BoincServiceControl {
  Result<std::optional<BoincUnit>> query() override { return std::optional<BoincUnit>{}; }
  Result<void> restart(std::chrono::milliseconds) override { return fail(exit_code::failure, "no systemd"); }
};

// Someone else edits the file between our read and our rename, `edits` times. Everything else
// is the real machine.
class RacingMachine : public Machine {
 public:
  int edits = 1;
  int replaces = 0;
  // Only cc_config.xml races (it is replaced through its directory's handle); the state file
  // (the write-ahead of ownership) is ours alone.
  Result<void> replace_file_at(const DirHandle& d, const std::string& name, std::string_view text,
                               const FileOwnership& own, const std::optional<std::string>& expected_old) override {
    ++replaces;
    const fs::path p = d.path / name;
    if (edits-- > 0) put(p, slurp(p) + "<!-- edited concurrently -->\n");
    return real_.replace_file_at(d, name, text, own, expected_old);
  }
  Result<void> replace_file(const fs::path& p, std::string_view text, const FileOwnership& own,
                            const std::optional<std::string>& expected_old) override {
    return real_.replace_file(p, text, own, expected_old);
  }
  Result<DirHandle> open_dir(const fs::path& p) override { return real_.open_dir(p); }
  Result<DirHandle> open_dir(const DirHandle& root, const fs::path& rel) override { return real_.open_dir(root, rel); }
  Result<DirEntry> inspect_at(const DirHandle& d, const std::string& name) override {
    return real_.inspect_at(d, name);
  }
  Result<std::optional<FileRead>> read_file_at(const DirHandle& d, const std::string& name, std::size_t max) override {
    return real_.read_file_at(d, name, max);
  }
  Result<std::string> read_file(const fs::path& p, std::size_t max) override { return real_.read_file(p, max); }
  Result<std::string> read_named_file(const fs::path& p, std::size_t max) override {
    return real_.read_named_file(p, max);
  }
  Result<void> remove_file_at(const DirHandle& d, const std::string& n, std::string_view e) override {
    return real_.remove_file_at(d, n, e);
  }
  Result<void> write_file(const fs::path& p, std::string_view t) override { return real_.write_file(p, t); }
  Result<std::vector<std::string>> list_dir(const fs::path& p) override { return real_.list_dir(p); }
  Result<RunResult> run(const RunRequest& r) override { return real_.run(r); }
  Result<bool> ensure_binfmt_mounted(const fs::path& d) override { return real_.ensure_binfmt_mounted(d); }
  std::string kernel_machine() override { return real_.kernel_machine(); }
  Result<std::string> loopback_exchange(int port, std::string_view req, char term, std::chrono::milliseconds t,
                                        std::size_t max) override {
    return real_.loopback_exchange(port, req, term, t, max);
  }

 private:
  RealMachine real_;
};

struct Fixture {
  TempDir dir;
  NoSystemd systemd;
  Paths paths;
  BoincSyncOptions opts;
  State state;
  Fixture() {
    // Never the machine's /var/lib/platformd: the sync writes ownership ahead to the state file.
    paths.state_dir = dir.path / "state";
    fs::create_directories(paths.state_dir);
    paths.boinc_dir = dir.path;
    paths.gui_rpc_port = 1;
    opts.service = &systemd;
  }
  fs::path cc() const { return dir.path / "cc_config.xml"; }
};

}  // namespace

TEST_CASE("sync: creates cc_config.xml, owns the entry, says no client runs") {
  Fixture f;
  RealMachine m;
  auto r = sync_alt_platforms(m, f.paths, f.state, {kAarch64}, f.opts);
  REQUIRE_MESSAGE(r, (r ? "" : r.error().message));
  CHECK(r->changed);
  CHECK(f.state.owned_alt_platforms == std::vector<std::string>{kAarch64});
  CHECK(slurp(f.cc()).find("<alt_platform>" + kAarch64 + "</alt_platform>") != std::string::npos);
  CHECK(r->restart == BoincRestart::not_running);
  CHECK_FALSE(r->client_platforms);
  // Again: nothing to write, nothing to restart.
  auto again = sync_alt_platforms(m, f.paths, f.state, {kAarch64}, f.opts);
  REQUIRE(again);
  CHECK_FALSE(again->changed);
  CHECK(again->restart == BoincRestart::not_needed);
}

TEST_CASE("sync: withdrawing everything gives Debian's file back byte for byte (the <options> we made goes)") {
  Fixture f;
  const std::string orig = data("cc_config_debian.xml");
  put(f.cc(), orig);
  RealMachine m;
  auto r = sync_alt_platforms(m, f.paths, f.state, {kAarch64}, f.opts);
  REQUIRE_MESSAGE(r, (r ? "" : r.error().message));
  CHECK(f.state.owned_options);
  // Written ahead with the entry, so a crash between the writes still knows it is ours.
  CHECK(slurp(f.paths.state_dir / "state.json").find("\"owned_options\": true") != std::string::npos);
  auto back = sync_alt_platforms(m, f.paths, f.state, {}, f.opts);
  REQUIRE_MESSAGE(back, (back ? "" : back.error().message));
  CHECK_FALSE(f.state.owned_options);
  CHECK(slurp(f.cc()) == orig);
}

TEST_CASE("sync: a concurrent edit between read and rename is kept and the edit redone") {
  Fixture f;
  put(f.cc(), "<cc_config>\n  <options>\n  </options>\n</cc_config>\n");
  RacingMachine m;
  m.edits = 2;
  auto r = sync_alt_platforms(m, f.paths, f.state, {kAarch64}, f.opts);
  REQUIRE_MESSAGE(r, (r ? "" : r.error().message));
  CHECK(m.replaces == 3);
  // The ownership was written ahead to the state file before cc_config.xml.
  CHECK(slurp(f.paths.state_dir / "state.json").find(kAarch64) != std::string::npos);
  const std::string text = slurp(f.cc());
  CHECK(text == "<cc_config>\n  <options>\n    <alt_platform>" + kAarch64 +
                    "</alt_platform>\n  </options>\n</cc_config>\n<!-- edited concurrently -->\n<!-- edited "
                    "concurrently -->\n");
}

TEST_CASE("sync: a file that never stops changing is left alone") {
  Fixture f;
  put(f.cc(), "<cc_config/>\n");
  RacingMachine m;
  m.edits = 100;
  auto r = sync_alt_platforms(m, f.paths, f.state, {kAarch64}, f.opts);
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("kept changing") != std::string::npos);
  CHECK(slurp(f.cc()).find("alt_platform") == std::string::npos);
  CHECK(f.state.owned_alt_platforms.empty());
}

TEST_CASE("sync: a task of the platform in client_state.xml blocks the withdrawal unless forced") {
  Fixture f;
  RealMachine m;
  REQUIRE(sync_alt_platforms(m, f.paths, f.state, {kAarch64}, f.opts));
  const std::string before = slurp(f.cc());
  put(f.dir.path / "client_state.xml",
      slurp(fs::path(PLATFORMD_SOURCE_DIR) / "tests/data/boinc/client_state_task_aarch64.xml"));

  auto refused = sync_alt_platforms(m, f.paths, f.state, {}, f.opts);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == exit_code::work_at_risk);
  CHECK(refused.error().message.find("wu1_0 (Fake Project, fakeapp 1.00") != std::string::npos);
  CHECK(slurp(f.cc()) == before);
  CHECK(f.state.owned_alt_platforms == std::vector<std::string>{kAarch64});

  auto tasks = tasks_for_platforms(m, f.paths, {kAarch64}, f.opts);
  REQUIRE(tasks);
  CHECK(tasks->size() == 1);

  f.opts.force = true;
  auto forced = sync_alt_platforms(m, f.paths, f.state, {}, f.opts);
  REQUIRE(forced);
  CHECK(forced->removed == std::vector<std::string>{kAarch64});
  CHECK_FALSE(forced->warnings.empty());
  CHECK(f.state.owned_alt_platforms.empty());
}

TEST_CASE("sync: an unreadable client_state.xml blocks a withdrawal too") {
  Fixture f;
  RealMachine m;
  REQUIRE(sync_alt_platforms(m, f.paths, f.state, {kAarch64}, f.opts));
  put(f.dir.path / "client_state.xml", "<client_state>\n<result>");
  auto r = sync_alt_platforms(m, f.paths, f.state, {}, f.opts);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == exit_code::work_at_risk);
}

TEST_CASE("sync: symlinks are followed inside the data directory and refused outside it") {
  Fixture f;
  RealMachine m;
  TempDir outside;
  put(outside.path / "cc_config.xml", "<cc_config/>\n");
  fs::create_symlink(outside.path / "cc_config.xml", f.cc());
  auto r = sync_alt_platforms(m, f.paths, f.state, {kAarch64}, f.opts);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == exit_code::bad_config);
  CHECK(slurp(outside.path / "cc_config.xml") == "<cc_config/>\n");

  fs::remove(f.cc());
  fs::create_directory(f.dir.path / "etc");
  put(f.dir.path / "etc/real.xml", "<cc_config/>\n");
  fs::create_symlink("etc/real.xml", f.cc());
  auto ok = sync_alt_platforms(m, f.paths, f.state, {kAarch64}, f.opts);
  REQUIRE_MESSAGE(ok, (ok ? "" : ok.error().message));
  CHECK(ok->through_symlink);
  CHECK(fs::is_symlink(f.cc()));
  CHECK(slurp(f.dir.path / "etc/real.xml").find(kAarch64) != std::string::npos);
}

TEST_CASE("sync: malformed cc_config.xml is left byte-identical") {
  Fixture f;
  RealMachine m;
  const std::string bad = "<cc_config>\n<options>\n</cc_config>\n";
  put(f.cc(), bad);
  auto r = sync_alt_platforms(m, f.paths, f.state, {kAarch64}, f.opts);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == exit_code::bad_config);
  CHECK(r.error().message.find(f.cc().string() + ":2:") == 0);
  CHECK(slurp(f.cc()) == bad);
}

// docs/bad-input.md, cc_config.xml "10 MB file": above Machine::read_file's 16 MiB cap the
// file is not read, and so not edited: exit 7 (bad_config), the file and what we own unchanged.
TEST_CASE("sync: a cc_config.xml above 16 MiB is refused and left alone") {
  Fixture f;
  std::string huge = "<cc_config>\n  <options>\n  </options>\n";
  huge += "<!--" + std::string((16u << 20) + 1, 'x') + "-->\n</cc_config>\n";
  put(f.cc(), huge);
  RealMachine m;
  auto r = sync_alt_platforms(m, f.paths, f.state, {kAarch64}, f.opts);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == exit_code::bad_config);
  CHECK(r.error().message == f.cc().string() + " is larger than 16777216 bytes; refusing to read it");
  CHECK(slurp(f.cc()) == huge);
  CHECK(f.state.owned_alt_platforms.empty());
}
