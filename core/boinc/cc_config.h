// cc_config.xml: reading and editing the BOINC client's <alt_platform> entries. Pure: text in,
// text out; the caller reads and writes the file (core/boinc/boinc_sync.cc).
//
// The one promise: everything we do not own stays byte-for-byte as it was. tinyxml2 cannot
// round-trip a file (it re-indents, rewrites quotes, `<a></a>`, character references; see
// docs/tinyxml2.md), so the document is never re-serialised. tinyxml2 parses and locates the
// nodes (by line); the edit is a set of small splices into the original text; and the result is
// parsed again and compared, node for node, with the same edit applied to the parsed tree. If a
// splice cannot be placed unambiguously the edit is refused, not approximated.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "result.h"

namespace platformd {

struct AltPlatformEntry {
  std::string name;  // the element's text, surrounding whitespace trimmed (BOINC trims too)
  int line = 0;      // line of the element in the file, from 1
};

// What the client will read from cc_config.xml, as far as platforms go.
struct CcConfigView {
  bool has_cc_config = false;                   // false for an empty or comment-only file
  std::vector<AltPlatformEntry> alt_platforms;  // under <cc_config><options>, in file order
  bool no_alt_platform = false;                 // <options><no_alt_platform> is set (non-zero)
  int no_alt_platform_line = 0;
};

// Errors are exit_code::bad_config and name `source_name` and the line tinyxml2 reports.
// An empty (or whitespace- or comment-only) text is not an error: it has no entries.
Result<CcConfigView> read_cc_config(std::string_view xml, std::string_view source_name);

struct CcConfigEdit {
  std::string text;  // the new content; equal to the input when !changed
  bool changed = false;
  std::vector<std::string> added;              // entries written now
  std::vector<std::string> removed;            // entries of ours taken out now
  std::vector<AltPlatformEntry> user_entries;  // entries not ours: kept, whatever they name
  std::vector<std::string> owned;              // what we own after the edit, sorted: store this
  // The <options> element is one we created for our entries (store this too): set when this
  // edit created it, kept while it exists, cleared when this edit took it out again.
  bool options_ours = false;
  bool no_alt_platform = false;    // the user's <no_alt_platform> (kept, reported)
  std::vector<std::string> notes;  // things a person should know, e.g. an entry of
                                   // ours that someone removed by hand
};

// Makes the <alt_platform> entries WE own equal to `want_ours`:
//  - an entry is ours when its name is in `previously_ours` (one entry per name; any other
//    entry of that name, and every other entry, is the user's and is never touched);
//  - a wanted name that the user already lists is not added again, and not owned;
//  - new entries go right after the <options> start tag (creating <options>, and
//    <cc_config> in an empty file, when missing), indented like their neighbours;
//  - `options_ours` says the <options> element is one an earlier edit created: when this edit
//    takes out entries and leaves it empty (nothing but whitespace inside), it goes too, so
//    withdrawing everything gives back the file as it was before (issue 13: a purge left an
//    empty <options> of ours).
// `want_ours` holds BOINC platform names (validated: no spaces or markup); order is kept.
// Errors: malformed XML, a root other than <cc_config> (bad_config, with file:line); a name
// that is not a platform name (usage); a layout where an edit cannot be placed without
// rewriting user content (bad_config, says which line to split).
Result<CcConfigEdit> edit_alt_platforms(std::string_view xml, std::string_view source_name,
                                        const std::vector<std::string>& want_ours,
                                        const std::vector<std::string>& previously_ours, bool options_ours = false);

// A BOINC platform name as it may appear in cc_config.xml: [A-Za-z0-9._+-], 1..64 chars.
bool valid_boinc_platform_name(std::string_view name);

}  // namespace platformd
