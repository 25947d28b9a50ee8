// GUI RPC framing. The replies are parsed with tinyxml2 (boinc_state.cc, boinc_messages.cc);
// here only the transport outcomes are told apart, because callers treat "no client" and "a
// client that answers nonsense" differently (the first is a normal state of a host, the second
// is not).
#include "boinc/boinc_rpc.h"

#include "exit_codes.h"

namespace platformd {

namespace {

// One exchange: nullopt when nothing answers (`why_unreachable` says why), an error for a reply
// past `max_reply` or an empty one, else the reply for `parse`.
template <typename T, typename Parse>
Result<std::optional<T>> exchange(Machine& m, const GuiRpcEndpoint& e, std::string_view body, std::size_t max_reply,
                                  Parse parse, std::string* why_unreachable) {
  if (e.port <= 0 || e.port > 65535) return fail(exit_code::usage, "GUI RPC port {} is out of range", e.port);
  auto reply = m.loopback_exchange(e.port, frame_gui_rpc_request(body), '\003', e.timeout, max_reply);
  if (!reply) {
    // A reply past the cap came from a peer that answered, with more than a real client
    // sends: an error, so that nobody reads it as "no client here".
    if (reply.error().code == exit_code::bad_config)
      return fail(exit_code::failure, "{} (more than a real client sends); not believed", reply.error().message);
    if (why_unreachable) *why_unreachable = reply.error().message;
    return std::optional<T>{};
  }
  const std::string source = fmt::format("BOINC GUI RPC reply from {}", describe(e));
  if (reply->find_first_not_of(" \t\r\n") == std::string::npos)
    return fail(exit_code::failure, "{}: the connection closed without an answer", source);
  auto parsed = parse(*reply, source);
  if (!parsed) return parsed.error();
  return std::optional<T>(std::move(*parsed));
}

}  // namespace

std::string frame_gui_rpc_request(std::string_view body) {
  return fmt::format("<boinc_gui_rpc_request>\n{}\n</boinc_gui_rpc_request>\n\003", body);
}

std::string describe(const GuiRpcEndpoint& e) {
  return fmt::format("127.0.0.1:{}", e.port);
}

Result<std::optional<BoincClientState>> rpc_get_state(Machine& m, const GuiRpcEndpoint& e,
                                                      std::string* why_unreachable) {
  return exchange<BoincClientState>(
      m, e, "<get_state/>", e.max_reply,
      [](std::string_view r, std::string_view src) { return parse_get_state_reply(r, src); }, why_unreachable);
}

Result<std::optional<std::vector<BoincMessage>>> rpc_get_messages(Machine& m, const GuiRpcEndpoint& e) {
  return exchange<std::vector<BoincMessage>>(
      m, e, "<get_messages>\n<seqno>0</seqno>\n</get_messages>", kGetMessagesLimits.max_bytes,
      [](std::string_view r, std::string_view src) { return parse_get_messages_reply(r, src); }, nullptr);
}

Result<std::optional<std::vector<BoincOldResult>>> rpc_get_old_results(Machine& m, const GuiRpcEndpoint& e) {
  return exchange<std::vector<BoincOldResult>>(
      m, e, "<get_old_results/>", kGetOldResultsLimits.max_bytes,
      [](std::string_view r, std::string_view src) { return parse_get_old_results_reply(r, src); }, nullptr);
}

}  // namespace platformd
