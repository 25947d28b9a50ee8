#include "boinc/rc_home.h"

#include <algorithm>
#include <set>

#include <sys/stat.h>

#include <fmt/format.h>

#include "exit_codes.h"
#include "fidelity/box64_rc.h"
#include "fidelity/translator.h"

namespace platformd {

namespace {

const TranslatorSpec* spec_serving(const State& s, const std::vector<TranslatorSpec>& specs, const std::string& arch) {
  auto rec = s.verified.find(arch);
  if (rec == s.verified.end()) return nullptr;
  const std::string& id = rec->second.translator_identity;
  const std::string path = identity_path(id);
  for (const auto& t : specs) {
    auto fp = t.platforms.find(arch);
    if (fp != t.platforms.end() && fp->second.path == path && !t.rcfile.file.empty()) return &t;
  }
  return nullptr;
}

bool listed(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

void add_once(std::vector<std::string>& v, const std::string& x) {
  if (!listed(v, x)) v.push_back(x);
  std::sort(v.begin(), v.end());
}

// The data directory's handle; refused when another user could put another directory in its
// place (DirHandle::swappable_because).
Result<DirHandle> home_dir(Machine& m, const fs::path& data_dir) {
  auto d = m.open_dir(data_dir);
  if (!d) return d.error();
  if (!d->swappable_because.empty())
    return fail(exit_code::refused, "{} could be replaced by another user ({}); not writing rc files there",
                data_dir.string(), d->swappable_because);
  return d;
}

// The rc file as read through the home's handle, refused unless it is one platformd may read
// and rewrite: one link (a hard link could make it another file, a root-only secret or a
// set-uid program, whose owner and mode a rewrite would keep), owned by root or the home's
// owner (the BOINC user), no set-id bits. The content is never quoted.
Result<void> check_rc_file(const FileRead& f, const DirHandle& d, const fs::path& shown) {
  if (f.links > 1)
    return fail(exit_code::refused,
                "{} has {} hard links, so it may be another file under this name; not reading or writing it (remove "
                "it, and platformd writes a new one)",
                shown.string(), f.links);
  if (f.own.uid != 0 && f.own.uid != d.owner)
    return fail(exit_code::refused, "{} is owned by uid {}, neither root nor the BOINC user (uid {}); not using it",
                shown.string(), f.own.uid, d.owner);
  if (f.own.mode & (S_ISUID | S_ISGID))
    return fail(exit_code::refused, "{} has set-id bits (mode {:o}); not using it", shown.string(), f.own.mode);
  return {};
}

// The rc file in the home, checked; nullopt when there is none.
Result<std::optional<FileRead>> read_rc_file(Machine& m, const DirHandle& d, const std::string& file) {
  auto cur = m.read_file_at(d, file, 1 << 20);
  if (!cur) return cur.error();
  if (*cur)
    if (auto ok = check_rc_file(**cur, d, d.path / file); !ok) return ok.error();
  return cur;
}

}  // namespace

std::string rc_block_for(const TranslatorSpec::RcFile& rc, const std::vector<std::string>& archs) {
  return render_rc_block(rc.settings, fmt::format("the settings {} {} verified with", fmt::join(archs, " and "),
                                                  archs.size() == 1 ? "was" : "were"));
}

std::vector<RcWant> wanted_rc_blocks(const State& s, const std::vector<TranslatorSpec>& specs) {
  std::map<std::string, RcWant> by_file;
  std::set<std::string> archs(s.enabled.begin(), s.enabled.end());
  archs.insert(s.withdrawing.begin(), s.withdrawing.end());
  for (const auto& arch : archs) {
    const TranslatorSpec* t = spec_serving(s, specs, arch);
    if (!t) continue;
    RcWant& w = by_file[t->rcfile.file];
    w.file = t->rcfile.file;
    for (const auto& [k, v] : t->rcfile.settings) w.settings[k] = v;
    add_once(w.archs, arch);
  }
  std::vector<RcWant> out;
  for (auto& [f, w] : by_file) out.push_back(std::move(w));
  return out;
}

namespace {

// The home's rc file, checked as rc_probe_text says: the block for `archs` could be written
// there and nothing else in it changes what box64 does for BOINC's tasks. Returns the file's
// text as read ("" when absent), so a caller needs no second read.
Result<std::string> checked_rc_text(Machine& m, const fs::path& data_dir, const TranslatorSpec::RcFile& rc,
                                    const std::string& block, std::string* shown) {
  auto d = home_dir(m, data_dir);
  if (!d) return d.error();
  auto cur = read_rc_file(m, *d, rc.file);
  if (!cur) return cur.error();
  *shown = (d->path / rc.file).string();
  std::string existing = *cur ? (*cur)->text : std::string();
  // The block must be writable there (its markers intact)...
  if (auto merged = merge_rc_block(existing, block, *shown); !merged) return merged.error();
  // ...and nothing else there may change what the verified box64 would do for BOINC's tasks.
  auto lines = rc_interference(existing, rc.settings);
  if (!lines.empty())
    return fail(exit_code::verify_failed,
                "{} also has settings that reach BOINC's tasks and change what box64 loads or computes ({}{}); the "
                "verified settings would not be the settings the tasks get: remove those lines, or put them in a "
                "[program] section of their own",
                *shown, fmt::join(lines.begin(), lines.begin() + std::min<std::size_t>(lines.size(), 3), "; "),
                lines.size() > 3 ? fmt::format("; {} more", lines.size() - 3) : std::string());
  return existing;
}

}  // namespace

Result<std::string> rc_probe_text(Machine& m, const std::optional<fs::path>& data_dir, const TranslatorSpec::RcFile& rc,
                                  const std::vector<std::string>& archs) {
  const std::string block = rc_block_for(rc, archs);
  if (!data_dir) return block;
  std::string shown;
  if (auto existing = checked_rc_text(m, *data_dir, rc, block, &shown); !existing) return existing.error();
  return block;
}

std::optional<std::string> rc_block_problem(Machine& m, const std::optional<fs::path>& data_dir, const RcWant& want) {
  if (!data_dir) return "there is no BOINC data directory to hold " + want.file;
  const TranslatorSpec::RcFile rc{want.file, want.settings};
  const std::string block = rc_block_for(rc, want.archs);
  std::string shown;
  auto existing = checked_rc_text(m, *data_dir, rc, block, &shown);
  if (!existing) return existing.error().message;
  if (existing->find(block) == std::string::npos)
    return fmt::format("{} does not hold platformd's block for {} (reconcile writes it)", shown,
                       fmt::join(want.archs, " and "));
  return std::nullopt;
}

Result<RcSyncReport> sync_rc_blocks(Machine& m, const std::optional<fs::path>& data_dir,
                                    const std::vector<RcWant>& want, State& s) {
  RcSyncReport rep;
  std::set<std::string> files(s.rc_files.begin(), s.rc_files.end());
  for (const auto& w : want) files.insert(w.file);
  if (files.empty()) return rep;
  if (!data_dir) {
    if (!want.empty())
      rep.warnings.push_back(fmt::format(
          "no BOINC data directory: the settings of {} could not be written to {} there, so BOINC's tasks would not "
          "get them",
          fmt::join(want.front().archs, " "), want.front().file));
    return rep;
  }
  auto d = home_dir(m, *data_dir);
  if (!d) return d.error();
  for (const auto& file : files) {
    auto wit = std::find_if(want.begin(), want.end(), [&](const RcWant& w) { return w.file == file; });
    const fs::path shown = d->path / file;
    auto cur = read_rc_file(m, *d, file);
    if (!cur) return cur.error();
    const bool exists = cur->has_value();
    const std::string old = exists ? (*cur)->text : std::string();
    if (wit != want.end()) {
      TranslatorSpec::RcFile rc{file, wit->settings};
      auto text = merge_rc_block(old, rc_block_for(rc, wit->archs), shown.string());
      if (!text) return text.error();
      for (const auto& c : rc_interference(old, wit->settings))
        rep.warnings.push_back(fmt::format(
            "{}: {}, which changes what box64 does for BOINC's tasks besides platformd's settings", shown.string(), c));
      if (*text != old || !exists) {
        // A new file: root's, readable by the tasks; an existing one keeps its owner and mode.
        FileOwnership own = exists ? (*cur)->own : FileOwnership{0, 0, 0644};
        if (auto r = m.replace_file_at(*d, file, *text, own, exists ? std::optional<std::string>(old) : std::nullopt);
            !r)
          return r.error();
        if (!exists) add_once(s.rc_created, file);
        rep.lines.push_back(fmt::format("{}: wrote platformd's block with the settings {} {} verified with",
                                        shown.string(), fmt::join(wit->archs, " and "),
                                        wit->archs.size() == 1 ? "was" : "were"));
      }
      add_once(s.rc_files, file);
      continue;
    }
    // No platform needs this file's block any more.
    if (exists && has_rc_block(old)) {
      auto text = remove_rc_block(old, shown.string());
      if (!text) return text.error();
      // Unlinked only while it is still the file platformd created (root's): one the boinc user
      // made in its place meanwhile is theirs, and is emptied instead.
      if (text->empty() && listed(s.rc_created, file) && (*cur)->own.uid == 0) {
        if (auto r = m.remove_file_at(*d, file, old); !r) return r.error();
        rep.lines.push_back(fmt::format("{}: removed (platformd had created it for its block)", shown.string()));
      } else {
        if (auto r = m.replace_file_at(*d, file, *text, (*cur)->own, old); !r) return r.error();
        rep.lines.push_back(fmt::format("{}: removed platformd's block", shown.string()));
      }
    }
    std::erase(s.rc_files, file);
    std::erase(s.rc_created, file);
  }
  return rep;
}

}  // namespace platformd
