// Text from programs we do not trust: a probe runs under the translator being tested, so its
// output and its stderr can hold anything. Splitting it into lines, and quoting it for
// messages so that no control byte or invalid UTF-8 reaches a terminal, the journal, a D-Bus
// string or state.json.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace platformd {

// The lines of `text`, split at '\n' (the '\n' not included). A final '\n' ends the last line
// and does not start an empty one; "" has no lines.
std::vector<std::string_view> split_lines(std::string_view text);

// `s` cut to `max` bytes (then "..." appended), printable ASCII kept and every other byte
// written as \xNN: the result is one line of printable ASCII, whatever `s` was.
std::string quote_untrusted(std::string_view s, std::size_t max = 64);

// An excerpt of a program's stderr for a message: trailing whitespace dropped, then quoted as
// above and cut at `max` bytes. "" when there is nothing but whitespace.
std::string stderr_excerpt(std::string_view err, std::size_t max = 200);

}  // namespace platformd
