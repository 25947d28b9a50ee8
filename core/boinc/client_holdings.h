// What the BOINC client holds (tasks, app versions), for deciding whether a platform may be
// withdrawn. Nothing a GUI RPC peer says can make that list shorter: any local user can bind
// 127.0.0.1:31416 while the client is stopped and answer get_state with "no tasks". So the
// state files the client itself loads at start (written by the client's user, in its data
// directory) are always read too, and the answer is the UNION: a task is unfinished when any
// source says so.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "boinc/boinc_rpc.h"
#include "boinc/boinc_state.h"
#include "result.h"
#include "system/machine.h"

namespace platformd {

struct ClientHoldings {
  // nullopt: no peer answered and no state file exists: the client holds nothing here.
  std::optional<BoincClientState> state;
  std::string sources;                // "the BOINC client on 127.0.0.1:31416 and DIR/client_state.xml"
  std::vector<std::string> warnings;  // a source that was not believed or not read, and why
};

// One state file, read with the bounds of kClientStateFileLimits. Every read of the client's
// own files goes through here.
Result<std::string> read_client_state_file(Machine& m, const fs::path& file);

// `rpc` is the get_state answer (rpc_get_state's result). The state files: the union of
// client_state_next.xml and client_state.xml, those that parse (the client writes next, then
// renames it over the current one, so either may hold the newest tasks); client_state_prev.xml
// only when neither does (the client would load it then). An RPC answer that is an error is
// not believed (a warning; the files decide). Error (the caller cannot tell, so it must not
// withdraw): state files exist and none of them can be read.
Result<ClientHoldings> read_client_holdings(Machine& m, const fs::path& data_dir,
                                            const Result<std::optional<BoincClientState>>& rpc,
                                            const GuiRpcEndpoint& ep);

// The union of several views of one client: the platform list and version of the first, every
// task and app version of all, each once (project, name, platform); a task listed unfinished by
// any view is kept unfinished. Pure.
BoincClientState merge_client_states(const std::vector<BoincClientState>& views);

}  // namespace platformd
