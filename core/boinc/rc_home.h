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

// DATA_DIR/<file> as it would be with platformd's block for `archs`: the text a verification
// puts in the probe's HOME. Without a data directory, the block alone.
Result<std::string> rc_text_with_block(Machine& m, const std::optional<fs::path>& data_dir,
                                       const TranslatorSpec::RcFile& rc, const std::vector<std::string>& archs);

// Writes or removes blocks so that every file in `want` holds its block and every other file
// in s.rc_files holds none (a file platformd created and that would be left empty is
// emptied, never unlinked: the boinc user may have put it back meanwhile). Lines describe
// what changed, warnings what could defeat the settings (wildcard sections elsewhere).
struct RcSyncReport {
  std::vector<std::string> lines;
  std::vector<std::string> warnings;
};
Result<RcSyncReport> sync_rc_blocks(Machine& m, const std::optional<fs::path>& data_dir,
                                    const std::vector<RcWant>& want, State& s);

}  // namespace platformd
