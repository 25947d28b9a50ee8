#include "broker/broker.h"

#include <algorithm>
#include <functional>

#include "binfmt/binfmt_table.h"
#include "binfmt/elf_file.h"
#include "binfmt/platform_plan.h"
#include "boinc/boinc_locate.h"
#include "boinc/boinc_rpc.h"
#include "boinc/boinc_sync.h"
#include "boinc/cc_config.h"
#include "boinc/rc_home.h"
#include "broker/decisions.h"
#include "broker/scope.h"
#include "broker/session.h"
#include "broker/steps.h"
#include "exit_codes.h"
#include "fidelity/candidate_selection.h"
#include "fidelity/probe_runner.h"
#include "fidelity/speed_gate.h"
#include "fidelity/translator.h"
#include "fidelity/verifier.h"
#include "state.h"
#include "system/launch_record.h"

namespace platformd {

namespace {
// BOINC's own instance (issue 21), read only when some enabled platform is scoped to BOINC.
BoincInstanceFacts boinc_instance_facts(Machine& m, const Paths& p, const State& st, bool client_answers) {
  BoincInstanceFacts bi;
  bool scoped = false;
  for (const auto& arch : st.enabled) scoped = scoped || st.scope_of(arch) == Scope::boinc;
  if (!scoped) return bi;
  auto launched = find_launched_client(m, p.boinc_run_dir);
  if (!launched) {
    bi.client = client_answers ? BoincInstanceFacts::Client::not_launched : BoincInstanceFacts::Client::not_running;
    return bi;
  }
  bi.client = BoincInstanceFacts::Client::launched;
  bi.pid = launched->pid;
  if (auto e = BinfmtTable(m, launched->instance_dir).entries(); e)
    bi.entries = std::move(*e);
  else
    bi.unreadable = e.error().message;
  return bi;
}
// What the projects' schedulers did with the enabled foreign platforms (boinc/uptake.h), from
// the client that answered: two more bounded GUI RPC requests, made only when there is
// something foreign to tell about.
void fill_uptake(Machine& m, const Paths& p, const BoincClientState& client, StatusReport& rep) {
  std::vector<std::string> foreign;
  for (const auto& ps : rep.platforms)
    if (ps.enabled && ps.state != PlatformState::native) foreign.push_back(ps.boinc_name);
  if (foreign.empty() || client.projects.empty()) return;
  const GuiRpcEndpoint ep{p.gui_rpc_port};
  std::vector<BoincMessage> messages;
  if (auto r = rpc_get_messages(m, ep); !r)
    rep.notes.push_back("the client's event log: " + r.error().message);
  else if (*r)
    messages = std::move(**r);
  std::vector<BoincOldResult> old;
  if (auto r = rpc_get_old_results(m, ep); !r)
    rep.notes.push_back("the client's reported tasks: " + r.error().message);
  else if (*r)
    old = std::move(**r);
  rep.uptake = decide_uptake(client, messages, old, foreign);
  if (auto note = uptake_projects_note(client)) rep.notes.push_back(*note);
  if (auto note = plan_class_note(client, foreign);
      note && std::find(rep.notes.begin(), rep.notes.end(), *note) == rep.notes.end())
    rep.notes.push_back(*note);
}

}  // namespace

void refresh_uptake(Machine& m, const Paths& p, StatusReport& rep) {
  rep.uptake.clear();
  auto c = client_state(m, p);
  if (c && *c) fill_uptake(m, p, **c, rep);
}

Result<StatusReport> Broker::status() {
  auto sess = open_session(m_, paths_, false);
  if (!sess) return sess.error();
  auto& s = *sess;
  StatusReport rep;
  rep.host = s.host;
  rep.notes = s.notes;
  BinfmtTable table(m_, paths_.binfmt_dir);
  std::vector<BinfmtRule> entries;
  if (auto e = table.entries(); e) {
    entries = std::move(*e);
    if (entries.empty() && !table.mounted())
      rep.notes.push_back(fmt::format(
          "binfmt_misc is not mounted at {}: no program runs through a handler; 'platformctl enable' mounts it",
          paths_.binfmt_dir.string()));
  } else
    rep.notes.push_back(fmt::format("binfmt_misc is not readable at {} (not mounted?)", paths_.binfmt_dir.string()));

  // The client's get_state answer, asked once: the table, the abort risks and the uptake read it.
  std::optional<std::vector<std::string>> client;
  std::optional<Result<std::optional<BoincClientState>>> answer;
  const BoincClientState* client_now = nullptr;
  if (boinc_data_dir(m_, paths_)) {
    const auto& c = answer.emplace(client_state(m_, paths_));
    if (!c)
      rep.notes.push_back(c.error().message);
    else if (*c)
      client = (client_now = &**c)->platforms;
  }
  // The translators' rc-file settings as BOINC's tasks would get them now, by platform.
  std::map<std::string, std::string> settings_problem;
  for (const auto& want : wanted_rc_blocks(s.state, s.translators))
    if (auto why = rc_block_problem(m_, boinc_data_dir(m_, paths_), want))
      for (const auto& arch : want.archs) settings_problem[arch] = *why;
  const BoincInstanceFacts boinc_instance = boinc_instance_facts(m_, paths_, s.state, client.has_value());
  rep.notes.push_back("default scope for a platform enabled without --scope: " + default_scope(m_, paths_).why);
  // The client's unfinished tasks of every platform, read once when the first emulated platform
  // needs them (the client's answer and its state files are bounded, but each read costs a parse).
  std::optional<std::vector<BoincTask>> held;
  bool held_read = false;
  auto held_tasks = [&]() -> const std::optional<std::vector<BoincTask>>& {
    if (!held_read) {
      held_read = true;
      std::vector<std::string> names;
      for (const auto& p : s.catalog.platforms) names.push_back(p.boinc_name);
      if (auto t = tasks_for_platforms(m_, paths_, names, {}, nullptr, answer ? &*answer : nullptr))
        held = std::move(*t);
    }
    return held;
  };
  for (const auto& pl : s.catalog.platforms) {
    PlatformFacts f;
    f.platform = &pl;
    f.host = &s.host;
    f.state = &s.state;
    f.entries = &entries;
    f.candidates = candidates_for(s.translators, pl);
    std::error_code ec;
    f.have_probe = fs::exists(probe_path(paths_, pl.arch), ec);
    if (!f.have_probe) f.probe_missing = probe_missing_reason(paths_, pl.arch);
    f.client = client;
    f.take_over_release_after = paths_.take_over_release_after.count();
    f.boinc_instance = boinc_instance;
    if (auto sp = settings_problem.find(pl.arch); sp != settings_problem.end()) f.settings_problem = sp->second;
    for (const auto& e : entries) f.identities.emplace(e.interpreter, file_identity(e.interpreter));
    for (const auto& c : f.candidates) f.identities.emplace(c.path, file_identity(c.path));
    PlatformStatus ps = decide_platform(f);
    // Once BOINC holds tasks of an emulated platform, their real bounds say whether the
    // measured slowdown gets them aborted; the project would lose the work it sent.
    std::vector<std::string> risks;
    if (ps.state == PlatformState::emulated) {
      auto rec = s.state.verified.find(pl.arch);
      double worst = rec == s.state.verified.end() ? 0 : std::min(rec->second.fp_ratio, rec->second.int_ratio);
      if (worst > 0 && boinc_data_dir(m_, paths_))
        if (const auto& tasks = held_tasks())
          for (const auto& r : abort_risks(*tasks, pl.boinc_name, worst)) risks.push_back(describe(r, worst));
    }
    finish_reason(ps, pl, risks);
    rep.platforms.push_back(std::move(ps));
  }
  if (client_now) fill_uptake(m_, paths_, *client_now, rep);
  return rep;
}

}  // namespace platformd
