// cc_config.xml edits: only our <alt_platform> entries change, everything else byte for byte.
#include <doctest/doctest.h>

#include "boinc_test_data.h"

#include <fstream>
#include <sstream>

#include <tinyxml2.h>

#include "boinc/cc_config.h"
#include "exit_codes.h"

using namespace platformd;

namespace {

using namespace platformd::test;

CcConfigEdit edit_ok(std::string_view xml, const std::vector<std::string>& want, const std::vector<std::string>& prev) {
  auto r = edit_alt_platforms(xml, "cc_config.xml", want, prev);
  if (!r) FAIL(r.error().message);
  return *r;
}

// `text` with every line that equals `line` removed: what is left must be the original.
std::string without_lines(std::string text, const std::string& line) {
  for (auto p = text.find(line); p != std::string::npos; p = text.find(line)) text.erase(p, line.size());
  return text;
}

}  // namespace

TEST_CASE("Debian's default file: <options> is created, comment and log_flags untouched") {
  const std::string orig = data("cc_config_debian.xml");
  auto e = edit_ok(orig, {kAarch64}, {});
  CHECK(e.changed);
  CHECK(e.added == std::vector<std::string>{kAarch64});
  CHECK(e.owned == std::vector<std::string>{kAarch64});
  const std::string block = "  <options>\n    <alt_platform>" + kAarch64 + "</alt_platform>\n  </options>\n";
  CHECK(e.text.find("<cc_config>\n" + block + "  <log_flags>") != std::string::npos);
  CHECK(without_lines(e.text, block) == orig);

  // Withdrawing leaves the (now empty) <options> and nothing else of ours.
  auto back = edit_ok(e.text, {}, e.owned);
  CHECK(back.removed == std::vector<std::string>{kAarch64});
  CHECK(back.owned.empty());
  CHECK(back.text == without_lines(e.text, "    <alt_platform>" + kAarch64 + "</alt_platform>\n"));
  CHECK(back.text.find("alt_platform") == std::string::npos);
}

TEST_CASE("an <options> we created goes with our last entry: the file is given back byte for byte") {
  const std::string orig = data("cc_config_debian.xml");
  auto e = edit_ok(orig, {kAarch64}, {});
  CHECK(e.options_ours);  // created by this edit: the caller stores it
  auto back = edit_alt_platforms(e.text, "cc_config.xml", {}, e.owned, e.options_ours);
  REQUIRE(back);
  CHECK(back->removed == std::vector<std::string>{kAarch64});
  CHECK_FALSE(back->options_ours);
  CHECK(back->text == orig);

  // Kept while our entries stay; kept when something of the user's moved in.
  auto two = edit_alt_platforms(orig, "cc_config.xml", {kAarch64, kArmhf}, {}, false);
  REQUIRE(two);
  auto one = edit_alt_platforms(two->text, "cc_config.xml", {kArmhf}, two->owned, two->options_ours);
  REQUIRE(one);
  CHECK(one->options_ours);
  CHECK(one->text.find("<options>") != std::string::npos);
  std::string theirs = e.text;
  theirs.insert(theirs.find("</options>"), "<!-- mine -->\n  ");
  auto kept = edit_alt_platforms(theirs, "cc_config.xml", {}, e.owned, true);
  REQUIRE(kept);
  CHECK(kept->text.find("<options>") != std::string::npos);
  CHECK(kept->text.find("<!-- mine -->") != std::string::npos);
}

TEST_CASE("the user's own empty <options> stays when our entries go") {
  const std::string orig = "<cc_config>\n  <options>\n  </options>\n</cc_config>\n";
  auto e = edit_ok(orig, {kAarch64}, {});
  CHECK_FALSE(e.options_ours);
  auto back = edit_alt_platforms(e.text, "cc_config.xml", {}, e.owned, e.options_ours);
  REQUIRE(back);
  CHECK(back->text == orig);
}

TEST_CASE("a hand-written file: everything but our line survives byte for byte") {
  const std::string orig = data("cc_config_user.xml");
  auto e = edit_ok(orig, {kAarch64, kArmhf}, {});
  const std::string ours =
      "\t\t<alt_platform>" + kAarch64 + "</alt_platform>\n\t\t<alt_platform>" + kArmhf + "</alt_platform>\n";
  // New lines go right after <options>, indented like the first child (tabs here).
  CHECK(e.text.find("\t<options>\n" + ours + "\t\t<alt_platform>i686") != std::string::npos);
  CHECK(without_lines(e.text, ours) == orig);
  REQUIRE(e.user_entries.size() == 1);
  CHECK(e.user_entries[0].name == "i686-pc-linux-gnu");
  CHECK(e.user_entries[0].line == 9);

  // Remove one, keep the other; then remove the other: back to the original bytes.
  auto one = edit_ok(e.text, {kArmhf}, e.owned);
  CHECK(one.removed == std::vector<std::string>{kAarch64});
  CHECK(one.owned == std::vector<std::string>{kArmhf});
  auto none = edit_ok(one.text, {}, one.owned);
  CHECK(none.text == orig);
}

TEST_CASE("no change, no write: same platforms give the same text and changed=false") {
  const std::string orig = data("cc_config_user.xml");
  auto e = edit_ok(orig, {kAarch64}, {});
  auto again = edit_ok(e.text, {kAarch64}, e.owned);
  CHECK_FALSE(again.changed);
  CHECK(again.text == e.text);
  CHECK(again.added.empty());
  CHECK(again.removed.empty());
  CHECK(again.owned == std::vector<std::string>{kAarch64});
}

TEST_CASE("the user's entry stays the user's, even when it names a platform we manage") {
  const std::string orig =
      "<cc_config>\n  <options>\n    <alt_platform>" + kAarch64 + "</alt_platform>\n  </options>\n</cc_config>\n";
  auto e = edit_ok(orig, {kAarch64}, {});
  CHECK_FALSE(e.changed);
  CHECK(e.owned.empty());
  CHECK(e.user_entries.size() == 1);
  CHECK_FALSE(e.notes.empty());
  // Withdrawing our platform never touches it.
  auto w = edit_ok(orig, {}, {});
  CHECK_FALSE(w.changed);
  CHECK(w.text == orig);
}

TEST_CASE("duplicate name: ours (on its own line) goes, the user's copy stays") {
  const std::string orig = "<cc_config>\n  <options>\n    <alt_platform>" + kAarch64 +
                           "</alt_platform>\n    <max_file_xfers>2</max_file_xfers><alt_platform> " + kAarch64 +
                           " </alt_platform>\n  </options>\n</cc_config>\n";
  auto e = edit_ok(orig, {}, {kAarch64});
  CHECK(e.removed == std::vector<std::string>{kAarch64});
  CHECK(e.text == "<cc_config>\n  <options>\n    <max_file_xfers>2</max_file_xfers><alt_platform> " + kAarch64 +
                      " </alt_platform>\n  </options>\n</cc_config>\n");
  REQUIRE(e.user_entries.size() == 1);
  CHECK(e.user_entries[0].line == 4);
}

TEST_CASE("an entry of ours removed by hand is no longer ours, and is added back if wanted") {
  const std::string orig = "<cc_config>\n  <options>\n  </options>\n</cc_config>\n";
  auto gone = edit_ok(orig, {}, {kAarch64});
  CHECK_FALSE(gone.changed);
  CHECK(gone.owned.empty());
  REQUIRE(gone.notes.size() == 1);
  CHECK(gone.notes[0].find("removed by hand") != std::string::npos);
  auto back = edit_ok(orig, {kAarch64}, {kAarch64});
  CHECK(back.added == std::vector<std::string>{kAarch64});
  CHECK(back.text ==
        "<cc_config>\n  <options>\n    <alt_platform>" + kAarch64 + "</alt_platform>\n  </options>\n</cc_config>\n");
}

TEST_CASE("malformed XML: bad_config, names the file and tinyxml2's line") {
  const std::string bad = "<cc_config>\n  <options>\n    <alt_platform>x</alt_platform>\n</cc_config>\n";
  auto r = edit_alt_platforms(bad, "/etc/boinc-client/cc_config.xml", {kAarch64}, {});
  REQUIRE_FALSE(r);
  CHECK(r.error().code == exit_code::bad_config);
  CHECK(r.error().message.find("/etc/boinc-client/cc_config.xml:2:") == 0);
  CHECK(r.error().message.find("XML_ERROR_MISMATCHED_ELEMENT") != std::string::npos);
  auto v = read_cc_config(bad, "f.xml");
  CHECK_FALSE(v);
  CHECK(edit_alt_platforms("<cc_config>\n</cc_config>\ntrailing", "f.xml", {}, {}).error().code ==
        exit_code::bad_config);
  CHECK(edit_alt_platforms(std::string("<cc_config>\0</cc_config>", 24), "f.xml", {}, {}).error().code ==
        exit_code::bad_config);
}

TEST_CASE("root element: must be a single <cc_config>") {
  auto other = edit_alt_platforms("<config>\n</config>\n", "f.xml", {kAarch64}, {});
  REQUIRE_FALSE(other);
  CHECK(other.error().code == exit_code::bad_config);
  CHECK(other.error().message.find("f.xml:1: top-level element is <config>") == 0);
  auto two = edit_alt_platforms("<cc_config/>\n<cc_config/>\n", "f.xml", {kAarch64}, {});
  REQUIRE_FALSE(two);
  CHECK(two.error().message.find("f.xml:2:") == 0);
}

TEST_CASE("empty, blank and comment-only files get a whole <cc_config>") {
  const std::string doc =
      "<cc_config>\n  <options>\n    <alt_platform>" + kAarch64 + "</alt_platform>\n  </options>\n</cc_config>\n";
  CHECK(edit_ok("", {kAarch64}, {}).text == doc);
  CHECK(edit_ok("\n\n", {kAarch64}, {}).text == "\n\n" + doc);
  CHECK(edit_ok("<!-- mine -->", {kAarch64}, {}).text == "<!-- mine -->\n" + doc);
  auto nothing = edit_ok("", {}, {});
  CHECK_FALSE(nothing.changed);
  CHECK(nothing.text.empty());
}

TEST_CASE("self-closing <cc_config/> and <options/>") {
  CHECK(edit_ok("<cc_config/>\n", {kAarch64}, {}).text ==
        "<cc_config>\n  <options>\n    <alt_platform>" + kAarch64 + "</alt_platform>\n  </options>\n</cc_config>\n");
  CHECK(edit_ok("<cc_config>\n  <options />\n</cc_config>\n", {kAarch64}, {}).text ==
        "<cc_config>\n  <options>\n    <alt_platform>" + kAarch64 + "</alt_platform>\n  </options>\n</cc_config>\n");
}

TEST_CASE("one-line files are edited in place, inline") {
  const std::string orig = "<cc_config><options><max_file_xfers>2</max_file_xfers></options></cc_config>";
  auto e = edit_ok(orig, {kAarch64}, {});
  CHECK(e.text == "<cc_config><options><alt_platform>" + kAarch64 +
                      "</alt_platform><max_file_xfers>2</max_file_xfers></options></cc_config>");
  auto back = edit_ok(e.text, {}, e.owned);
  CHECK(back.text == orig);
  CHECK(edit_ok("<cc_config><log_flags/></cc_config>", {kAarch64}, {}).text ==
        "<cc_config><options><alt_platform>" + kAarch64 + "</alt_platform></options><log_flags/></cc_config>");
}

TEST_CASE("CRLF files get CRLF lines") {
  const std::string orig =
      "<cc_config>\r\n  <options>\r\n    <use_all_gpus>1</use_all_gpus>\r\n  </options>\r\n</cc_config>\r\n";
  auto e = edit_ok(orig, {kAarch64}, {});
  CHECK(e.text == "<cc_config>\r\n  <options>\r\n    <alt_platform>" + kAarch64 +
                      "</alt_platform>\r\n    <use_all_gpus>1</use_all_gpus>\r\n  </options>\r\n</cc_config>\r\n");
  CHECK(edit_ok(e.text, {}, e.owned).text == orig);
}

TEST_CASE("an edit that cannot be placed exactly is refused, not approximated") {
  // A start tag with attributes: the entry would go inside a tag we do not write.
  auto attr = edit_alt_platforms("<cc_config><options a=\"1\"></options></cc_config>\n", "f.xml", {kAarch64}, {});
  REQUIRE_FALSE(attr);
  CHECK(attr.error().message.find("f.xml:1: cannot add") == 0);
  auto attr_closed = edit_alt_platforms("<cc_config>\n<options a='1'/>\n</cc_config>\n", "f.xml", {kAarch64}, {});
  REQUIRE_FALSE(attr_closed);
  CHECK(attr_closed.error().message.find("f.xml:2: cannot add") == 0);
  // Two entries of ours on one line, one written with spaces: which copy is ours is unclear.
  auto spaced = edit_alt_platforms("<cc_config><options><alt_platform> " + kAarch64 + " </alt_platform><alt_platform>" +
                                       kAarch64 + "</alt_platform></options></cc_config>\n",
                                   "f.xml", {}, {kAarch64});
  REQUIRE_FALSE(spaced);
  CHECK(spaced.error().code == exit_code::bad_config);
  // Our entry split over lines (someone reformatted it): refused with the line to fix.
  auto split = edit_alt_platforms(
      "<cc_config>\n<options>\n<alt_platform>\n" + kAarch64 + "\n</alt_platform>\n</options>\n</cc_config>\n", "f.xml",
      {}, {kAarch64});
  REQUIRE_FALSE(split);
  CHECK(split.error().message.find("f.xml:3:") == 0);
}

TEST_CASE("<no_alt_platform> is reported and kept") {
  const std::string orig =
      "<cc_config>\n  <options>\n    <no_alt_platform>1</no_alt_platform>\n  </options>\n</cc_config>\n";
  auto e = edit_ok(orig, {kAarch64}, {});
  CHECK(e.no_alt_platform);
  CHECK(e.text.find("<no_alt_platform>1</no_alt_platform>") != std::string::npos);
  auto v = read_cc_config(orig, "f.xml");
  REQUIRE(v);
  CHECK(v->no_alt_platform);
  CHECK(v->no_alt_platform_line == 3);
  CHECK_FALSE(read_cc_config("<cc_config><options><no_alt_platform>0</no_alt_platform></options></cc_config>", "f")
                  ->no_alt_platform);
  CHECK(read_cc_config("<cc_config><options><no_alt_platform/></options></cc_config>", "f")->no_alt_platform);
}

TEST_CASE("read_cc_config lists entries of every <options>, trimmed, with lines") {
  auto v = read_cc_config(
      "<cc_config>\n<options>\n<alt_platform> a "
      "</alt_platform>\n</options>\n<options><alt_platform>b</alt_platform></options>\n</cc_config>\n",
      "f");
  REQUIRE(v);
  REQUIRE(v->alt_platforms.size() == 2);
  CHECK(v->alt_platforms[0].name == "a");
  CHECK(v->alt_platforms[0].line == 3);
  CHECK(v->alt_platforms[1].name == "b");
  CHECK(v->alt_platforms[1].line == 5);
  CHECK_FALSE(read_cc_config("", "f")->has_cc_config);
}

TEST_CASE("platform names are validated") {
  CHECK(valid_boinc_platform_name(kAarch64));
  CHECK(valid_boinc_platform_name("windows_x86_64"));
  CHECK_FALSE(valid_boinc_platform_name(""));
  CHECK_FALSE(valid_boinc_platform_name("a b"));
  CHECK_FALSE(valid_boinc_platform_name("x</alt_platform><y>"));
  auto r = edit_alt_platforms("<cc_config/>", "f", {"bad name"}, {});
  REQUIRE_FALSE(r);
  CHECK(r.error().code == exit_code::usage);
}

TEST_CASE("a UTF-8 byte order mark stays") {
  const std::string orig = "\xEF\xBB\xBF<cc_config>\n  <options>\n  </options>\n</cc_config>\n";
  auto e = edit_ok(orig, {kAarch64}, {});
  CHECK(e.text.rfind("\xEF\xBB\xBF<cc_config>\n  <options>\n    <alt_platform>", 0) == 0);
  CHECK(edit_ok(e.text, {}, e.owned).text == orig);
}

// Why edits are splices (docs/tinyxml2.md): tinyxml2's own printer does not give the user's
// bytes back, in either whitespace mode or with entity processing off.
TEST_CASE("tinyxml2 alone does not round-trip a hand-written cc_config.xml") {
  const std::string orig = data("cc_config_user.xml");
  for (bool entities : {true, false}) {
    for (auto ws : {tinyxml2::PRESERVE_WHITESPACE, tinyxml2::COLLAPSE_WHITESPACE}) {
      tinyxml2::XMLDocument d(entities, ws);
      REQUIRE(d.Parse(orig.data(), orig.size()) == tinyxml2::XML_SUCCESS);
      tinyxml2::XMLPrinter p;
      d.Print(&p);
      const std::string out = p.CStr();
      CHECK(out != orig);
      // Kept: the declaration, comments, unknown elements and their order.
      CHECK(out.find("<?xml version=\"1.0\" encoding=\"UTF-8\"?>") == 0);
      CHECK(out.find("<!-- Written by hand. Keep this comment, its   spacing, and the order below. -->") !=
            std::string::npos);
      CHECK(out.find("<some_future_option>keep me</some_future_option>") != std::string::npos);
      CHECK(out.find("<max_file_xfers>") < out.find("<some_future_option>"));
      // Lost: indentation (tabs become 4 spaces), a comment's place at the end of a line, the
      // quote style, <a></a>, the space in <a />, one-line nesting.
      CHECK(out.find("\t") == std::string::npos);
      CHECK(out.find("</task>   <!--") == std::string::npos);
      CHECK(out.find("attr=\"single\"") != std::string::npos);
      CHECK(out.find("<empty_tag/>") != std::string::npos);
      CHECK(out.find("<self_closed/>") != std::string::npos);
      CHECK(out.find("<unknown_section><x>") == std::string::npos);
      // Entities: with processing on, &quot; and &#65; come back as " and A.
      CHECK((out.find("&quot;q&quot; &#65;") != std::string::npos) == !entities);
    }
  }
}

// Regression (fuzz: regressions/cc_config/
// withdraw-refused-when-a-comment-before-it-on-the-line-repeats-the-entry): the entry we
// added to a line that also holds a comment repeating it could not be withdrawn, because the
// splice took the copy inside the comment (the re-parse check then refused the edit). The
// entry is now found among the line's real tags, so the comment stays byte for byte.
TEST_CASE("regression withdraw-refused-when-a-comment-before-it-on-the-line-repeats-the-entry") {
  const std::string orig = "<cc_config><!-- <alt_platform>a</alt_platform> --><options/></cc_config>\n";
  auto added = edit_ok(orig, {"a"}, {});
  CHECK(added.text ==
        "<cc_config><!-- <alt_platform>a</alt_platform> --><options><alt_platform>a</alt_platform>"
        "</options></cc_config>\n");
  auto back = edit_ok(added.text, {}, added.owned);
  CHECK(back.removed == std::vector<std::string>{"a"});
  CHECK(back.text == "<cc_config><!-- <alt_platform>a</alt_platform> --><options></options></cc_config>\n");

  // The same with the comment inside <options>, right before our entry, and an added entry
  // next to a comment that repeats the <options> start tag.
  const std::string tricky = "<cc_config><options><!-- <alt_platform>" + kAarch64 +
                             "</alt_platform> --><alt_platform>" + kAarch64 + "</alt_platform></options></cc_config>\n";
  auto r = edit_ok(tricky, {}, {kAarch64});
  CHECK(r.text == "<cc_config><options><!-- <alt_platform>" + kAarch64 + "</alt_platform> --></options></cc_config>\n");
  const std::string commented = "<cc_config><!-- <options> --><options></options></cc_config>\n";
  auto e = edit_ok(commented, {kAarch64}, {});
  CHECK(e.text ==
        "<cc_config><!-- <options> --><options><alt_platform>" + kAarch64 + "</alt_platform></options></cc_config>\n");
  CHECK(edit_ok(e.text, {}, e.owned).text == commented);
  // Copies in CDATA sections and attribute values are not tags either.
  const std::string cdata = "<cc_config><options><x a=\"<alt_platform>" + kAarch64 +
                            "</alt_platform>\"/><![CDATA[<alt_platform>" + kAarch64 +
                            "</alt_platform>]]><alt_platform>" + kAarch64 + "</alt_platform></options></cc_config>";
  auto c = edit_ok(cdata, {}, {kAarch64});
  CHECK(c.text == "<cc_config><options><x a=\"<alt_platform>" + kAarch64 +
                      "</alt_platform>\"/><![CDATA[<alt_platform>" + kAarch64 +
                      "</alt_platform>]]></options></cc_config>");
}

// docs/bad-input.md, cc_config.xml "non-UTF-8 bytes": tinyxml2 does not check the encoding
// and the text is never re-encoded, so Latin-1 (or any) bytes outside our entries stay.
TEST_CASE("bad input: non-UTF-8 bytes in comments and text are kept byte for byte") {
  const std::string orig =
      "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<!-- r\xe9glages \xff\xfe -->\n"
      "<cc_config>\n  <options>\n    <proxy_user>J\xfcrgen</proxy_user>\n  </options>\n"
      "</cc_config>\n";
  auto e = edit_ok(orig, {kAarch64}, {});
  CHECK(e.changed);
  CHECK(without_lines(e.text, "    <alt_platform>" + kAarch64 + "</alt_platform>\n") == orig);
  CHECK(edit_ok(e.text, {}, e.owned).text == orig);
}

// docs/bad-input.md, cc_config.xml "10 MB file": edited by splices like any other, everything
// else kept, in linear time (Machine::read_file refuses files above 16 MiB; boinc_sync_test).
TEST_CASE("bad input: a 10 MB cc_config.xml is edited, every other byte kept") {
  std::string orig = "<cc_config>\n  <options>\n    <max_file_xfers>2</max_file_xfers>\n  </options>\n";
  const std::string filler =
      "  <!-- padding padding padding padding padding padding padding -->\n"
      "  <unknown_tag attr=\"1\">text &amp; more</unknown_tag>\n";
  while (orig.size() < (10u << 20)) orig += filler;
  orig += "</cc_config>\n";
  auto e = edit_ok(orig, {kAarch64, kArmhf}, {});
  CHECK(e.added.size() == 2);
  std::string back = without_lines(e.text, "    <alt_platform>" + kAarch64 + "</alt_platform>\n");
  back = without_lines(back, "    <alt_platform>" + kArmhf + "</alt_platform>\n");
  CHECK(back == orig);
  CHECK(edit_ok(e.text, {}, e.owned).text == orig);
}

// Regression (fuzz: regressions/cc_config/withdraw-refused-when-a-stray-end-tag-ends-the-document,
// found by the CI-length run after the comment fix above): tinyxml2 stops parsing at an end
// tag outside every element and ignores the rest, so an <alt_platform> after it is no entry.
// The tag scan counted it as one, saw two candidates for our one entry, and refused to
// withdraw what it had just added. The scan now stops where tinyxml2 stops.
TEST_CASE("regression withdraw-refused-when-a-stray-end-tag-ends-the-document") {
  const std::string orig = "<cc_config/></x><alt_platform>a</alt_platform>\n";
  auto view = read_cc_config(orig, "f.xml");
  REQUIRE(view);
  CHECK(view->alt_platforms.empty());  // what tinyxml2 (and so the editor) sees
  auto added = edit_ok(orig, {"a"}, {});
  CHECK(added.text ==
        "<cc_config><options><alt_platform>a</alt_platform></options></cc_config></x><alt_platform>a</alt_platform>\n");
  auto back = edit_ok(added.text, {}, added.owned);
  CHECK(back.removed == std::vector<std::string>{"a"});
  CHECK(back.text == "<cc_config><options></options></cc_config></x><alt_platform>a</alt_platform>\n");
}

// Regression (fuzz: regressions/cc_config/withdraw-refused-when-a-user-entry-outside-options-
// shares-the-line): an <alt_platform> of the user's outside <options> (BOINC ignores it) on
// the same line as ours was taken for ours, so withdrawing ours was refused. Entries are now
// located by their place in the element tree, not by their text on the line.
TEST_CASE("regression withdraw-refused-when-a-user-entry-outside-options-shares-the-line") {
  const std::string orig = "<cc_config><alt_platform>a</alt_platform><options/></cc_config>\n";
  auto added = edit_ok(orig, {"a"}, {});
  CHECK(added.text ==
        "<cc_config><alt_platform>a</alt_platform><options><alt_platform>a</alt_platform></options></cc_config>\n");
  auto back = edit_ok(added.text, {}, added.owned);
  CHECK(back.text == "<cc_config><alt_platform>a</alt_platform><options></options></cc_config>\n");
  // Two <options> on one line: entries go into the first, the one the client reads first.
  const std::string two = "<cc_config><options></options><options></options></cc_config>\n";
  auto e = edit_ok(two, {kAarch64}, {});
  CHECK(e.text ==
        "<cc_config><options><alt_platform>" + kAarch64 + "</alt_platform></options><options></options></cc_config>\n");
  CHECK(edit_ok(e.text, {}, e.owned).text == two);
}

// Regression (fuzz: regressions/cc_config/withdraw-refused-when-a-stray-end-tag-has-space-after-
// the-angle): tinyxml2 skips whitespace after '<', so "< /x>" is an end tag (and, outside every
// element, the end of what it parses); the tag scan read it as a start tag and went on to count
// entries tinyxml2 never saw.
TEST_CASE("regression withdraw-refused-when-a-stray-end-tag-has-space-after-the-angle") {
  const std::string orig =
      "<cc_config/>< /x></y><cc_config><options><alt_platform>a</alt_platform></options></cc_config>\n";
  auto view = read_cc_config(orig, "f.xml");
  REQUIRE(view);
  CHECK(view->alt_platforms.empty());
  auto added = edit_ok(orig, {"a"}, {});
  auto back = edit_ok(added.text, {}, added.owned);
  CHECK(back.removed == std::vector<std::string>{"a"});
  CHECK(back.text ==
        "<cc_config><options></options></cc_config>< /x></y><cc_config><options><alt_platform>a</alt_platform>"
        "</options></cc_config>\n");
}

// Regression (fuzz: regressions/cc_config/withdraw-refused-when-an-end-tag-is-written-self-closing):
// tinyxml2 reads "</options/>" as an empty <options/> element, not as an end tag; the tag
// scan closed <options> there and lost count of the entries after it.
TEST_CASE("regression withdraw-refused-when-an-end-tag-is-written-self-closing") {
  const std::string orig = "<cc_config><options></options/><alt_platform>a</alt_platform></options></cc_config>\n";
  auto view = read_cc_config(orig, "f.xml");
  REQUIRE(view);
  REQUIRE(view->alt_platforms.size() == 1);  // tinyxml2 sees <alt_platform>a under <options>
  auto added = edit_ok(orig, {kAarch64}, {});
  auto back = edit_ok(added.text, {}, added.owned);
  CHECK(back.removed == std::vector<std::string>{kAarch64});
  CHECK(back.text == orig);
}
