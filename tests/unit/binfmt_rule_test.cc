#include <doctest/doctest.h>

#include "binfmt/binfmt_rule.h"
#include "binfmt/platform_plan.h"

using namespace platformd;

namespace {

BinfmtRule rule(std::string name, std::string magic_hex, std::string mask_hex, unsigned offset = 0) {
  BinfmtRule r;
  r.name = std::move(name);
  r.offset = offset;
  r.magic = *from_hex(magic_hex);
  r.mask = mask_hex.empty() ? Bytes{} : *from_hex(mask_hex);
  r.interpreter = "/usr/bin/qemu-aarch64-static";
  r.flags = "PF";
  return r;
}

// QEMU's and Debian's masks (shared/REFERENCE.md section 1).
const char* kAarch64Magic = "7f454c460201010000000000000000000200b700";
const char* kAarch64Mask = "ffffffffffffff00fffffffffffffffffeffffff";
const char* kX86_64Magic = "7f454c4602010100000000000000000002003e00";
const char* kX86_64Mask = "fffffffffffefe00fffffffffffffffffeffffff";

}  // namespace

TEST_CASE("register line round-trips through the kernel's syntax") {
  auto r = rule("platformd-aarch64", kAarch64Magic, kAarch64Mask);
  auto line = build_register_line(r);
  REQUIRE(line);
  CHECK(line->rfind(":platformd-aarch64:M:0:\\x7f\\x45\\x4c\\x46", 0) == 0);
  CHECK(line->size() > 2);
  CHECK(line->substr(line->size() - 3) == ":PF");
  auto back = parse_register_line(*line);
  REQUIRE(back);
  CHECK(back->name == r.name);
  CHECK(back->magic == r.magic);
  CHECK(back->mask == r.mask);
  CHECK(back->interpreter == r.interpreter);
  CHECK(back->flags == "PF");
}

TEST_CASE("Debian's qemu-aarch64.conf line parses, with its own delimiter and escapes") {
  auto r = parse_register_line(
      ":qemu-aarch64:M::"
      "\\x7f\\x45\\x4c\\x46\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\xb7\\x00:"
      "\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff:"
      "/usr/libexec/qemu-binfmt/aarch64-binfmt-P:OPF\n");
  REQUIRE(r);
  CHECK(r->name == "qemu-aarch64");
  CHECK(to_hex(r->magic) == kAarch64Magic);
  CHECK(r->flags == "OPF");
  auto other_delim = parse_register_line("|x|M||AB||/bin/x|F");
  REQUIRE(other_delim);
  CHECK(to_hex(other_delim->magic) == "4142");
}

TEST_CASE("a magic byte equal to the delimiter is escaped, never emitted raw") {
  auto r = rule("colon", "3a5c", "");
  auto line = build_register_line(r);
  REQUIRE(line);
  CHECK(line->find("\\x3a\\x5c") != std::string::npos);
  CHECK(parse_register_line(*line)->magic == r.magic);
}

TEST_CASE("invalid rules are refused with a reason") {
  auto r = rule("platformd-aarch64", kAarch64Magic, kAarch64Mask);
  for (const char* bad : {"", ".", "..", "register", "status", "a/b", "a:b", "a b"}) {
    auto x = r;
    x.name = bad;
    CHECK_FALSE(validate_rule(x));
  }
  auto longpath = r;
  longpath.interpreter = "/" + std::string(200, 'a');
  auto v = validate_rule(longpath);
  REQUIRE_FALSE(v);
  CHECK(v.error().message.find("127") != std::string::npos);
  auto relpath = r;
  relpath.interpreter = "qemu";
  CHECK_FALSE(validate_rule(relpath));
  auto mask = r;
  mask.mask.pop_back();
  CHECK_FALSE(validate_rule(mask));
  auto far = rule("far", "7f", "", 128);
  CHECK_FALSE(validate_rule(far));
  auto flags = r;
  flags.flags = "PFX";
  CHECK_FALSE(validate_rule(flags));
  CHECK_FALSE(parse_register_line(":a:M:0:\\x7g::/bin/x:F"));
  CHECK_FALSE(parse_register_line(":a:M"));
  CHECK_FALSE(parse_register_line(":a:M:x:\\x7f::/bin/x:F"));
}

TEST_CASE("entry files parse as the kernel prints them") {
  auto r = parse_entry_file(
      "qemu-aarch64",
      "enabled\ninterpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P\nflags: POF\noffset 0\n"
      "magic 7f454c460201010000000000000000000200b700\nmask ffffffffffffff00fffffffffffffffffeffffff\n");
  REQUIRE(r);
  CHECK(r->enabled);
  CHECK(r->flags == "POF");
  CHECK(to_hex(r->mask) == kAarch64Mask);
  auto d = parse_entry_file("x", "disabled\ninterpreter /bin/x\nflags: \noffset 0\nmagic 41\n");
  REQUIRE(d);
  CHECK_FALSE(d->enabled);
  CHECK(d->flags.empty());
  auto e = parse_entry_file("py", "enabled\ninterpreter /usr/bin/python3\nflags: \nextension .py\n");
  REQUIRE(e);
  CHECK(e->type == 'E');
  CHECK_FALSE(parse_entry_file("x", "garbage"));
  CHECK_FALSE(parse_entry_file("x", "enabled\ninterpreter /bin/x\nmagic 4\n"));
}

TEST_CASE("masked overlap: different masks for the same architecture still conflict") {
  auto qemu = rule("qemu-aarch64", kAarch64Magic, kAarch64Mask);
  // A tool that also checks the OSABI byte (mask ff at byte 7) still matches the same files.
  auto strict = rule("other", "7f454c460201010000000000000000000200b700", "ffffffffffffffffffffffffffffffffffffffff");
  CHECK(rules_overlap(qemu, strict));
  CHECK(rules_overlap(strict, qemu));
  auto x86 = rule("x86", kX86_64Magic, kX86_64Mask);
  CHECK_FALSE(rules_overlap(qemu, x86));
  // A short rule at an offset inside the other's range.
  auto e_machine = rule("m", "b700", "ffff", 18);
  CHECK(rules_overlap(qemu, e_machine));
  auto e_machine_x86 = rule("m", "3e00", "ffff", 18);
  CHECK_FALSE(rules_overlap(qemu, e_machine_x86));
  // A rule that only checks "\x7fELF" overlaps everything ELF.
  CHECK(rules_overlap(rule("elf", "7f454c46", ""), x86));
}

TEST_CASE("a handler for x86_64 matches an x86_64 ELF header; aarch64's does not") {
  Bytes header = *from_hex("7f454c4602010100000000000000000002003e0001000000");
  CHECK(rule_matches(rule("x", kX86_64Magic, kX86_64Mask), header));
  CHECK_FALSE(rule_matches(rule("a", kAarch64Magic, kAarch64Mask), header));
  // PIE executables have e_type 3 (ET_DYN): the masks' 0xfe on byte 16 exists for them.
  Bytes pie = header;
  pie[16] = 3;
  CHECK(rule_matches(rule("x", kX86_64Magic, kX86_64Mask), pie));
  CHECK_FALSE(rule_matches(rule("x", kX86_64Magic, kX86_64Mask), Bytes(header.begin(), header.begin() + 10)));
  std::vector<NativeHeader> natives{{"/bin/sh", header}};
  CHECK(matches_native(rule("x", kX86_64Magic, kX86_64Mask), natives) == "/bin/sh");
  CHECK(matches_native(rule("a", kAarch64Magic, kAarch64Mask), natives).empty());
}

// Regressions found by fuzz_register_line and fuzz_entry_file (tests/fuzz/regressions/): an
// extension ('E') rule is what the kernel registers (fs/binfmt_misc.c create_entry: the
// offset and mask fields are skipped, the extension is taken literally) and reads back from
// its entry file as "extension .EXT".
TEST_CASE("regression extension-rule-offset-lost-in-round-trip") {
  auto r = parse_register_line(":wine:E:3:exe::/usr/bin/wine:");
  REQUIRE(r);
  CHECK(r->type == 'E');
  CHECK(r->offset == 0);  // the kernel skips the field: parsed as it registers
  auto line = build_register_line(*r);
  REQUIRE(line);
  CHECK(*line == ":wine:E::exe::/usr/bin/wine:");
  auto again = parse_register_line(*line);
  REQUIRE(again);
  CHECK(again->magic == r->magic);
  CHECK(build_register_line(*again).value() == *line);
  // A rule built by hand with an offset the kernel would drop is refused, with the reason.
  auto built = *r;
  built.offset = 3;
  auto v = build_register_line(built);
  REQUIRE_FALSE(v);
  CHECK(v.error().message == "entry wine: an extension rule has no offset or mask (the kernel ignores them)");
}

TEST_CASE("regression extension-rule-too-long-once-escaped") {
  // A long extension is written literally (the kernel does not unescape it), so what parsed
  // within the kernel's 1920 bytes also builds within them.
  const std::string ext(1890, 'a');
  const std::string in = ":n:E::" + ext + "::/x:";
  auto r = parse_register_line(in);
  REQUIRE(r);
  CHECK(r->magic == Bytes(ext.begin(), ext.end()));
  auto line = build_register_line(*r);
  REQUIRE(line);
  CHECK(*line == in);
  // \x escapes are literal bytes in an extension, as in the kernel.
  auto lit = parse_register_line(":n:E::e\\x41e::/x:");
  REQUIRE(lit);
  CHECK(std::string(lit->magic.begin(), lit->magic.end()) == "e\\x41e");
  // What the kernel refuses, or what we could not write back on one line, is refused.
  CHECK_FALSE(parse_register_line(":n:E::a/b::/x:"));
  CHECK_FALSE(parse_register_line("|n|E||a:b||/x|"));
  CHECK_FALSE(parse_register_line(":n:E::::/x:"));
}

TEST_CASE("regression extension-offset-and-mask-kept-though-kernel-ignores-them") {
  auto r = parse_register_line(":wine:E:3:exe:abc:/usr/bin/wine:");
  REQUIRE(r);
  CHECK(r->offset == 0);
  CHECK(r->mask.empty());
  auto e = parse_entry_file("wine", "enabled\ninterpreter /usr/bin/wine\nflags: \nextension .exe\n");
  REQUIRE(e);
  CHECK(e->offset == 0);
  CHECK(e->mask.empty());
  CHECK(rules_overlap(*r, *e));
}

TEST_CASE("regression extension-reads-back-with-leading-dot") {
  // The kernel prints the extension after a dot that is not part of the rule.
  auto e = parse_entry_file("wine", "enabled\ninterpreter /usr/bin/wine\nflags: \nextension .exe\n");
  REQUIRE(e);
  CHECK(e->type == 'E');
  CHECK(std::string(e->magic.begin(), e->magic.end()) == "exe");
  auto reg = parse_register_line(":wine:E::exe::/usr/bin/wine:");
  REQUIRE(reg);
  CHECK(e->magic == reg->magic);
  CHECK(build_register_line(*e).value() == ":wine:E::exe::/usr/bin/wine:");
  CHECK_FALSE(parse_entry_file("wine", "enabled\ninterpreter /usr/bin/wine\nflags: \nextension exe\n"));
}

TEST_CASE("regression extension-entry-with-offset-line") {
  // The kernel never shows offset, magic or mask lines for an extension entry: such a file is
  // not what it printed, and is refused rather than read as a half magic rule.
  for (const char* extra : {"offset 4\n", "mask ff\n", "magic 41\n"}) {
    auto e = parse_entry_file("offset-rule",
                              std::string("enabled\ninterpreter /usr/bin/x\nflags: \n") + extra + "extension .exe\n");
    REQUIRE_FALSE(e);
    CHECK(e.error().message.find("binfmt entry offset-rule: an extension entry") == 0);
  }
  CHECK_FALSE(parse_entry_file("x", "enabled\ninterpreter /bin/x\noffset 4x\nmagic 41\n"));
}

TEST_CASE("entry names: the kernel's NAME_MAX, 255 bytes") {
  auto r = rule(std::string(255, 'n'), "7f", "");
  CHECK(validate_rule(r));
  r.name += 'n';
  auto v = validate_rule(r);
  REQUIRE_FALSE(v);
  CHECK(v.error().message == "binfmt_misc entry name is 256 bytes, the kernel allows 255");
}
