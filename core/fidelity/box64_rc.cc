#include "fidelity/box64_rc.h"

#include <fmt/format.h>

#include "exit_codes.h"
#include "untrusted_text.h"

namespace platformd {

namespace {

struct Block {
  std::size_t begin = std::string_view::npos;  // offset of the BEGIN line
  std::size_t end = 0;                         // offset just past the END line (and its newline)
};

// Offsets of every line that starts with `marker`.
std::vector<std::size_t> marker_lines(std::string_view text, std::string_view marker) {
  std::vector<std::size_t> out;
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    if (line.substr(0, marker.size()) == marker) out.push_back(pos);
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return out;
}

Result<Block> find_block(std::string_view text, std::string_view source) {
  auto b = marker_lines(text, kRcBegin);
  auto e = marker_lines(text, kRcEnd);
  Block blk;
  if (b.empty() && e.empty()) return blk;
  if (b.size() != 1 || e.size() != 1 || e[0] < b[0])
    return fail(exit_code::bad_config,
                "{}: platformd's block is damaged ({} '{}' and {} '{}' lines); fix or remove it by hand", source,
                b.size(), kRcBegin, e.size(), kRcEnd);
  blk.begin = b[0];
  std::size_t nl = text.find('\n', e[0]);
  blk.end = nl == std::string_view::npos ? text.size() : nl + 1;
  return blk;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

bool has_rc_block(std::string_view text) {
  return !marker_lines(text, kRcBegin).empty();
}

std::string render_rc_block(const std::map<std::string, std::string>& settings, std::string_view why) {
  std::string out =
      fmt::format("{}: {}; every program box64 runs gets them, BOINC's tasks among them.\n", kRcBegin, why);
  out += "# Written by platformd, removed by `platformctl disable` and by purging the package. Edits here are lost.\n";
  out += "[**]\n";
  for (const auto& [k, v] : settings) out += fmt::format("{}={}\n", k, v);
  out += fmt::format("{}\n", kRcEnd);
  return out;
}

Result<std::string> merge_rc_block(std::string_view existing, std::string_view block, std::string_view source) {
  auto blk = find_block(existing, source);
  if (!blk) return blk.error();
  std::string out;
  if (blk->begin == std::string_view::npos) {
    out = std::string(existing);
    if (!out.empty() && out.back() != '\n') out += '\n';
    if (!out.empty()) out += '\n';
    out += block;
    return out;
  }
  out = std::string(existing.substr(0, blk->begin));
  out += block;
  out += existing.substr(blk->end);
  return out;
}

Result<std::string> remove_rc_block(std::string_view existing, std::string_view source) {
  auto blk = find_block(existing, source);
  if (!blk) return blk.error();
  if (blk->begin == std::string_view::npos) return std::string(existing);
  std::string before(existing.substr(0, blk->begin));
  // The blank line merge_rc_block put before an appended block goes with it.
  if (before.size() >= 2 && before.compare(before.size() - 2, 2, "\n\n") == 0 && blk->end == existing.size())
    before.pop_back();
  else if (before == "\n" && blk->end == existing.size())
    before.clear();
  return before + std::string(existing.substr(blk->end));
}

std::vector<std::string> rc_interference(std::string_view text, const std::map<std::string, std::string>& settings) {
  std::vector<std::string> out;
  // The section the next key=value belongs to, as box64 reads the file: "" before any header;
  // after platformd's block, whose header is [**], its lines go on in [**] until a new header.
  std::string section;
  std::string where = "lines before any [section]";
  bool in_ours = false;
  for (std::string_view raw : split_lines(text)) {
    if (raw.substr(0, kRcBegin.size()) == kRcBegin) in_ours = true;
    if (raw.substr(0, kRcEnd.size()) == kRcEnd) {
      in_ours = false;
      section = "[**]";
      where = "[**] (lines right after platformd's block, with no [section] of their own)";
      continue;
    }
    if (in_ours) continue;
    std::string_view line = trim(raw.substr(0, raw.find('#')));  // box64 cuts comments at any '#'
    if (line.empty()) continue;
    if (line.front() == '[' && line.find(']') != std::string_view::npos) {
      section = std::string(line.substr(0, line.find(']') + 1));
      where = quote_untrusted(section);
      continue;
    }
    auto eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    // Which sections reach a BOINC task: [**] and [*text*] (every program whose name holds the
    // text, any app's among them), and lines before any header (taken as reaching every
    // program: not measured, so the safe reading). A [name] section is one program's.
    const bool reaches_tasks = section.empty() || (section.size() >= 3 && section[1] == '*');
    if (!reaches_tasks) continue;
    const std::string key(trim(line.substr(0, eq)));
    const std::string value(trim(line.substr(eq + 1)));
    auto it = settings.find(key);
    if (it != settings.end() ? it->second == value : kRcHarmlessKeys.count(key) > 0) continue;
    // The key, never the value: the value is the file's content (it may be another file's).
    out.push_back(fmt::format("{} sets {}", where, quote_untrusted(key)));
  }
  return out;
}

}  // namespace platformd
