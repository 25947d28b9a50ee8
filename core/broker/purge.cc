#include <fmt/core.h>

#include "binfmt/binfmt_table.h"
#include "boinc/boinc_sync.h"
#include "boinc/rc_home.h"
#include "broker/broker.h"
#include "broker/steps.h"
#include "exit_codes.h"
#include "state.h"

namespace platformd {

// Purge: everything platformd put on the machine goes, whatever BOINC holds (purging is the
// administrator's "forget everything"). It reads only the state file, the kernel table and the
// BOINC files, never the catalog, the translators' descriptions or the probes: the package's
// postrm runs it after those files are gone (debian/platformd.postrm). Each step goes on past
// a failing one; the first error is kept.
Result<ChangeReport> Broker::purge() {
  auto lock = FileLock::acquire(lock_file(paths_));
  if (!lock) return lock.error();
  ChangeReport rep;
  auto keep_first = [&rep](Error e) {
    if (!rep.error) rep.error = std::move(e);
  };
  State st;
  if (auto loaded = load_state(m_, paths_); loaded) {
    st = std::move(*loaded);
  } else {
    // Without the state, which <alt_platform> entries are ours is unknown: the user's stay.
    rep.warnings.push_back(fmt::format("{}; removing only platformd's own handlers", loaded.error().message));
    keep_first(loaded.error());
  }

  // 1. Our handlers (by name: no other entry is touched), then the entries we took over back.
  BinfmtTable table(m_, paths_.binfmt_dir);
  if (auto ready = table.prepare(); !ready) keep_first(ready.error());  // the entries may still be listed
  if (auto entries = table.entries(); entries) {
    for (const auto& e : *entries) {
      if (!is_own_entry(e.name)) continue;
      if (auto r = table.remove_own(e.name); !r) {
        keep_first(r.error());
        continue;
      }
      rep.lines.push_back(fmt::format("removed handler {}", e.name));
      rep.changed = true;
    }
    std::vector<std::string> taken;
    for (const auto& [arch, names] : st.taken_over) taken.push_back(arch);
    for (const auto& arch : taken) give_back(table, st, arch, rep);
  } else {
    keep_first(entries.error());
  }
  st.enabled.clear();
  st.withdrawing.clear();
  st.scope.clear();
  st.verified.clear();

  // 2. Our <alt_platform> entries (and an <options> we created), through the same editor as
  //    every change: the user's own entries stay, duplicates included. The client is
  //    restarted once if it runs, so that it stops listing them. Nothing of ours there: the
  //    file is not even opened.
  if ((!st.owned_alt_platforms.empty() || st.owned_options) && boinc_data_dir(m_, paths_)) {
    BoincSyncOptions bo;
    bo.force = true;
    auto r = sync_alt_platforms(m_, paths_, st, {}, bo);
    if (!r) {
      keep_first(r.error());
    } else {
      rep.changed = rep.changed || r->changed;
      if (r->changed)  // else its lines only say that the user's own entries stay
        for (auto& l : r->lines) rep.lines.push_back("BOINC: " + l);
      for (auto& w : r->warnings) rep.warnings.push_back("BOINC: " + w);
    }
  }

  // 3. Our block in the translators' rc files (.box64rc), and a file we created.
  if (!st.rc_files.empty()) {
    auto r = sync_rc_blocks(m_, boinc_data_dir(m_, paths_), {}, st);
    if (!r) {
      keep_first(r.error());
    } else {
      for (auto& l : r->lines) rep.lines.push_back(std::move(l));
      for (auto& w : r->warnings) rep.warnings.push_back(std::move(w));
      rep.changed = rep.changed || !r->lines.empty();
    }
  }

  // What is left is recorded, so that a second purge retries exactly that.
  if (auto r = save_state(m_, paths_, st); !r) keep_first(r.error());
  if (rep.lines.empty() && !rep.error) rep.lines.push_back("nothing of platformd's was left to remove");
  return rep;
}

}  // namespace platformd
