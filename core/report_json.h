// JSON forms of the broker's reports: `platformctl --json` prints them, and they are the
// stable machine interface of the CLI (docs/man/platformctl.1, --json).
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "broker/broker.h"

namespace platformd {

nlohmann::json to_json(const StatusReport& r);
nlohmann::json to_json(const ChangeReport& r);
nlohmann::json to_json(const std::vector<VerifyResult>& r);

}  // namespace platformd
