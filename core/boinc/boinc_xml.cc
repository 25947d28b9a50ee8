#include "boinc/boinc_xml.h"

#include <algorithm>

#include "exit_codes.h"

namespace platformd {

using tinyxml2::XMLDocument;
using tinyxml2::XMLElement;

Result<std::unique_ptr<XMLDocument>> load_bounded_xml(std::string_view xml, std::string_view source,
                                                      const BoincStateLimits& limits) {
  if (xml.size() > limits.max_bytes)
    return fail(exit_code::failure, "{}: {} bytes, more than the {} accepted", source, xml.size(),
                limits.max_bytes >= (1u << 20) ? fmt::format("{} MiB", limits.max_bytes >> 20)
                                               : fmt::format("{} KiB", limits.max_bytes >> 10));
  if (auto tags = static_cast<std::size_t>(std::count(xml.begin(), xml.end(), '<')); tags > limits.max_tags)
    return fail(exit_code::failure, "{}: {} XML tags, more than the {} accepted; not parsed", source, tags,
                limits.max_tags);
  auto d = std::make_unique<XMLDocument>(true, tinyxml2::COLLAPSE_WHITESPACE);
  if (d->Parse(xml.data(), xml.size()) != tinyxml2::XML_SUCCESS)
    return fail(exit_code::failure, "{}:{}: malformed XML ({})", source, d->ErrorLineNum(), d->ErrorName());
  return d;
}

std::string child_text(const XMLElement* parent, const char* child) {
  const XMLElement* e = parent->FirstChildElement(child);
  const char* t = e ? e->GetText() : nullptr;
  if (!t) return {};
  std::string_view s(t);
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  auto end = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, end - b + 1));
}

Result<const XMLElement*> gui_rpc_reply_child(const XMLDocument& d, const char* child, std::string_view source) {
  const XMLElement* root = d.FirstChildElement("boinc_gui_rpc_reply");
  if (!root) return fail(exit_code::failure, "{}: not a GUI RPC reply (no <boinc_gui_rpc_reply>)", source);
  if (const XMLElement* err = root->FirstChildElement("error"))
    return fail(exit_code::failure, "{}: the client answered with an error: {}", source,
                err->GetText() ? err->GetText() : "(no text)");
  if (root->FirstChildElement("unauthorized"))
    return fail(exit_code::failure, "{}: the client refused the request (unauthorized)", source);
  const XMLElement* c = root->FirstChildElement(child);
  if (!c) return fail(exit_code::failure, "{}: the reply has no <{}>", source, child);
  return c;
}

}  // namespace platformd
