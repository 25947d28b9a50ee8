#include "boinc/boinc_messages.h"

#include <algorithm>
#include <cstdlib>

#include "boinc/boinc_xml.h"
#include "exit_codes.h"

namespace platformd {

namespace {

using tinyxml2::XMLElement;

// A client's seqno and time are ints; a peer may send anything. Clamped to +-2^40, so that
// arithmetic on them (uptake.cc compares times) cannot overflow (found by fuzz_uptake:
// "time-overflow", a time of 9223372036854775807).
long long integer_of(const XMLElement* parent, const char* child) {
  constexpr long long kMax = 1LL << 40;
  return std::clamp(std::strtoll(child_text(parent, child).c_str(), nullptr, 10), -kMax, kMax);
}

double real_of(const XMLElement* parent, const char* child) {
  return std::strtod(child_text(parent, child).c_str(), nullptr);
}

// The <item> children of a GUI RPC reply's <list>, each made into a T by `make`, at most
// limits.max_items of them.
template <typename T, typename Make>
Result<std::vector<T>> parse_items(std::string_view reply, std::string_view source, const BoincStateLimits& limits,
                                   const char* list, const char* item, Make make) {
  auto d = load_bounded_xml(reply, source, limits);
  if (!d) return d.error();
  auto parent = gui_rpc_reply_child(**d, list, source);
  if (!parent) return parent.error();
  std::vector<T> out;
  for (const XMLElement* e = (*parent)->FirstChildElement(item); e; e = e->NextSiblingElement(item)) {
    if (out.size() >= limits.max_items)
      return fail(exit_code::failure, "{}: more than {} <{}> elements; not believed", source, limits.max_items, item);
    out.push_back(make(e));
  }
  return out;
}

}  // namespace

Result<std::vector<BoincMessage>> parse_get_messages_reply(std::string_view reply, std::string_view source,
                                                           const BoincStateLimits& limits) {
  return parse_items<BoincMessage>(reply, source, limits, "msgs", "msg", [](const XMLElement* e) {
    return BoincMessage{child_text(e, "project"), static_cast<int>(integer_of(e, "pri")), integer_of(e, "seqno"),
                        integer_of(e, "time"), child_text(e, "body")};
  });
}

Result<std::vector<BoincOldResult>> parse_get_old_results_reply(std::string_view reply, std::string_view source,
                                                                const BoincStateLimits& limits) {
  return parse_items<BoincOldResult>(reply, source, limits, "old_results", "old_result", [](const XMLElement* e) {
    return BoincOldResult{child_text(e, "project_url"), child_text(e, "result_name"), child_text(e, "app_name"),
                          static_cast<int>(integer_of(e, "exit_status")), real_of(e, "completed_time")};
  });
}

}  // namespace platformd
