// Finding the BOINC data directory and the real cc_config.xml. Reads go through Machine, and
// so does the resolution of cc_config.xml (directory handles, one hop at a time); the unit
// and defaults files are root's and are found by path.
#include "boinc/boinc_locate.h"

#include <algorithm>
#include <map>
#include <system_error>

#include "exit_codes.h"

namespace platformd {

namespace {

std::string_view trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// Logical lines of a unit file: a trailing backslash continues the line (systemd.syntax(7)).
std::vector<std::string> logical_lines(std::string_view text) {
  std::vector<std::string> out;
  std::string cur;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    auto nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty() && line.back() == '\\') {
      cur.append(line.substr(0, line.size() - 1));
      cur.push_back(' ');
    } else {
      cur.append(line);
      out.push_back(std::move(cur));
      cur.clear();
    }
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

bool within(const fs::path& p, const fs::path& dir) {
  auto rel = p.lexically_relative(dir);
  return !rel.empty() && *rel.begin() != "..";
}

fs::path canonical_or_same(const fs::path& p) {
  std::error_code ec;
  auto c = fs::weakly_canonical(p, ec);
  return ec ? p.lexically_normal() : c;
}

// The unit file and drop-ins, in the order systemd applies them: the first unit file found
// along the search path, then every *.conf of the .d directories sorted by file name, where a
// name in a higher-priority directory hides the same name further down.
std::vector<fs::path> unit_files(Machine& m, const BoincSystemFiles& files, std::string_view unit) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& d : files.unit_dirs) {
    if (fs::exists(d / unit, ec)) {
      out.push_back(d / unit);
      break;
    }
  }
  std::map<std::string, fs::path> dropins;
  for (const auto& d : files.unit_dirs) {
    const fs::path dd = d / (std::string(unit) + ".d");
    if (!fs::is_directory(dd, ec)) continue;
    auto names = m.list_dir(dd);
    if (!names) continue;
    for (const auto& n : *names)
      if (n.size() > 5 && n.ends_with(".conf") && !dropins.count(n)) dropins[n] = dd / n;
  }
  for (auto& [n, p] : dropins) out.push_back(p);
  return out;
}

}  // namespace

std::optional<std::string> unit_working_directory(std::string_view unit_text) {
  std::optional<std::string> wd;
  bool in_service = false;
  for (const auto& raw : logical_lines(unit_text)) {
    std::string_view line = trim(raw);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[') {
      in_service = line == "[Service]";
      continue;
    }
    if (!in_service) continue;
    auto eq = line.find('=');
    if (eq == std::string_view::npos || trim(line.substr(0, eq)) != "WorkingDirectory") continue;
    std::string_view v = trim(line.substr(eq + 1));
    if (!v.empty() && v.front() == '-') v.remove_prefix(1);  // "-": do not fail when missing
    if (v.empty()) {
      wd = std::string();
    } else if (v.front() == '/' && v.find('%') == std::string_view::npos) {
      wd = std::string(v);
    } else {
      wd.reset();  // "~" or specifiers: not resolvable here
    }
  }
  return wd;
}

std::optional<std::string> default_file_boinc_dir(std::string_view text) {
  std::optional<std::string> dir;
  for (const auto& raw : logical_lines(text)) {
    std::string_view line = trim(raw);
    if (line.empty() || line[0] == '#') continue;
    if (line.starts_with("export ")) line = trim(line.substr(7));
    if (!line.starts_with("BOINC_DIR=")) continue;
    std::string_view v = trim(line.substr(10));
    if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front())
      v = v.substr(1, v.size() - 2);
    if (!v.empty()) dir = std::string(v);
  }
  return dir;
}

Result<BoincDataDir> find_boinc_data_dir(Machine& m, const Paths& p, BoincServiceControl* service,
                                         const BoincSystemFiles& files) {
  if (p.boinc_dir) return BoincDataDir{*p.boinc_dir, "--boinc-dir"};

  if (service) {
    auto unit = service->query();
    if (unit && *unit && (*unit)->loaded() && !(*unit)->working_directory.empty())
      return BoincDataDir{(*unit)->working_directory, fmt::format("WorkingDirectory of {} (systemd)", kBoincUnit)};
  }

  std::optional<std::string> wd;
  fs::path from;
  for (const auto& f : unit_files(m, files, kBoincUnit)) {
    auto text = m.read_file(f, 1 << 20);
    if (!text) continue;
    if (auto w = unit_working_directory(*text)) {
      wd = *w;
      from = f;
    }
  }
  if (wd && !wd->empty()) return BoincDataDir{*wd, fmt::format("WorkingDirectory= in {}", from.string())};

  std::error_code ec;
  if (fs::exists(files.default_file, ec)) {
    auto text = m.read_file(files.default_file, 1 << 20);
    if (text) {
      if (auto d = default_file_boinc_dir(*text))
        return BoincDataDir{*d, fmt::format("BOINC_DIR in {}", files.default_file.string())};
    }
  }
  return BoincDataDir{files.fallback_dir, "the default location"};
}

Result<CcConfigLocation> locate_cc_config(Machine& m, const fs::path& data_dir, const BoincSystemFiles& files) {
  std::error_code ec;
  if (!fs::is_directory(data_dir, ec))
    return fail(exit_code::failure, "BOINC data directory {} does not exist (use --boinc-dir)", data_dir.string());
  const fs::path top = fs::absolute(data_dir, ec).lexically_normal();

  // The directories a link may lead into, each opened (once) when a link first names it. The
  // data directory answers to its canonical name too, which links written by tools use.
  struct Root {
    fs::path path;
    std::optional<DirHandle> handle;
  };
  std::vector<Root> roots;
  roots.push_back({top, std::nullopt});
  auto data = m.open_dir(top);
  if (!data) return data.error();
  roots.front().handle = std::move(*data);
  const fs::path canonical_top = canonical_or_same(top);
  if (canonical_top != top) roots.push_back({canonical_top, std::nullopt});
  for (const auto& a : files.allowed_dirs) roots.push_back({a.lexically_normal(), std::nullopt});
  auto handle_of = [&](std::size_t i) -> Result<const DirHandle*> {
    if (i == 1 && canonical_top != top) return &*roots.front().handle;
    if (!roots[i].handle) {
      auto h = m.open_dir(roots[i].path);
      if (!h) return h.error();
      roots[i].handle = std::move(*h);
    }
    return &*roots[i].handle;
  };

  CcConfigLocation loc;
  loc.data_dir = data_dir;
  loc.link = data_dir / "cc_config.xml";
  const DirHandle* root = &*roots.front().handle;
  fs::path rel = "cc_config.xml";
  for (int hops = 0;; ++hops) {
    auto dir = m.open_dir(*root, rel.parent_path());
    if (!dir) {
      if (!loc.through_symlink) return dir.error();
      return fail(exit_code::bad_config, "{} links to {}, whose directory cannot be used: {}", loc.link.string(),
                  (root->path / rel).string(), dir.error().message);
    }
    const std::string name = rel.filename().string();
    auto e = m.inspect_at(*dir, name);
    if (!e) return e.error();
    if (e->kind != DirEntry::Kind::symlink) {
      loc.real = dir->path / name;
      if (e->kind != DirEntry::Kind::regular && e->kind != DirEntry::Kind::absent)
        return fail(exit_code::bad_config, "{} is not a regular file", loc.real.string());
      loc.exists = e->kind == DirEntry::Kind::regular;
      loc.dir = std::move(*dir);
      loc.name = name;
      break;
    }
    if (hops >= 40) return fail(exit_code::bad_config, "{}: too many levels of symbolic links", loc.link.string());
    loc.through_symlink = true;
    const fs::path target = e->link_target;
    const fs::path abs = (target.is_absolute() ? target : dir->path / target).lexically_normal();
    std::optional<std::size_t> in;
    for (std::size_t i = 0; i < roots.size() && !in; ++i)
      if (within(abs, roots[i].path)) in = i;
    if (!in) {
      std::string allowed = top.string();
      for (const auto& a : files.allowed_dirs) allowed += ", " + a.string();
      return fail(exit_code::bad_config,
                  "{} is a symlink to {}, outside the BOINC directories ({}); refusing to replace it",
                  loc.link.string(), abs.string(), allowed);
    }
    auto h = handle_of(*in);
    if (!h)
      return fail(exit_code::bad_config, "{} links to {}, whose directory cannot be used: {}", loc.link.string(),
                  abs.string(), h.error().message);
    root = *h;
    rel = abs.lexically_relative(roots[*in].path);
  }

  // Through a handle, a later swap cannot redirect us; but a directory another user could
  // replace may already have been replaced before we opened it (issue 12).
  if (!loc.dir.swappable_because.empty())
    return fail(exit_code::bad_config,
                "{}: refusing to use it: its directory {} could be replaced by another user ({}). Keep cc_config.xml "
                "in the BOINC data directory, or in a directory only root can change (Debian: /etc/boinc-client)",
                loc.real.string(), loc.dir.path.string(), loc.dir.swappable_because);
  return loc;
}

}  // namespace platformd
