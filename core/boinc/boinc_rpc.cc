// GUI RPC framing. The reply is parsed with tinyxml2 (core/boinc/boinc_state.cc); here only the
// transport outcomes are told apart, because callers treat "no client" and "a client that
// answers nonsense" differently (the first is a normal state of a host, the second is not).
#include "boinc/boinc_rpc.h"

#include "exit_codes.h"

namespace platformd {

std::string frame_gui_rpc_request(std::string_view body) {
  return fmt::format("<boinc_gui_rpc_request>\n{}\n</boinc_gui_rpc_request>\n\003", body);
}

std::string describe(const GuiRpcEndpoint& e) {
  return fmt::format("127.0.0.1:{}", e.port);
}

Result<std::optional<BoincClientState>> rpc_get_state(Machine& m, const GuiRpcEndpoint& e,
                                                      std::string* why_unreachable) {
  if (e.port <= 0 || e.port > 65535) return fail(exit_code::usage, "GUI RPC port {} is out of range", e.port);
  auto reply = m.loopback_exchange(e.port, frame_gui_rpc_request("<get_state/>"), '\003', e.timeout, e.max_reply);
  if (!reply) {
    // A reply past the cap came from a peer that answered, with more than a real client's
    // state (kGetStateLimits): an error, so that nobody reads it as "no client here".
    if (reply.error().code == exit_code::bad_config)
      return fail(exit_code::failure, "{} (a real client's get_state is about 1 KB per task); not believed",
                  reply.error().message);
    if (why_unreachable) *why_unreachable = reply.error().message;
    return std::optional<BoincClientState>{};
  }
  const std::string source = fmt::format("BOINC GUI RPC reply from {}", describe(e));
  if (reply->find_first_not_of(" \t\r\n") == std::string::npos)
    return fail(exit_code::failure, "{}: the connection closed without an answer", source);
  auto state = parse_get_state_reply(*reply, source);
  if (!state) return state.error();
  return std::optional<BoincClientState>(std::move(*state));
}

}  // namespace platformd
