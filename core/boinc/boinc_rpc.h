// The BOINC client's GUI RPC, over Machine::loopback_exchange: one framed request, one reply,
// bounded in time and size. Only requests that need no password from 127.0.0.1 are used
// (get_state, get_messages, get_old_results).
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "boinc/boinc_messages.h"
#include "boinc/boinc_state.h"
#include "result.h"
#include "system/machine.h"

namespace platformd {

struct GuiRpcEndpoint {
  int port = 31416;                          // the client's --gui_rpc_port
  std::chrono::milliseconds timeout{10000};  // for the whole exchange
  std::size_t max_reply = kMaxBoincStateBytes;
};

// "<boinc_gui_rpc_request>\n" BODY "\n</boinc_gui_rpc_request>\n\003": the client reads up to
// the \003 and answers "<boinc_gui_rpc_reply>...</boinc_gui_rpc_reply>\n\003".
std::string frame_gui_rpc_request(std::string_view body);

// "127.0.0.1:31416", for messages.
std::string describe(const GuiRpcEndpoint& e);

// get_state. nullopt when nothing answers (connection refused, timeout: `why_unreachable` says
// which). An answer that is empty, cut short, not XML, an <error>, larger than max_reply or
// past kGetStateLimits is an Error naming the endpoint.
Result<std::optional<BoincClientState>> rpc_get_state(Machine& m, const GuiRpcEndpoint& e,
                                                      std::string* why_unreachable = nullptr);

// get_messages (the whole event log the client keeps) and get_old_results, with the same
// outcomes as rpc_get_state; each reply is bounded by its own limits (boinc_messages.h).
Result<std::optional<std::vector<BoincMessage>>> rpc_get_messages(Machine& m, const GuiRpcEndpoint& e);
Result<std::optional<std::vector<BoincOldResult>>> rpc_get_old_results(Machine& m, const GuiRpcEndpoint& e);

}  // namespace platformd
