#include "broker/broker.h"

#include <algorithm>
#include <functional>

#include "binfmt/binfmt_table.h"
#include "binfmt/elf_file.h"
#include "binfmt/platform_plan.h"
#include "boinc/boinc_locate.h"
#include "boinc/boinc_sync.h"
#include "boinc/cc_config.h"
#include "boinc/rc_home.h"
#include "broker/decisions.h"
#include "broker/session.h"
#include "broker/steps.h"
#include "exit_codes.h"
#include "fidelity/candidate_selection.h"
#include "fidelity/probe_runner.h"
#include "fidelity/speed_gate.h"
#include "fidelity/translator.h"
#include "fidelity/verifier.h"
#include "state.h"

namespace platformd {

Result<ChangeReport> Broker::disable(const std::vector<std::string>& names, const ChangeOptions& o) {
  auto run = begin_change(m_, paths_, names);
  if (!run) return run.error();
  auto& s = run->s;
  auto& rep = run->rep;
  auto* platforms = &run->platforms;
  // Never lose work: after a withdrawal the client relabels tasks of the platform as native
  // and would run them as native binaries. Refuse while any exist, unless forced; with
  // keep_busy, keep the platforms that have tasks (reported) and withdraw the others.
  std::vector<std::string> kept_busy;
  if (!o.force) {
    std::string sources;
    auto tasks = unfinished_tasks(m_, paths_, *platforms, &sources);
    if (!tasks) return tasks.error();
    if (!tasks->empty() && o.keep_busy) {
      kept_busy = keep_busy_platforms(*platforms, *tasks, rep);
    } else if (!tasks->empty()) {
      return fail(
          exit_code::work_at_risk,
          "refusing to withdraw: BOINC holds {} unfinished task(s) of these platforms (from {}), which the client "
          "would relabel as native after a restart. Let them finish, or use --force:{}",
          tasks->size(), sources, task_list(*tasks));
    }
  }
  BinfmtTable table(m_, paths_.binfmt_dir);
  auto entries = table.entries();
  for (const Platform* pl : *platforms) {
    if (s.host.runs_natively(pl->arch)) {
      if (contains(s.state.enabled, pl->arch)) {  // enabled natively: only the advertisement goes
        remove_value(s.state.enabled, pl->arch);
        rep.changed = true;
        rep.lines.push_back(fmt::format("{}: disabled (runs natively; no longer advertised to BOINC)", pl->arch));
      } else if (!rep.error) {
        rep.error = fail(exit_code::refused, "{} runs natively on this machine; there is nothing to disable", pl->arch);
      }
      continue;
    }
    bool was_enabled = contains(s.state.enabled, pl->arch);
    remove_value(s.state.enabled, pl->arch);
    if (s.state.scope_of(pl->arch) == Scope::boinc) {
      // Nothing in the machine's table; BOINC's instance loses it when the client restarts
      // (finish_change restarts it once cc_config.xml no longer lists the platform).
      s.state.scope.erase(pl->arch);
      rep.changed = true;
      rep.lines.push_back(fmt::format(
          "{}: disabled (scope boinc: its handler leaves BOINC's namespace when the client restarts)", pl->arch));
      continue;
    }
    const BinfmtRule* ours = entries ? find_entry(*entries, own_entry_name(pl->arch)) : nullptr;
    if (ours) {
      // Its handler goes once the BOINC client no longer lists it (finish_change).
      add_sorted(s.state.withdrawing, pl->arch);
      if (s.state.taken_over.count(pl->arch)) s.state.withdrawing_since[pl->arch] = unix_now();
      rep.changed = true;
    } else if (s.state.taken_over.count(pl->arch)) {
      give_back(table, s.state, pl->arch, rep);
    } else if (was_enabled) {
      rep.lines.push_back(fmt::format("{}: disabled (it was served by another tool's entry, which stays)", pl->arch));
      rep.changed = true;
    } else {
      rep.lines.push_back(fmt::format("{}: already disabled", pl->arch));
    }
  }
  return finish_change(m_, paths_, *run, o, kept_busy);
}

}  // namespace platformd
