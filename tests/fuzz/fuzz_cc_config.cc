// Fuzz target: the cc_config.xml editor (core/boinc/cc_config.h), which must keep every byte of the
// user's content and change only our <alt_platform> entries.
//
// Input: byte 0 chooses `want_ours` (bits 0-5: names from kNames; bit 6: reverse their order;
// bit 7: add a name that is not a BOINC platform name), byte 1 chooses `previously_ours`
// (bits 0-5), the rest is the XML text.
//
// Invariants:
//  - an invalid wanted name is a usage error; XML that read_cc_config rejects is a bad_config
//    error for the editor too; any other failure is bad_config (a refused layout), never a
//    crash or another code;
//  - unchanged means the text is the input, byte for byte;
//  - the new text reads back; its entries are the old ones minus `removed` plus `added`
//    (as multisets); every wanted name is listed; `owned` is sorted, unique and wanted;
//    <no_alt_platform> is unchanged;
//  - the user's content survives: with our <alt_platform> entries (and an <options> or
//    <cc_config> the edit had to create) taken out, both documents print the same (tinyxml2
//    walk), and both texts are equal once the tokens the edit may write and all whitespace
//    are deleted (byte check independent of tinyxml2);
//  - applying the same edit again (with `previously_ours` = the `owned` the first edit
//    returned, as the daemon stores it) changes nothing;
//  - what an edit added can be withdrawn again (`disable` after `enable`), and when the first
//    edit only added entries to an existing <options> (not a self-closing one), withdrawing
//    them gives back the input byte for byte.
#include <algorithm>
#include <map>
#include <memory>

#include <tinyxml2.h>

#include "boinc/cc_config.h"
#include "exit_codes.h"
#include "fuzz_util.h"

using namespace platformd;
using platformd_fuzz::shown;

namespace {

const std::vector<std::string> kNames = {"aarch64-unknown-linux-gnu", "arm-unknown-linux-gnueabihf",
                                         "i686-pc-linux-gnu",         "x86_64-pc-linux-gnu",
                                         "riscv64-unknown-linux-gnu", "a"};

std::vector<std::string> pick(std::uint8_t bits) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < kNames.size(); ++i)
    if (bits & (1u << i)) out.push_back(kNames[i]);
  return out;
}

std::map<std::string, int> names_of(const CcConfigView& v) {
  std::map<std::string, int> m;
  for (const auto& e : v.alt_platforms) ++m[e.name];
  return m;
}

std::string show_names(const std::map<std::string, int>& m) {
  std::string s;
  for (const auto& [n, c] : m) s += fmt::format("{}x{} ", c, n);
  return s;
}

// The document with our kind of content taken out: every <alt_platform> under an <options>
// of the root; in `created` mode also the <options> (or whole <cc_config>) an edit adds to a
// file that had none. Printed compactly; "" when the text does not parse.
std::string skeleton(std::string_view text, bool drop_created_root, bool drop_created_options) {
  tinyxml2::XMLDocument d(true, tinyxml2::PRESERVE_WHITESPACE);
  if (d.Parse(text.data(), text.size()) != tinyxml2::XML_SUCCESS && d.ErrorID() != tinyxml2::XML_ERROR_EMPTY_DOCUMENT)
    return "";
  tinyxml2::XMLElement* root = d.FirstChildElement("cc_config");
  if (root) {
    for (auto* o = root->FirstChildElement("options"); o; o = o->NextSiblingElement("options")) {
      for (auto* a = o->FirstChildElement("alt_platform"); a;) {
        auto* next = a->NextSiblingElement("alt_platform");
        o->DeleteChild(a);
        a = next;
      }
    }
    if (drop_created_root) {
      auto* o = root->FirstChildElement("options");
      FUZZ_CHECK(o && !o->FirstChild() && o == root->FirstChild() && !o->NextSibling(),
                 "the <cc_config> created for an empty file holds more than an <options> of ours");
      d.DeleteChild(root);
    } else if (drop_created_options) {
      auto* first = root->FirstChild();
      auto* o = first ? first->ToElement() : nullptr;
      FUZZ_CHECK(o && std::string_view(o->Name()) == "options" && !o->FirstChild(),
                 "the <options> created by the edit is not the first child of <cc_config>, or is not empty");
      root->DeleteChild(o);
    }
  }
  tinyxml2::XMLPrinter p(nullptr, true);
  d.Print(&p);
  return std::string(p.CStr(), p.CStrSize() > 0 ? p.CStrSize() - 1 : 0);
}

// The text with every token an edit may write or erase deleted, and every whitespace byte.
std::string residue(std::string_view text, const std::vector<std::string>& tokens) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    bool cut = false;
    for (const auto& t : tokens)
      if (text.compare(i, t.size(), t) == 0) {
        i += t.size();
        cut = true;
        break;
      }
    if (cut) continue;
    char c = text[i++];
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') out += c;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::uint8_t want_bits = data[0], prev_bits = data[1];
  const std::string_view xml = platformd_fuzz::as_text(data + 2, size - 2);
  std::vector<std::string> want = pick(want_bits & 0x3f), prev = pick(prev_bits & 0x3f);
  if (want_bits & 0x40) std::reverse(want.begin(), want.end());
  const bool bad_name = want_bits & 0x80;
  if (bad_name) want.insert(want.begin() + static_cast<long>(want.size() / 2), "not a platform");

  auto before = read_cc_config(xml, "cc_config.xml");
  auto edit = edit_alt_platforms(xml, "cc_config.xml", want, prev);
  if (bad_name) {
    FUZZ_CHECK(!edit && edit.error().code == exit_code::usage, "an invalid platform name was not a usage error");
    return 0;
  }
  if (!before) {
    FUZZ_CHECK(!edit, "the editor accepted XML that read_cc_config rejects ({})", before.error().message);
    FUZZ_CHECK(edit.error().code == exit_code::bad_config, "malformed XML gave code {}: {}", edit.error().code,
               edit.error().message);
    return 0;
  }
  if (!edit) {
    FUZZ_CHECK(edit.error().code == exit_code::bad_config, "refused edit has code {}: {}", edit.error().code,
               edit.error().message);
    return 0;
  }
  const CcConfigEdit& e = *edit;
  if (!e.changed) {
    FUZZ_CHECK(e.text == xml, "changed=false but the text differs");
    FUZZ_CHECK(e.added.empty() && e.removed.empty(), "changed=false but entries were added or removed");
  }

  auto after = read_cc_config(e.text, "cc_config.xml");
  FUZZ_CHECK(after.ok(), "the edited text does not read back: {}\n  text \"{}\"", after.error().message, shown(e.text));

  // Entries: old - removed + added.
  auto expect = names_of(*before);
  for (const auto& r : e.removed) {
    FUZZ_CHECK(expect[r] > 0, "removed {} that was not listed", r);
    --expect[r];
  }
  for (const auto& a : e.added) ++expect[a];
  std::erase_if(expect, [](const auto& kv) { return kv.second == 0; });
  FUZZ_CHECK(expect == names_of(*after), "entries after the edit are {} but should be {}\n  text \"{}\"",
             show_names(names_of(*after)), show_names(expect), shown(e.text));
  for (const auto& w : want) FUZZ_CHECK(names_of(*after).count(w), "wanted {} is not listed after the edit", w);
  FUZZ_CHECK(std::is_sorted(e.owned.begin(), e.owned.end()) &&
                 std::adjacent_find(e.owned.begin(), e.owned.end()) == e.owned.end(),
             "owned is not sorted and unique");
  for (const auto& o : e.owned)
    FUZZ_CHECK(std::find(want.begin(), want.end(), o) != want.end(), "owns {} that is not wanted", o);
  FUZZ_CHECK(after->no_alt_platform == before->no_alt_platform, "<no_alt_platform> changed");
  FUZZ_CHECK(after->has_cc_config == (before->has_cc_config || !e.added.empty()), "<cc_config> appeared or vanished");

  // What an addition had to create or open up: a whole <cc_config>, an <options>, or a
  // self-closing <options/> written out as a start and an end tag.
  const bool made_root = e.changed && !before->has_cc_config;
  bool made_options = false, opened_options = false;
  if (e.changed && !made_root && !e.added.empty()) {
    tinyxml2::XMLDocument d(true, tinyxml2::PRESERVE_WHITESPACE);
    d.Parse(xml.data(), xml.size());
    const tinyxml2::XMLElement* o = d.FirstChildElement("cc_config")->FirstChildElement("options");
    made_options = o == nullptr;
    opened_options = o && o->ClosingType() == tinyxml2::XMLElement::CLOSED;
  }
  // The user's content survives.
  if (e.changed) {
    const std::string s_before = skeleton(xml, false, false);
    const std::string s_after = skeleton(e.text, made_root, made_options);
    FUZZ_CHECK(s_before == s_after, "content other than our entries changed:\n  before \"{}\"\n  after  \"{}\"",
               shown(s_before), shown(s_after));

    std::vector<std::string> tokens = {"<cc_config>", "</cc_config>", "<cc_config/>", "<cc_config />",
                                       "<options>",   "</options>",   "<options/>",   "<options />"};
    for (const auto& n : e.added) tokens.push_back("<alt_platform>" + n + "</alt_platform>");
    for (const auto& n : e.removed) tokens.push_back("<alt_platform>" + n + "</alt_platform>");
    // Longest first, so a name that is a prefix of another cannot cut it short.
    std::sort(tokens.begin(), tokens.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
    const std::string r_before = residue(xml, tokens), r_after = residue(e.text, tokens);
    FUZZ_CHECK(r_before == r_after, "bytes other than our entries changed:\n  before \"{}\"\n  after  \"{}\"",
               shown(r_before), shown(r_after));
  }

  // Idempotent.
  auto again = edit_alt_platforms(e.text, "cc_config.xml", want, e.owned);
  FUZZ_CHECK(again.ok(), "the same edit applied again fails: {}\n  text \"{}\"", again.error().message, shown(e.text));
  FUZZ_CHECK(!again->changed && again->text == e.text && again->added.empty() && again->removed.empty(),
             "the same edit applied again changes the text (added {}, removed {})\n  first  \"{}\"\n  second \"{}\"",
             again->added.size(), again->removed.size(), shown(e.text), shown(again->text));
  FUZZ_CHECK(again->owned == e.owned, "the same edit applied again owns something else");

  // Undo. Only for an edit that added entries and owned nothing before, so that withdrawing
  // everything we own takes out exactly what it added.
  std::vector<std::string> added_sorted = e.added;
  std::sort(added_sorted.begin(), added_sorted.end());
  if (e.changed && e.removed.empty() && e.owned == added_sorted) {
    auto undo = edit_alt_platforms(e.text, "cc_config.xml", {}, e.owned);
    FUZZ_CHECK(undo.ok(), "entries we just added cannot be withdrawn: {}\n  input \"{}\"\n  edited \"{}\"",
               undo.error().message, shown(xml), shown(e.text));
    FUZZ_CHECK(undo->removed.size() == e.added.size() && undo->owned.empty(),
               "withdrawing removed {} of the {} entries we added", undo->removed.size(), e.added.size());
    if (!made_root && !made_options && !opened_options)
      FUZZ_CHECK(undo->text == xml,
                 "withdrawing what we added does not give the input back\n  input \"{}\"\n  back  \"{}\"", shown(xml),
                 shown(undo->text));
  }
  return 0;
}
