// The BOINC client's event log (GUI RPC <get_messages/>) and the tasks it reported in the last
// hour (<get_old_results/>): what platformd reads to tell the owner what the projects'
// schedulers decided (broker/uptake). Neither needs the GUI RPC password from 127.0.0.1.
// Pure: the replies are parsed here, fetched in boinc/boinc_rpc.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "boinc/boinc_state.h"
#include "result.h"

namespace platformd {

// One event-log line. The body is the client's text, or a project's scheduler's, copied as
// sent: untrusted (quote it before it reaches a terminal).
struct BoincMessage {
  std::string project;  // project name; "" for the client's own lines
  int priority = 0;     // MSG_INFO 1, MSG_USER_ALERT 2, MSG_INTERNAL_ERROR 3, MSG_SCHEDULER_ALERT 4
  long long seqno = 0;
  long long time = 0;  // Unix seconds
  std::string body;
};

// A task the client reported and forgot (it keeps them for an hour, in memory only). The reply
// names no platform: uptake attributes one through the app's versions.
struct BoincOldResult {
  std::string project_url;
  std::string name;
  std::string app;
  int exit_status = 0;
  double completed_time = 0;
};

// The client keeps its last 2,000 messages (MAX_SAVED_MESSAGES in 7.20.5's client_msgs.h),
// each body cut to 1,023 bytes, and 14 tags per message: 2,000 full messages are 2.4 MB and
// 28,000 tags. Old results: one per task reported in the last hour, about 400 bytes and 11
// tags each; 5,000 of them.
inline constexpr BoincStateLimits kGetMessagesLimits{4u << 20, 60'000, 2'500};
inline constexpr BoincStateLimits kGetOldResultsLimits{4u << 20, 60'000, 5'000};

// <boinc_gui_rpc_reply><msgs><msg>...: oldest first, as the client sends them.
Result<std::vector<BoincMessage>> parse_get_messages_reply(std::string_view reply, std::string_view source,
                                                           const BoincStateLimits& limits = kGetMessagesLimits);

// <boinc_gui_rpc_reply><old_results><old_result>...
Result<std::vector<BoincOldResult>> parse_get_old_results_reply(std::string_view reply, std::string_view source,
                                                                const BoincStateLimits& limits = kGetOldResultsLimits);

}  // namespace platformd
