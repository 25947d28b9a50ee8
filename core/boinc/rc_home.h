// The translator rc files platformd keeps in the BOINC client's home (box64's .box64rc;
// fidelity/box64_rc.h for the format and why there). Declarative: sync_rc_blocks makes each
// file hold exactly the block the state needs, so enable, disable, a withdrawal that
// completes later and reconcile all converge the same way.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fidelity/translator.h"
#include "state.h"
#include "system/machine.h"

namespace platformd {

struct RcWant {
  std::string file;                             // ".box64rc"
  std::map<std::string, std::string> settings;  // what the block sets
  std::vector<std::string> archs;               // the platforms served with them, sorted
};

// Pure: the blocks needed by the platforms that are enabled or withdrawing and whose recorded
// translator (State::verified, translator_identity) has an rcfile in its description.
std::vector<RcWant> wanted_rc_blocks(const State& s, const std::vector<TranslatorSpec>& specs);
// The block text for `archs` ("the settings x86_64 was verified with").
std::string rc_block_for(const TranslatorSpec::RcFile& rc, const std::vector<std::string>& archs);

// The text a verification puts in the probe's private HOME: platformd's block for `archs`, and
// nothing else (issue 20: the BOINC user's lines must not choose what the verifying box64
// loads). An error when DATA_DIR/<file> could not carry that block for BOINC's tasks: it is
// not a file platformd may use (a FIFO, a symlink, hard-linked, a foreign owner, set-id bits),
// its block is damaged, or lines of the BOINC user's there reach the tasks and change what box64
// loads or computes (rc_interference). Without a data directory, the block alone.
Result<std::string> rc_probe_text(Machine& m, const std::optional<fs::path>& data_dir, const TranslatorSpec::RcFile& rc,
                                  const std::vector<std::string>& archs);

// Why DATA_DIR/<want.file> does not give BOINC's tasks exactly `want`'s block now: not a file
// platformd may use, no block or another one, or lines of the BOINC user's that change what box64
// does (rc_interference). nullopt when it does. For status.
std::optional<std::string> rc_block_problem(Machine& m, const std::optional<fs::path>& data_dir, const RcWant& want);

// Writes or removes blocks so that every file in `want` holds its block and every other file
// in s.rc_files holds none (a file platformd created and that would be left empty is
// unlinked while it is still root's, emptied when the boinc user has put their own in its
// place). A file that is not one platformd may use is refused (rc_probe_text). Lines describe
// what changed, warnings what could defeat the settings (rc_interference).
struct RcSyncReport {
  std::vector<std::string> lines;
  std::vector<std::string> warnings;
};
Result<RcSyncReport> sync_rc_blocks(Machine& m, const std::optional<fs::path>& data_dir,
                                    const std::vector<RcWant>& want, State& s);

}  // namespace platformd
