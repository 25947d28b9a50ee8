// What every broker operation loads before it decides anything, and the frame of a change:
// the state lock held from the first read to the last write, so concurrent platformctl runs
// and the daemon take turns. apply (core/apply/) starts from the same session.
#pragma once

#include <string>
#include <vector>

#include "broker/broker.h"
#include "catalog.h"
#include "fidelity/translator.h"
#include "host.h"
#include "result.h"
#include "state.h"
#include "system/machine.h"
#include "system/paths.h"

namespace platformd {

struct Broker::Session {
  Catalog catalog;
  std::vector<TranslatorSpec> translators;
  State state;
  HostInfo host;
  std::vector<std::string> notes;
  bool state_recovered = false;
};
using Session = Broker::Session;

Result<Catalog> load_catalog(Machine& m, const Paths& p);
// Loads catalog, translators and state, and detects the host. A corrupt state file is
// rebuilt from the kernel table (our entries say what was enabled), and the caller is told.
Result<Session> open_session(Machine& m, const Paths& p, bool reprobe_host = false);
// The catalog's platforms named (arch, BOINC name or alias), each once; unknown names fail.
Result<std::vector<const Platform*>> resolve_all(const Catalog& c, const std::vector<std::string>& names);

// One enable or disable: holds the state lock from the first read to the last write.
struct ChangeRun {
  FileLock lock;
  Session s;
  std::vector<const Platform*> platforms;
  ChangeReport rep;
};
Result<ChangeRun> begin_change(Machine& m, const Paths& p, const std::vector<std::string>& names);
// Saves the kernel-side result first: a crash before the BOINC edit leaves a state that the
// next run (or the daemon's reconcile) completes. Then cc_config.xml, then what we own in it.
// Handlers of platforms being withdrawn go last, once the client's list is known.
Result<ChangeReport> finish_change(Machine& m, const Paths& p, ChangeRun& c, const ChangeOptions& o,
                                   const std::vector<std::string>& keep_advertised = {});

}  // namespace platformd
