// cc_config.xml edits by splicing: see cc_config.h for the promise and why.
#include "boinc/cc_config.h"

#include <algorithm>
#include <cctype>
#include <memory>
#include <optional>
#include <set>

#include <tinyxml2.h>

#include "exit_codes.h"

namespace platformd {

namespace {

using tinyxml2::XMLDocument;
using tinyxml2::XMLElement;
using tinyxml2::XMLNode;

constexpr std::string_view kWs = " \t\r\n";

std::string_view trim(std::string_view s) {
  auto b = s.find_first_not_of(kWs);
  if (b == std::string_view::npos) return {};
  auto e = s.find_last_not_of(kWs);
  return s.substr(b, e - b + 1);
}

std::string alt_platform_element(std::string_view name) {
  return fmt::format("<alt_platform>{}</alt_platform>", name);
}

// A parsed document. PRESERVE_WHITESPACE so that text such as " aarch64 " compares exactly
// when we check an edit; whitespace between elements is never a node in tinyxml2 anyway.
struct Parsed {
  std::unique_ptr<XMLDocument> doc;
  XMLElement* root = nullptr;  // <cc_config>, or null for an empty/comment-only file
};

Result<Parsed> parse(std::string_view xml, std::string_view source) {
  // tinyxml2 stops at a NUL byte, so content after one would be invisible to the checks.
  if (xml.find('\0') != std::string_view::npos)
    return fail(exit_code::bad_config, "{}: contains a NUL byte; not an XML text file", source);
  Parsed p;
  p.doc = std::make_unique<XMLDocument>(true, tinyxml2::PRESERVE_WHITESPACE);
  auto err = p.doc->Parse(xml.data(), xml.size());
  if (err == tinyxml2::XML_ERROR_EMPTY_DOCUMENT) return p;
  if (err != tinyxml2::XML_SUCCESS) {
    // ErrorStr() is "Error=NAME ErrorID=N (0xN) Line number=N[: detail]"; keep the detail only.
    std::string_view full = p.doc->ErrorStr() ? p.doc->ErrorStr() : "";
    std::string_view detail;
    if (auto c = full.find("Line number="); c != std::string_view::npos) {
      if (auto d = full.find(": ", c); d != std::string_view::npos) detail = full.substr(d + 2);
    }
    return fail(exit_code::bad_config, "{}:{}: malformed XML ({}{}{})", source, p.doc->ErrorLineNum(),
                p.doc->ErrorName(), detail.empty() ? "" : ": ", detail);
  }
  XMLElement* first = p.doc->FirstChildElement();
  if (!first) return p;
  if (XMLElement* second = first->NextSiblingElement())
    return fail(exit_code::bad_config, "{}:{}: second top-level element <{}>; expected one <cc_config>", source,
                second->GetLineNum(), second->Name());
  if (std::string_view(first->Name()) != "cc_config")
    return fail(exit_code::bad_config, "{}:{}: top-level element is <{}>, expected <cc_config>", source,
                first->GetLineNum(), first->Name());
  p.root = first;
  return p;
}

struct Located {
  XMLElement* el = nullptr;
  AltPlatformEntry entry;
};

// The <alt_platform> elements the client reads: children of any <options> under <cc_config>.
std::vector<Located> locate_entries(XMLElement* root) {
  std::vector<Located> out;
  if (!root) return out;
  for (XMLElement* o = root->FirstChildElement("options"); o; o = o->NextSiblingElement("options")) {
    for (XMLElement* a = o->FirstChildElement("alt_platform"); a; a = a->NextSiblingElement("alt_platform")) {
      const char* t = a->GetText();
      out.push_back({a, {std::string(trim(t ? t : "")), a->GetLineNum()}});
    }
  }
  return out;
}

// BOINC's parse_bool: <x/> and <x>N</x> with N != 0 are true.
std::optional<int> find_no_alt_platform(XMLElement* root) {
  if (!root) return std::nullopt;
  for (XMLElement* o = root->FirstChildElement("options"); o; o = o->NextSiblingElement("options")) {
    for (XMLElement* n = o->FirstChildElement("no_alt_platform"); n; n = n->NextSiblingElement("no_alt_platform")) {
      const char* t = n->GetText();
      std::string_view v = trim(t ? t : "");
      if (v.empty() || std::atoi(std::string(v).c_str()) != 0) return n->GetLineNum();
    }
  }
  return std::nullopt;
}

// The original text by line, as tinyxml2 numbers them (lines end at '\n').
class Lines {
 public:
  explicit Lines(std::string_view text) : text_(text) {
    starts_.push_back(0);
    for (std::size_t i = 0; i < text.size(); ++i)
      if (text[i] == '\n') starts_.push_back(i + 1);
  }
  std::size_t begin(int line) const { return starts_.at(line - 1); }
  // End of the line's content, before '\n'.
  std::size_t end(int line) const {
    return static_cast<std::size_t>(line) < starts_.size() ? starts_[line] - 1 : text_.size();
  }
  bool has_newline(int line) const { return static_cast<std::size_t>(line) < starts_.size(); }
  std::string_view content(int line) const { return text_.substr(begin(line), end(line) - begin(line)); }
  std::string indent(int line) const {
    auto c = content(line);
    return std::string(c.substr(0, c.find_first_not_of(" \t")));
  }
  std::string eol(int line) const {
    auto c = content(line);
    return (!c.empty() && c.back() == '\r') ? "\r\n" : "\n";
  }
  bool valid(int line) const { return line >= 1 && static_cast<std::size_t>(line) <= starts_.size(); }

 private:
  std::string_view text_;
  std::vector<std::size_t> starts_;
};

// Where the elements the editor touches start in the original text: every <alt_platform>
// child of an <options> child of the root (what locate_entries finds, in the same order), the
// root's start tag and its first <options> child. The text is scanned as tinyxml2 reads it:
// comments, CDATA sections, declarations, DOCTYPEs and processing instructions are skipped
// (to "-->", "]]>", ">" and "?>"), and quoted attribute values inside a tag too, so a copy of
// a tag ("<!-- <alt_platform>x</alt_platform> -->") is never taken for the tag; and the scan
// ends where tinyxml2's parse ends, at an end tag outside every element (tinyxml2 ignores the
// rest of such a text). Only used on text tinyxml2 has accepted, so elements nest properly.
// (Fuzzers found each of these: a comment repeating our entry on its line, a stray end tag,
// a user's <alt_platform> outside <options> on the same line as ours.)
struct Markup {
  std::vector<std::size_t> entries;
  std::optional<std::size_t> root;
  std::optional<std::size_t> options;
};

// tinyxml2's XMLUtil::IsWhiteSpace and IsNameChar, for the bytes that can occur in a text it
// accepted (every byte from 0x80 up counts as a name character, as in tinyxml2).
bool xml_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}
bool xml_name_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u >= 0x80 || std::isalnum(u) || c == ':' || c == '_' || c == '.' || c == '-';
}

Markup scan_markup(std::string_view t) {
  constexpr auto npos = std::string_view::npos;
  // What is not an element, in the order tinyxml2 tells them apart, and where each ends.
  static constexpr std::pair<std::string_view, std::string_view> kNotElements[] = {
      {"<?", "?>"}, {"<!--", "-->"}, {"<![CDATA[", "]]>"}, {"<!", ">"}};
  Markup m;
  std::vector<std::string_view> open;  // the elements the scan is inside, outermost first
  for (std::size_t i = t.find('<'); i != npos; i = t.find('<', i)) {
    const std::string_view rest = t.substr(i);
    auto skipped = std::find_if(std::begin(kNotElements), std::end(kNotElements),
                                [&](const auto& k) { return rest.starts_with(k.first); });
    if (skipped != std::end(kNotElements)) {
      const auto e = t.find(skipped->second, i + skipped->first.size());
      i = e == npos ? t.size() : e + skipped->second.size();
      continue;
    }
    // tinyxml2 skips whitespace after '<': "< /x>" is an end tag, "< x>" a start tag.
    std::size_t n = i + 1;
    while (n < t.size() && xml_space(t[n])) ++n;
    const bool slash = n < t.size() && t[n] == '/';
    if (slash) ++n;
    std::size_t name_end = n;
    while (name_end < t.size() && xml_name_char(t[name_end])) ++name_end;
    const std::string_view name = t.substr(n, name_end - n);
    std::size_t j = name_end;  // to the tag's '>', outside quoted attribute values
    for (char quote = 0; j < t.size(); ++j) {
      const char c = t[j];
      if (quote) {
        if (c == quote) quote = 0;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '>') {
        break;
      }
    }
    // "/>" makes any tag an empty element, in tinyxml2 even "</x/>".
    const bool self_closing = j < t.size() && j > name_end && t[j - 1] == '/';
    if (slash && !self_closing) {
      if (open.empty()) break;
      open.pop_back();
    } else {
      const bool in_root = open.size() == 1 && open[0] == "cc_config";
      const bool in_options = open.size() == 2 && open[0] == "cc_config" && open[1] == "options";
      if (open.empty() && !m.root)
        m.root = i;
      else if (in_root && name == "options" && !m.options)
        m.options = i;
      else if (in_options && name == "alt_platform")
        m.entries.push_back(i);
      if (!self_closing) open.push_back(name);
    }
    i = j;
  }
  return m;
}

struct Splice {
  std::size_t pos = 0;
  std::size_t erase = 0;
  std::string insert;
};

Result<std::string> apply(std::string_view text, std::vector<Splice> splices, std::string_view source) {
  // At the same position an insertion goes before an erasure, so it is not erased with it.
  std::sort(splices.begin(), splices.end(),
            [](const Splice& a, const Splice& b) { return a.pos != b.pos ? a.pos < b.pos : a.erase < b.erase; });
  std::string out;
  std::size_t cursor = 0;
  for (const auto& s : splices) {
    if (s.pos < cursor)
      return fail(exit_code::bad_config, "{}: two edits overlap; edit the <alt_platform> entries by hand", source);
    out.append(text.substr(cursor, s.pos - cursor));
    out.append(s.insert);
    cursor = s.pos + s.erase;
  }
  out.append(text.substr(cursor));
  return out;
}

// Indentation for new children of `parent`: that of its first child when the child starts its
// own line; else the parent's plus one step (the step the parent itself is indented by, or two
// spaces as in Debian's default file).
std::string child_indent(const Lines& lines, const XMLElement* parent) {
  int pl = parent->GetLineNum();
  if (const XMLNode* c = parent->FirstChild(); c && c->GetLineNum() > pl && lines.valid(c->GetLineNum())) {
    auto content = lines.content(c->GetLineNum());
    auto ind = lines.indent(c->GetLineNum());
    if (content.size() > ind.size() && content[ind.size()] == '<') return ind;
  }
  std::string pi = lines.indent(pl);
  return pi + (pi.empty() ? std::string("  ") : pi);
}

std::string entry_lines(const std::vector<std::string>& names, const std::string& indent, const std::string& eol) {
  std::string s;
  for (const auto& n : names) s += indent + alt_platform_element(n) + eol;
  return s;
}

std::string entry_inline(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += alt_platform_element(n);
  return s;
}

// The splice that puts `body_lines` (whole lines, after the start tag's line) or, when the
// start tag shares its line with other content, `body_inline` right after the start tag.
// `tag` is "options" or "cc_config"; a self-closing <tag/> becomes <tag>...</tag>.
Result<Splice> insert_into(std::string_view xml, const Lines& lines, std::optional<std::size_t> start,
                           const XMLElement* el, std::string_view tag, const std::string& body_lines,
                           const std::string& body_inline, std::string_view source) {
  const int l = el->GetLineNum();
  if (!lines.valid(l) || !start || *start < lines.begin(l) || *start > lines.end(l))
    return fail(exit_code::bad_config, "{}:{}: cannot locate <{}>", source, l, tag);
  const auto line = lines.content(l);
  const std::size_t lb = lines.begin(l);
  const std::string eol = lines.eol(l);
  auto refuse = [&](std::string_view why) -> Error {
    return fail(exit_code::bad_config,
                "{}:{}: cannot add an <alt_platform> without rewriting your text ({}); write it as <{}> and try "
                "again; nothing was changed",
                source, l, why, tag);
  };

  if (el->ClosingType() == XMLElement::CLOSED) {
    const std::string a = fmt::format("<{}/>", tag), b = fmt::format("<{} />", tag);
    const std::string& t = xml.compare(*start, a.size(), a) == 0 ? a : b;
    if (xml.compare(*start, t.size(), t) != 0)
      return refuse(fmt::format("<{}/> has attributes or is written another way", tag));
    Splice s{*start, t.size(), {}};
    if (trim(line) == t && lines.has_newline(l))
      s.insert = fmt::format("<{}>{}{}{}</{}>", tag, eol, body_lines, lines.indent(l), tag);
    else
      s.insert = fmt::format("<{}>{}</{}>", tag, body_inline, tag);
    return s;
  }

  const std::string open = fmt::format("<{}>", tag);
  if (xml.compare(*start, open.size(), open) != 0)
    return refuse(fmt::format("the start tag is not written as {}", open));
  const std::size_t after = *start - lb + open.size();
  if (trim(line.substr(after)).empty() && lines.has_newline(l))
    return Splice{lines.end(l) + 1, 0, body_lines};  // whole lines after the start tag's line
  return Splice{lb + after, 0, body_inline};
}

std::string compact(const XMLDocument& d) {
  tinyxml2::XMLPrinter p(nullptr, true);
  d.Print(&p);
  return std::string(p.CStr(), p.CStrSize() > 0 ? p.CStrSize() - 1 : 0);
}

void add_entries(XMLDocument& d, XMLElement* options, const std::vector<std::string>& names) {
  XMLNode* after = nullptr;
  for (const auto& n : names) {
    XMLElement* e = d.NewElement("alt_platform");
    e->SetText(n.c_str());
    after = after ? options->InsertAfterChild(after, e) : options->InsertFirstChild(e);
  }
}

// Takes out the root's first <options> element when nothing but whitespace is inside it:
// with its whole lines when it has them to itself, else just the element. nullopt when it is
// not empty (a child, a comment, text) or not written as <options>...</options>. Checked like
// every edit: the result must parse to the same tree with that element deleted.
using NoEdit = std::optional<std::string>;
Result<std::optional<std::string>> drop_empty_options(const std::string& xml, std::string_view source) {
  auto parsed = parse(xml, source);
  if (!parsed) return parsed.error();
  XMLElement* options = parsed->root ? parsed->root->FirstChildElement("options") : nullptr;
  const Markup markup = scan_markup(xml);
  if (!options || !markup.options) return NoEdit{};
  const std::size_t start = *markup.options;
  constexpr std::string_view open = "<options>", close = "</options>";
  if (xml.compare(start, open.size(), open) != 0) return NoEdit{};
  const std::size_t inner = start + open.size();
  const std::size_t lt = xml.find('<', inner);
  if (lt == std::string::npos || xml.compare(lt, close.size(), close) != 0 ||
      !trim(std::string_view(xml).substr(inner, lt - inner)).empty())
    return NoEdit{};
  std::size_t from = start, to = lt + close.size();
  const std::size_t line_begin = start == 0 ? 0 : xml.rfind('\n', start - 1) + 1;  // npos + 1 == 0
  std::size_t line_end = xml.find('\n', to);
  if (line_end == std::string::npos) line_end = xml.size();
  if (xml.find_first_not_of(" \t", line_begin) == start &&
      trim(std::string_view(xml).substr(to, line_end - to)).empty()) {
    from = line_begin;
    to = line_end < xml.size() ? line_end + 1 : line_end;
  }
  std::string out = xml.substr(0, from) + xml.substr(to);
  auto after = parse(out, source);
  if (!after) return NoEdit{};
  parsed->root->DeleteChild(options);
  if (compact(*after->doc) != compact(*parsed->doc)) return NoEdit{};
  return std::optional<std::string>(std::move(out));
}

}  // namespace

bool valid_boinc_platform_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-' || c == '+';
  });
}

Result<CcConfigView> read_cc_config(std::string_view xml, std::string_view source_name) {
  auto p = parse(xml, source_name);
  if (!p) return p.error();
  CcConfigView v;
  v.has_cc_config = p->root != nullptr;
  for (auto& l : locate_entries(p->root)) v.alt_platforms.push_back(l.entry);
  if (auto n = find_no_alt_platform(p->root)) {
    v.no_alt_platform = true;
    v.no_alt_platform_line = *n;
  }
  return v;
}

Result<CcConfigEdit> edit_alt_platforms(std::string_view xml, std::string_view source_name,
                                        const std::vector<std::string>& want_ours,
                                        const std::vector<std::string>& previously_ours, bool options_ours) {
  std::vector<std::string> want;
  for (const auto& w : want_ours) {
    if (!valid_boinc_platform_name(w))
      return fail(exit_code::usage, "'{}' is not a BOINC platform name; {} left unchanged", w, source_name);
    if (std::find(want.begin(), want.end(), w) == want.end()) want.push_back(w);
  }

  auto parsed = parse(xml, source_name);
  if (!parsed) return parsed.error();
  XMLElement* root = parsed->root;
  const Lines lines(xml);
  const Markup markup = scan_markup(xml);
  const std::vector<Located> entries = locate_entries(root);

  CcConfigEdit out;
  out.text = std::string(xml);
  out.no_alt_platform = find_no_alt_platform(root).has_value();
  // Ours only while it exists: an <options> someone removed and wrote again is theirs.
  out.options_ours = options_ours && root && root->FirstChildElement("options");

  // Which entries are ours: one per previously owned name, preferring one written exactly as
  // we write it (a line of its own), since a user's copy of the same name is usually not.
  std::vector<bool> ours(entries.size(), false);
  std::set<std::string> prev(previously_ours.begin(), previously_ours.end());
  for (const auto& name : prev) {
    std::optional<std::size_t> pick;
    for (std::size_t i = 0; i < entries.size(); ++i) {
      if (entries[i].entry.name != name || ours[i]) continue;
      const bool canonical = trim(lines.content(entries[i].entry.line)) == alt_platform_element(name);
      if (!pick || (canonical && trim(lines.content(entries[*pick].entry.line)) != alt_platform_element(name)))
        pick = i;
    }
    if (pick)
      ours[*pick] = true;
    else
      out.notes.push_back(
          fmt::format("{} was added by platformd but is no longer in {} (removed by hand); it is not ours any more",
                      name, source_name));
  }

  std::vector<std::size_t> remove_idx;
  std::set<std::string> kept_ours;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (!ours[i]) {
      out.user_entries.push_back(entries[i].entry);
      continue;
    }
    if (std::find(want.begin(), want.end(), entries[i].entry.name) == want.end())
      remove_idx.push_back(i);
    else
      kept_ours.insert(entries[i].entry.name);
  }
  std::vector<std::string> add;
  for (const auto& w : want) {
    if (kept_ours.count(w)) continue;
    auto user = std::find_if(out.user_entries.begin(), out.user_entries.end(),
                             [&](const AltPlatformEntry& e) { return e.name == w; });
    if (user != out.user_entries.end()) {
      out.notes.push_back(
          fmt::format("{} is already listed by your own entry at {}:{}; left as yours", w, source_name, user->line));
      continue;
    }
    add.push_back(w);
  }
  for (auto i : remove_idx) out.removed.push_back(entries[i].entry.name);
  out.added = add;
  out.owned.assign(kept_ours.begin(), kept_ours.end());
  out.owned.insert(out.owned.end(), add.begin(), add.end());
  std::sort(out.owned.begin(), out.owned.end());
  if (remove_idx.empty() && add.empty()) return out;

  // The splices.
  std::vector<Splice> splices;
  for (auto i : remove_idx) {
    const auto& e = entries[i].entry;
    const std::string needle = alt_platform_element(e.name);
    const auto line = lines.content(e.line);
    if (trim(line) == needle) {
      splices.push_back(
          {lines.begin(e.line), lines.end(e.line) - lines.begin(e.line) + (lines.has_newline(e.line) ? 1 : 0), {}});
      continue;
    }
    // Shares its line with other content: splice at the element's own start tag.
    if (markup.entries.size() != entries.size() || xml.compare(markup.entries[i], needle.size(), needle) != 0)
      return fail(exit_code::bad_config,
                  "{}:{}: the entry for {} is not written as {}; remove it by hand; nothing was changed", source_name,
                  e.line, e.name, needle);
    splices.push_back({markup.entries[i], needle.size(), {}});
  }

  XMLElement* options = root ? root->FirstChildElement("options") : nullptr;
  if (!add.empty() && !options) out.options_ours = true;  // created below, for our entries
  if (!add.empty()) {
    if (options) {
      const std::string ind = child_indent(lines, options);
      auto s = insert_into(xml, lines, markup.options, options, "options",
                           entry_lines(add, ind, lines.eol(options->GetLineNum())), entry_inline(add), source_name);
      if (!s) return s.error();
      splices.push_back(*s);
    } else if (root) {
      const int rl = root->GetLineNum();
      const std::string eol = lines.eol(rl);
      const std::string ci = child_indent(lines, root);
      const std::string ri = lines.indent(rl);
      const std::string step =
          (ci.size() > ri.size() && ci.compare(0, ri.size(), ri) == 0) ? ci.substr(ri.size()) : "  ";
      const std::string block = ci + "<options>" + eol + entry_lines(add, ci + step, eol) + ci + "</options>" + eol;
      auto s = insert_into(xml, lines, markup.root, root, "cc_config", block,
                           "<options>" + entry_inline(add) + "</options>", source_name);
      if (!s) return s.error();
      splices.push_back(*s);
    } else {
      const std::string eol = xml.find("\r\n") != std::string_view::npos ? "\r\n" : "\n";
      std::string block = (!xml.empty() && xml.back() != '\n') ? eol : "";
      block += "<cc_config>" + eol + "  <options>" + eol + entry_lines(add, "    ", eol) + "  </options>" + eol +
               "</cc_config>" + eol;
      splices.push_back({xml.size(), 0, block});
    }
  }
  auto text = apply(xml, splices, source_name);
  if (!text) return text.error();

  // Check the splice did exactly the edit: the new text must parse to the original tree with
  // the same edit applied through the DOM. Anything else (a tag found inside a comment on the
  // same line, say) refuses rather than writes.
  auto after = parse(*text, source_name);
  auto expect = parse(xml, source_name);
  if (!after || !expect)
    return fail(exit_code::bad_config, "{}: the edit would not leave well-formed XML; nothing was changed",
                source_name);
  {
    XMLDocument& d = *expect->doc;
    auto ee = locate_entries(expect->root);
    for (auto i : remove_idx) ee[i].el->Parent()->DeleteChild(ee[i].el);
    if (!add.empty()) {
      XMLElement* r = expect->root;
      if (!r) {
        r = d.NewElement("cc_config");
        d.InsertEndChild(r);
      }
      XMLElement* o = r->FirstChildElement("options");
      if (!o) {
        o = d.NewElement("options");
        r->InsertFirstChild(o);
      }
      add_entries(d, o, add);
    }
  }
  if (compact(*after->doc) != compact(*expect->doc))
    return fail(exit_code::bad_config,
                "{}: cannot place the <alt_platform> edit without touching other content (is a tag repeated inside "
                "a comment on the same line?); nothing was changed",
                source_name);

  // Our last entries gone from an <options> we created: it goes too (issue 13).
  if (out.options_ours && add.empty() && !remove_idx.empty()) {
    auto dropped = drop_empty_options(*text, source_name);
    if (!dropped) return dropped.error();
    if (*dropped) {
      *text = std::move(**dropped);
      out.options_ours = false;
    }
  }
  out.text = std::move(*text);
  out.changed = true;
  return out;
}

}  // namespace platformd
