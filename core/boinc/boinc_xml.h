// The bounded XML reading every BOINC document goes through (GUI RPC replies, client_state.xml):
// the size and the number of tags are checked before tinyxml2 builds anything, since its DOM is
// what a crafted document would bloat. Pure.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <tinyxml2.h>

#include "boinc/boinc_state.h"
#include "result.h"

namespace platformd {

// `xml` parsed, or an error naming `source` when it is larger than `limits` allow (bytes, tags)
// or malformed.
Result<std::unique_ptr<tinyxml2::XMLDocument>> load_bounded_xml(std::string_view xml, std::string_view source,
                                                                const BoincStateLimits& limits);

// The text of `parent`'s first `child` element, surrounding whitespace dropped; "" when absent.
std::string child_text(const tinyxml2::XMLElement* parent, const char* child);

// The `child` element of a GUI RPC reply's <boinc_gui_rpc_reply>. An <error> or
// <unauthorized> answer, or a reply without `child`, is an error naming `source`.
Result<const tinyxml2::XMLElement*> gui_rpc_reply_child(const tinyxml2::XMLDocument& d, const char* child,
                                                        std::string_view source);

}  // namespace platformd
