// The union of what the GUI RPC peer and the client's state files say it holds.
#include "boinc/client_holdings.h"

#include <map>
#include <set>
#include <tuple>

#include "exit_codes.h"

namespace platformd {

Result<std::string> read_client_state_file(Machine& m, const fs::path& file) {
  // The boinc user's file (issue 12): through a handle of its directory, O_NONBLOCK|O_NOFOLLOW,
  // and read only when fstat says it is a regular file of bounded size: a FIFO is an error,
  // not a wait for a writer that never comes.
  auto dir = m.open_dir(fs::absolute(file).parent_path());
  if (!dir) return dir.error();
  auto r = m.read_file_at(*dir, file.filename().string(), kClientStateFileLimits.max_bytes);
  if (!r) return r.error();
  if (!*r) return fail(exit_code::failure, "cannot open {}: No such file or directory", file.string());
  return std::move((*r)->text);
}

BoincClientState merge_client_states(const std::vector<BoincClientState>& views) {
  BoincClientState out;
  if (views.empty()) return out;
  out.primary_platform = views.front().primary_platform;
  out.platforms = views.front().platforms;
  out.client_version = views.front().client_version;
  std::map<std::tuple<std::string, std::string, std::string>, std::size_t> task_at;  // -> index in out.tasks
  std::set<std::tuple<std::string, std::string, int, std::string, std::string>> versions;
  for (const auto& v : views) {
    if (out.primary_platform.empty()) out.primary_platform = v.primary_platform;
    for (const auto& t : v.tasks) {
      auto [it, fresh] = task_at.try_emplace({t.project, t.name, t.platform}, out.tasks.size());
      if (fresh)
        out.tasks.push_back(t);
      else if (t.unfinished() && !out.tasks[it->second].unfinished())
        out.tasks[it->second] = t;  // finished by one account, not by another: not finished
    }
    for (const auto& a : v.app_versions)
      if (versions.insert({a.project, a.app, a.version_num, a.platform, a.plan_class}).second)
        out.app_versions.push_back(a);
  }
  return out;
}

namespace {

struct FileView {
  bool exists = false;
  std::optional<BoincClientState> state;
  std::optional<Error> error;
};

FileView read_view(Machine& m, const fs::path& f) {
  FileView v;
  std::error_code ec;
  v.exists = fs::exists(fs::symlink_status(f, ec));
  if (!v.exists) return v;
  auto text = read_client_state_file(m, f);
  if (!text) {
    v.error = text.error();
    return v;
  }
  auto s = parse_client_state_file(*text, f.string());
  if (s)
    v.state = std::move(*s);
  else
    v.error = s.error();
  return v;
}

}  // namespace

Result<ClientHoldings> read_client_holdings(Machine& m, const fs::path& data_dir,
                                            const Result<std::optional<BoincClientState>>& rpc,
                                            const GuiRpcEndpoint& ep) {
  ClientHoldings h;
  std::vector<BoincClientState> views;
  std::vector<std::string> sources;
  if (!rpc)
    h.warnings.push_back(
        fmt::format("{}; that answer is not believed, the client's state files decide", rpc.error().message));
  else if (*rpc) {
    views.push_back(**rpc);
    sources.push_back(fmt::format("the BOINC client on {}", describe(ep)));
  }

  std::optional<Error> first_error;
  bool any_file = false, any_parsed = false;
  auto take = [&](const fs::path& f, FileView v) {
    any_file = any_file || v.exists;
    if (v.state) {
      any_parsed = true;
      views.push_back(std::move(*v.state));
      sources.push_back(f.string());
    } else if (v.error) {
      h.warnings.push_back(fmt::format("not read: {}", v.error->message));
      if (!first_error) first_error = v.error;
    }
  };
  for (const char* name : {"client_state_next.xml", "client_state.xml"})
    take(data_dir / name, read_view(m, data_dir / name));
  if (!any_parsed) take(data_dir / "client_state_prev.xml", read_view(m, data_dir / "client_state_prev.xml"));
  if (any_file && !any_parsed)
    return fail(exit_code::work_at_risk, "none of the client's state files in {} can be read: {}", data_dir.string(),
                first_error ? first_error->message : "unknown error");

  if (views.empty()) {
    h.sources = (data_dir / "client_state.xml").string();
    return h;
  }
  // The files' platform list is the client's at its last write; a live answer's is current,
  // so it comes first (merge_client_states takes the first view's list).
  h.state = merge_client_states(views);
  for (std::size_t i = 0; i < sources.size(); ++i)
    h.sources += (i == 0 ? "" : i + 1 == sources.size() ? " and " : ", ") + sources[i];
  return h;
}

}  // namespace platformd
