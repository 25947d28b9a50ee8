// verify_platform's messages when a probe fails: what the translator wrote to stderr is
// untrusted and must reach the CLI, the journal and D-Bus quoted, never raw.
#include <doctest/doctest.h>

#include <stdlib.h>
#include <algorithm>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "catalog.h"
#include "fidelity/verifier.h"
#include "untrusted_text.h"

using namespace platformd;

namespace {

// Answers every probe run from a script: the identity run, then the `fp` run.
class ScriptedMachine : public Machine {
 public:
  std::vector<RunResult> answers;
  std::size_t runs = 0;
  std::vector<RunRequest> requests;
  std::vector<std::string> rc_seen;  // $HOME/.box64rc at each run, "" when none
  Result<RunResult> run(const RunRequest& req) override {
    REQUIRE(runs < answers.size());
    requests.push_back(req);
    std::string seen;
    for (const auto& e : req.env)
      if (e.starts_with("HOME=")) {
        std::ifstream f(fs::path(e.substr(5)) / ".box64rc");
        std::stringstream ss;
        ss << f.rdbuf();
        seen = ss.str();
      }
    rc_seen.push_back(seen);
    return answers[runs++];
  }
  Result<std::string> read_file(const fs::path& p, std::size_t max) override { return real_.read_file(p, max); }
  Result<std::string> read_named_file(const fs::path& p, std::size_t max) override {
    return real_.read_named_file(p, max);
  }
  Result<void> write_file(const fs::path&, std::string_view) override { return Error{"unexpected write", 1}; }
  Result<void> replace_file(const fs::path&, std::string_view, const FileOwnership&,
                            const std::optional<std::string>&) override {
    return Error{"unexpected write", 1};
  }
  Result<std::vector<std::string>> list_dir(const fs::path& p) override { return real_.list_dir(p); }
  Result<DirHandle> open_dir(const fs::path& p) override { return real_.open_dir(p); }
  Result<DirHandle> open_dir(const DirHandle& root, const fs::path& rel) override { return real_.open_dir(root, rel); }
  Result<DirEntry> inspect_at(const DirHandle& d, const std::string& name) override {
    return real_.inspect_at(d, name);
  }
  Result<std::optional<FileRead>> read_file_at(const DirHandle& d, const std::string& name, std::size_t max) override {
    return real_.read_file_at(d, name, max);
  }
  Result<void> replace_file_at(const DirHandle&, const std::string&, std::string_view, const FileOwnership&,
                               const std::optional<std::string>&) override {
    return Error{"unexpected write", 1};
  }
  Result<void> remove_file_at(const DirHandle&, const std::string&, std::string_view) override {
    return Error{"unexpected write", 1};
  }
  Result<bool> ensure_binfmt_mounted(const fs::path&) override { return false; }
  std::string kernel_machine() override { return "x86_64"; }
  Result<std::string> loopback_exchange(int, std::string_view, char, std::chrono::milliseconds, std::size_t) override {
    return Error{"no network here", 1};
  }

 private:
  RealMachine real_;
};

struct ProbeDir {
  fs::path path;
  ProbeDir() {
    std::string t = (fs::temp_directory_path() / "platformd-verifier-XXXXXX").string();
    REQUIRE(::mkdtemp(t.data()) != nullptr);
    path = t;
    std::ofstream(path / "probe-aarch64") << "not run: the machine is scripted\n";
  }
  ~ProbeDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

RunResult failed_with(std::string err) {
  RunResult r;
  r.exit_status = 1;
  r.err = std::move(err);
  return r;
}

bool printable_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= ' ' && c < 127; });
}

// What a hostile or broken translator may print: an ANSI escape, invalid UTF-8, a bell, lines.
const std::string kHostileStderr = "\x1b[2J\xff\xfe qemu: crash\nsecond line\x07\n";

}  // namespace

TEST_CASE("regression probe-stderr-shown-raw-in-verify-messages") {
  ProbeDir dir;
  Paths paths;
  paths.probe_dir = dir.path;
  paths.data_dir = dir.path;
  Platform aarch64;
  aarch64.arch = "aarch64";
  HostInfo host;
  host.userland_arch = "x86_64";
  VerifyTarget t;
  t.platform = &aarch64;
  t.via = ProbeVia::translator;
  t.translator = "/usr/bin/qemu-aarch64-static";

  SUBCASE("the identity run fails") {
    ScriptedMachine m;
    m.answers = {failed_with(kHostileStderr)};
    auto v = verify_platform(m, paths, host, t, false);
    CHECK_FALSE(v.passed);
    CHECK_MESSAGE(printable_ascii(v.run_detail), v.run_detail);
    CHECK(v.run_detail == "the aarch64 probe exit status 1: \\x1b[2J\\xff\\xfe qemu: crash\\x0asecond line\\x07");
  }
  SUBCASE("the fingerprint run fails") {
    ScriptedMachine m;
    RunResult id;
    id.exit_status = 0;
    id.out = "platformd-probe 1\narch aarch64\nuname aarch64\nargv0 x\nanswer 42\n";
    m.answers = {id, failed_with(kHostileStderr), failed_with(kHostileStderr)};
    auto v = verify_platform(m, paths, host, t, false);
    CHECK_FALSE(v.passed);
    CHECK_MESSAGE(printable_ascii(v.run_detail), v.run_detail);
    CHECK(v.run_detail.find("the aarch64 probe's fp mode exit status 1: \\x1b[2J\\xff\\xfe qemu: crash") !=
          std::string::npos);
  }
}

// One platform verified through a translator on a scripted machine (probe files are stubs).
struct TranslatorRun {
  ProbeDir dir;
  Paths paths;
  Platform platform;
  HostInfo host;
  VerifyTarget t;
  ScriptedMachine m;
  TranslatorRun(const std::string& arch, const std::string& host_arch, const std::string& translator) {
    for (const auto& a : {arch, host_arch}) std::ofstream(dir.path / ("probe-" + a)) << "not run\n";
    paths.probe_dir = dir.path;
    paths.data_dir = dir.path;
    platform.arch = arch;
    host.userland_arch = host_arch;
    t.platform = &platform;
    t.via = ProbeVia::translator;
    t.translator = translator;
  }
  RunResult identity() const {
    RunResult id;
    id.exit_status = 0;
    id.out = fmt::format("platformd-probe 1\narch {0}\nuname {0}\nargv0 x\nanswer 42\n", platform.arch);
    return id;
  }
};

TEST_CASE("a translator with an rc file runs every probe with a HOME holding exactly that file") {
  TranslatorRun r("x86_64", "aarch64", "/usr/bin/box64");
  r.t.rc_file = ".box64rc";
  r.t.rc_text = "# BEGIN platformd\n[**]\nBOX64_DYNAREC_FASTNAN=0\n# END platformd\n";
  // identity, cpu (x86: the guest's CPU), fp, then the emulated bench (its failure ends the
  // speed measurement)
  RunResult cpu;
  cpu.exit_status = 0;
  cpu.out = "cpu x86-64-v3 fma avx2\n";
  r.m.answers = {r.identity(), cpu, failed_with("fp mode broken"), failed_with("bench")};
  auto v = verify_platform(r.m, r.paths, r.host, r.t, false);
  REQUIRE(r.m.runs == 4);
  CHECK(r.m.requests[1].argv.back() == "cpu");
  CHECK(v.guest_cpu.find("the guest's CPU is x86-64-v3 (FMA and AVX2)") == 0);
  for (std::size_t i = 0; i < r.m.runs; ++i) {
    CAPTURE(i);
    CHECK(r.m.rc_seen[i] == r.t.rc_text);
    CHECK(r.m.requests[i].argv.at(0) == "/usr/bin/box64");
  }
  // The HOME is gone after the run: nothing of it stays behind.
  bool had_home = false;
  for (const auto& e : r.m.requests[0].env)
    if (e.starts_with("HOME=")) {
      had_home = true;
      CHECK_FALSE(fs::exists(e.substr(5)));
    }
  CHECK(had_home);
}

TEST_CASE("an emulated benchmark that times out is an upper bound on the speed, and the gate still applies") {
  TranslatorRun r("aarch64", "x86_64", "/usr/bin/qemu-aarch64");
  RunResult slow;
  slow.timed_out = true;
  RunResult native;
  native.exit_status = 0;
  native.out = "bench.fp 0.200000 400921fb54442d18\nbench.int 0.100000 12345678\n";
  r.m.answers = {r.identity(), failed_with("fp mode broken"), slow, native};
  auto v = verify_platform(r.m, r.paths, r.host, r.t, false);
  REQUIRE(v.fp_ratio);
  CHECK(*v.fp_ratio == doctest::Approx(0.3 / 30));  // 0.3 s natively, more than 30 s emulated
  CHECK(v.too_slow);
  CHECK_FALSE(v.passed);
  CHECK_MESSAGE(v.run_detail.find("did not finish within 30 s: at most 1.00% of native") != std::string::npos,
                v.run_detail);
  CHECK_MESSAGE(v.run_detail.find("too slow") != std::string::npos, v.run_detail);
}

TEST_CASE("untrusted text: lines and quoting") {
  CHECK(split_lines("").empty());
  CHECK(split_lines("a\n") == std::vector<std::string_view>{"a"});
  CHECK(split_lines("a\n\nb") == std::vector<std::string_view>{"a", "", "b"});
  CHECK(quote_untrusted("ok \\ text") == "ok \\ text");
  CHECK(quote_untrusted("\xc3\xa9\t") == "\\xc3\\xa9\\x09");  // valid UTF-8 is escaped too: ASCII out
  CHECK(quote_untrusted(std::string(70, 'a')) == std::string(64, 'a') + "...");
  CHECK(stderr_excerpt(" \n\t\n").empty());
  CHECK(stderr_excerpt("boom\n") == "boom");
  CHECK(stderr_excerpt(std::string(300, 'e')).size() == 203);
}
