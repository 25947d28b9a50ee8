// box64's rc files (fidelity/box64_rc.h) and the block platformd keeps in the BOINC user's
// home (boinc/rc_home.h): merged and removed with everything else kept byte for byte,
// refused when damaged or not a regular file, converged from the state.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include "boinc/rc_home.h"
#include "exit_codes.h"
#include "fidelity/box64_rc.h"
#include "fidelity/translator.h"
#include "temp_dir.h"

using namespace platformd;
using namespace platformd::test;

namespace {

const std::map<std::string, std::string> kSettings = {{"BOX64_DYNAREC_FASTNAN", "0"}, {"BOX64_DYNAREC_FASTROUND", "0"}};

TranslatorSpec box64_spec() {
  TranslatorSpec t;
  t.name = "box64";
  t.requires_static = false;
  t.rcfile = {".box64rc", kSettings};
  t.platforms["x86_64"] = {"/usr/bin/box64", {}};
  return t;
}

State serving_x86_64(const std::string& translator_path) {
  State s;
  s.enabled = {"x86_64"};
  s.verified["x86_64"].translator_identity = translator_path + ":123:456:789";
  s.verified["x86_64"].passed = true;
  return s;
}

}  // namespace

TEST_CASE("box64 rc block: a [**] section between markers, appended after what is there, replaced in place") {
  const std::string block = render_rc_block(kSettings, "the settings x86_64 was verified with");
  CHECK(block.starts_with(std::string(kRcBegin)));
  CHECK(block.find("\n[**]\nBOX64_DYNAREC_FASTNAN=0\nBOX64_DYNAREC_FASTROUND=0\n# END platformd\n") !=
        std::string::npos);

  auto fresh = merge_rc_block("", block, "rc");
  REQUIRE(fresh);
  CHECK(*fresh == block);

  const std::string theirs = "# mine\n[factorio]\nBOX64_DYNAREC_FASTROUND=0\n";  // no blank line at the end
  auto merged = merge_rc_block(theirs, block, "rc");
  REQUIRE(merged);
  CHECK(*merged == theirs + "\n" + block);
  auto again = merge_rc_block(*merged, block, "rc");
  REQUIRE(again);
  CHECK(*again == *merged);  // idempotent

  // A block in the middle is replaced where it is; the text after it stays.
  const std::string middle = "[a]\nX=1\n" + block + "[b]\nY=2\n";
  auto other = render_rc_block({{"BOX64_DYNAREC_FASTNAN", "1"}}, "why");
  auto replaced = merge_rc_block(middle, other, "rc");
  REQUIRE(replaced);
  CHECK(*replaced == "[a]\nX=1\n" + other + "[b]\nY=2\n");

  auto removed = remove_rc_block(*merged, "rc");
  REQUIRE(removed);
  CHECK(*removed == theirs);  // byte for byte, the blank line merge added gone too
  auto removed_mid = remove_rc_block(middle, "rc");
  REQUIRE(removed_mid);
  CHECK(*removed_mid == "[a]\nX=1\n[b]\nY=2\n");
  auto removed_only = remove_rc_block(block, "rc");
  REQUIRE(removed_only);
  CHECK(removed_only->empty());
}

TEST_CASE("bad input: a damaged platformd block in an rc file is refused, not guessed at") {
  const std::string block = render_rc_block(kSettings, "why");
  for (const std::string& text :
       {std::string(kRcBegin) + "\n[**]\n", std::string("[**]\n") + std::string(kRcEnd) + "\n", block + block,
        std::string(kRcEnd) + "\n" + std::string(kRcBegin) + "\n"}) {
    CAPTURE(text);
    auto m = merge_rc_block(text, block, "/x/.box64rc");
    REQUIRE_FALSE(m);
    CHECK(m.error().code == exit_code::bad_config);
    CHECK(m.error().message.find("/x/.box64rc") != std::string::npos);
    CHECK_FALSE(remove_rc_block(text, "/x/.box64rc"));
  }
}

TEST_CASE("rc interference: what reaches BOINC's tasks by box64's section rules, keys only, never values") {
  const std::string text =
      "BOX64_EMULATED_LIBS=libm.so.6\n"  // before any section
      "[*setup*]\nBOX64_DYNAREC_FASTNAN = 1 # comment\nBOX64_DYNAREC_SAFEFLAGS=2\nBOX64_LOG=1\n"
      "[factorio]\nBOX64_DYNAREC_FASTROUND=1\nBOX64_LD_LIBRARY_PATH=/x\n"  // one program's
      "[*install*]\nBOX64_DYNAREC_FASTROUND=0\n" +                         // our value: no change
      render_rc_block({{"BOX64_DYNAREC_FASTNAN", "0"}}, "old") +
      "BOX64_LD_LIBRARY_PATH=/home/boinc/evil-secret-path\n"  // box64: still [**]
      "[*\x1b[31m*]\nBOX64_TRACE_FILE=/tmp/t\n";
  auto c = rc_interference(text, kSettings);
  REQUIRE(c.size() == 5);
  CHECK(c[0] == "lines before any [section] sets BOX64_EMULATED_LIBS");
  CHECK(c[1] == "[*setup*] sets BOX64_DYNAREC_FASTNAN");
  CHECK(c[2] == "[*setup*] sets BOX64_DYNAREC_SAFEFLAGS");
  CHECK(c[3].starts_with("[**] (lines right after platformd's block"));
  CHECK(c[3].ends_with("sets BOX64_LD_LIBRARY_PATH"));
  CHECK(c[4] == "[*\\x1b[31m*] sets BOX64_TRACE_FILE");
  for (const auto& line : c) {
    CHECK(line.find("evil-secret") == std::string::npos);
    CHECK(line.find("libm.so.6") == std::string::npos);
  }
  CHECK(rc_interference("[factorio]\nBOX64_DYNAREC=0\n[**]\nBOX64_NOBANNER=1\n", kSettings).empty());
}

TEST_CASE("bad input: an emulator description's rcfile must name a dot file and writable settings") {
  const char* good = R"({"name": "b", "rcfile": {"file": ".box64rc", "settings": {"BOX64_X": "0"}},
                         "platforms": {"x86_64": {"path": "/usr/bin/box64"}}})";
  auto ok = parse_translator(good, "b.json");
  REQUIRE_MESSAGE(ok, (ok ? "" : ok.error().message));
  CHECK(ok->rcfile.file == ".box64rc");
  CHECK(ok->rcfile.settings.at("BOX64_X") == "0");
  for (const char* bad : {
           R"({"name": "b", "rcfile": {"file": "/etc/box64.box64rc", "settings": {}}, "platforms": {}})",
           R"({"name": "b", "rcfile": {"file": "../.box64rc", "settings": {}}, "platforms": {}})",
           R"({"name": "b", "rcfile": {"file": "box64rc", "settings": {}}, "platforms": {}})",
           R"({"name": "b", "rcfile": {"file": ".box64rc", "settings": {"A=B": "0"}}, "platforms": {}})",
           R"({"name": "b", "rcfile": {"file": ".box64rc", "settings": {"A": "0\n[x]"}}, "platforms": {}})",
           R"({"name": "b", "rcfile": {"file": ".box64rc"}, "platforms": {}})",
       }) {
    CAPTURE(bad);
    auto r = parse_translator(bad, "b.json");
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("b.json") != std::string::npos);
  }
}

TEST_CASE("wanted rc blocks follow the translator that serves each enabled or withdrawing platform") {
  const std::vector<TranslatorSpec> specs = {box64_spec()};
  CHECK(wanted_rc_blocks(State{}, specs).empty());
  CHECK(wanted_rc_blocks(serving_x86_64("/usr/bin/qemu-x86_64"), specs).empty());
  auto w = wanted_rc_blocks(serving_x86_64("/usr/bin/box64"), specs);
  REQUIRE(w.size() == 1);
  CHECK(w[0].file == ".box64rc");
  CHECK(w[0].archs == std::vector<std::string>{"x86_64"});
  State withdrawing = serving_x86_64("/usr/bin/box64");
  withdrawing.enabled.clear();
  withdrawing.withdrawing = {"x86_64"};
  CHECK(wanted_rc_blocks(withdrawing, specs).size() == 1);  // its tasks still run
  State gone = withdrawing;
  gone.withdrawing.clear();
  CHECK(wanted_rc_blocks(gone, specs).empty());
}

TEST_CASE("the rc block in the BOINC home: written, kept, removed; a file platformd created goes with it") {
  TempDir home("rchome");
  RealMachine m;
  const std::vector<TranslatorSpec> specs = {box64_spec()};
  State s = serving_x86_64("/usr/bin/box64");
  const fs::path rc = home.path / ".box64rc";

  auto r1 = sync_rc_blocks(m, home.path, wanted_rc_blocks(s, specs), s);
  REQUIRE_MESSAGE(r1, (r1 ? "" : r1.error().message));
  REQUIRE(r1->lines.size() == 1);
  const std::string written = slurp(rc);
  CHECK(written == rc_block_for(box64_spec().rcfile, {"x86_64"}));
  struct stat st {};
  REQUIRE(::stat(rc.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0644);
  CHECK(s.rc_files == std::vector<std::string>{".box64rc"});
  CHECK(s.rc_created == std::vector<std::string>{".box64rc"});

  // What a verification puts in the probe's HOME is platformd's block alone, as written.
  auto verified_text = rc_probe_text(m, home.path, box64_spec().rcfile, {"x86_64"});
  REQUIRE(verified_text);
  CHECK(*verified_text == written);

  auto r2 = sync_rc_blocks(m, home.path, wanted_rc_blocks(s, specs), s);
  REQUIRE(r2);
  CHECK(r2->lines.empty());  // nothing to do

  s.enabled.clear();
  auto r3 = sync_rc_blocks(m, home.path, wanted_rc_blocks(s, specs), s);
  REQUIRE(r3);
  CHECK_FALSE(fs::exists(rc));
  CHECK(s.rc_files.empty());
  CHECK(s.rc_created.empty());
}

TEST_CASE("the rc block next to the boinc user's own settings: theirs kept byte for byte, owner and mode too") {
  TempDir home("rchome");
  RealMachine m;
  const std::vector<TranslatorSpec> specs = {box64_spec()};
  State s = serving_x86_64("/usr/bin/box64");
  const fs::path rc = home.path / ".box64rc";
  const std::string theirs = "[*setup*]\nBOX64_DYNAREC_FASTNAN=1\n";
  put(rc, theirs);
  REQUIRE(::chmod(rc.c_str(), 0600) == 0);
  auto r1 = sync_rc_blocks(m, home.path, wanted_rc_blocks(s, specs), s);
  REQUIRE(r1);
  CHECK(slurp(rc).starts_with(theirs + "\n# BEGIN platformd"));
  REQUIRE(r1->warnings.size() == 1);
  CHECK(r1->warnings[0].find("[*setup*] sets BOX64_DYNAREC_FASTNAN,") != std::string::npos);
  // The probe gets the block alone, and the verification is refused while their line stands.
  auto probe = rc_probe_text(m, home.path, box64_spec().rcfile, {"x86_64"});
  REQUIRE_FALSE(probe);
  CHECK(probe.error().message.find("[*setup*] sets BOX64_DYNAREC_FASTNAN") != std::string::npos);
  struct stat st {};
  REQUIRE(::stat(rc.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(s.rc_created.empty());
  s.enabled.clear();
  REQUIRE(sync_rc_blocks(m, home.path, wanted_rc_blocks(s, specs), s));
  CHECK(slurp(rc) == theirs);
}

TEST_CASE("hostile home: a FIFO, a symlink or a damaged block at .box64rc is refused and nothing is written") {
  TempDir home("rchome");
  RealMachine m;
  const std::vector<TranslatorSpec> specs = {box64_spec()};
  const fs::path rc = home.path / ".box64rc";
  SUBCASE("FIFO") {
    REQUIRE(::mkfifo(rc.c_str(), 0644) == 0);
  }
  SUBCASE("symlink") {
    put(home.path / "victim", "precious\n");
    fs::create_symlink(home.path / "victim", rc);
  }
  SUBCASE("damaged block") {
    put(rc, std::string(kRcBegin) + "\n[**]\n");
  }
  // Issue 20: a hard link to another file (a root-only secret, a set-uid program), a file of a
  // third user, set-id bits. Root would have kept that file's owner and mode, with its bytes.
  SUBCASE("hard link") {
    put(home.path / "victim", "precious\n");
    fs::create_hard_link(home.path / "victim", rc);
  }
  SUBCASE("foreign owner") {
    put(rc, "[**]\n");
    REQUIRE(::chown(rc.c_str(), 4242, 4242) == 0);
  }
  SUBCASE("set-id bits") {
    put(rc, "[**]\n");
    REQUIRE(::chmod(rc.c_str(), 04755) == 0);
  }
  struct stat st {};
  const bool plain = ::lstat(rc.c_str(), &st) == 0 && S_ISREG(st.st_mode);
  const std::string before = plain ? slurp(rc) : std::string();
  State s = serving_x86_64("/usr/bin/box64");
  auto r = sync_rc_blocks(m, home.path, wanted_rc_blocks(s, specs), s);
  CHECK_FALSE(r);
  auto probe = rc_probe_text(m, home.path, box64_spec().rcfile, {"x86_64"});
  CHECK_FALSE(probe);
  if (!r) CHECK(r.error().message.find("precious") == std::string::npos);
  CHECK(s.rc_files.empty());
  if (fs::exists(home.path / "victim")) CHECK(slurp(home.path / "victim") == "precious\n");
  if (plain) CHECK(slurp(rc) == before);  // nothing written
}

TEST_CASE("a file platformd created, replaced by the boinc user's own: emptied, never unlinked") {
  TempDir home("rchome");
  RealMachine m;
  const std::vector<TranslatorSpec> specs = {box64_spec()};
  State s = serving_x86_64("/usr/bin/box64");
  const fs::path rc = home.path / ".box64rc";
  REQUIRE(sync_rc_blocks(m, home.path, wanted_rc_blocks(s, specs), s));
  REQUIRE(s.rc_created == std::vector<std::string>{".box64rc"});
  // The boinc user (the home's owner) puts their own file there, holding the same block.
  const std::string block = slurp(rc);
  fs::remove(rc);
  put(rc, block);
  REQUIRE(::chown(home.path.c_str(), 4242, 4242) == 0);
  REQUIRE(::chown(rc.c_str(), 4242, 4242) == 0);
  s.enabled.clear();
  auto r = sync_rc_blocks(m, home.path, wanted_rc_blocks(s, specs), s);
  REQUIRE_MESSAGE(r, (r ? "" : r.error().message));
  REQUIRE(fs::exists(rc));
  CHECK(slurp(rc).empty());
  struct stat st {};
  REQUIRE(::stat(rc.c_str(), &st) == 0);
  CHECK(st.st_uid == 4242);
}
