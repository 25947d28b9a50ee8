// platformctl purge: remove everything platformd put on this machine (its handlers, the
// <alt_platform> entries and rc-file blocks it wrote; other tools' entries it took over are
// enabled again), whatever BOINC holds, and leave an empty choice. The package's postrm runs
// it at purge from a copy prerm kept (debian/platformd.postrm); it needs only the state file.
// Always direct: purging is not a service request.
#include "cli_context.h"

namespace platformd::cli {

Runner register_purge(CLI::App& app, Globals& g) {
  app.add_subcommand("purge",
                     "remove every handler, BOINC entry and setting platformd wrote, even for platforms BOINC holds "
                     "tasks of (package purge)");
  return [&g] {
    RealMachine m;
    Broker b(m, g.paths());
    auto r = b.purge();
    if (!r) return report_error(r.error());
    return print_change(*r, g.json);
  };
}

}  // namespace platformd::cli
