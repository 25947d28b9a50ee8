// box64's rc files, and the block of one that platformd owns (issue 14).
//
// box64 reads one system rc file (BOX64_RCFILE, else /etc/box64.box64rc) and then
// $HOME/.box64rc, ini files whose [name] sections apply to the process of that name and whose
// [*text*] sections apply to every process whose name contains `text`; [**] (empty text)
// applies to every process. Settings from rc files beat the environment. Measured with box64
// 0.3.4 (Debian 13), docs/box64.md.
//
// /etc/box64.box64rc is the box64 package's conffile, so platformd never edits it: its block
// goes into .box64rc in the home of the BOINC client's user (the BOINC data directory on
// Debian), which every task's box64 reads, and the probes are run with a HOME holding the same
// text: the settings verified are the settings the tasks get.
//
// Pure text functions; the file is read and replaced by the broker through a directory handle.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "result.h"

namespace platformd {

inline constexpr std::string_view kRcBegin = "# BEGIN platformd";
inline constexpr std::string_view kRcEnd = "# END platformd";

// platformd's block: the markers, a [**] section applying to every program, the settings in
// key order. `why` goes into the first comment ("the settings x86_64 was verified with").
std::string render_rc_block(const std::map<std::string, std::string>& settings, std::string_view why);

// `existing` with platformd's block replaced by `block` (or appended, after a blank line, when
// there is none); everything else kept byte for byte. An error when the markers are broken
// (a BEGIN without its END, or two blocks): the file is not ours to guess about.
Result<std::string> merge_rc_block(std::string_view existing, std::string_view block, std::string_view source);
// `existing` without platformd's block (and the blank line merge put before it).
Result<std::string> remove_rc_block(std::string_view existing, std::string_view source);
bool has_rc_block(std::string_view text);

// Settings a BOINC task's box64 would take from `text` besides platformd's block, which make
// its run differ from the verified one: in every section that reaches a BOINC task, by box64's
// section rules ([**], [*text*], and lines after platformd's block with no header of their own,
// which box64 reads as part of its [**]), each key that sets one of `settings` to another value,
// or any other key but the few that only change what box64 prints (kRcHarmlessKeys): what it
// loads (BOX64_LD_LIBRARY_PATH, BOX64_EMULATED_LIBS, ...) and how it computes (BOX64_DYNAREC_*).
// One line each, "[*setup*] sets BOX64_DYNAREC_FASTNAN": section and key escaped, never the
// value. Exact-name sections ([factorio]) are one program's and not reported.
std::vector<std::string> rc_interference(std::string_view text, const std::map<std::string, std::string>& settings);

// Keys that change only box64's own messages, not what a program computes.
inline const std::set<std::string> kRcHarmlessKeys = {"BOX64_LOG", "BOX64_NOBANNER", "BOX64_SHOWSEGV", "BOX64_SHOWBT"};

}  // namespace platformd
