// The JSON form of an apply report: what `platformctl apply --json` prints and the Ansible
// collection (ansible/) reads. Documented field by field in docs/fleet.md.
#pragma once

#include <nlohmann/json.hpp>

#include "apply/applier.h"

namespace platformd {

nlohmann::json to_json(const ApplyReport& r);

}  // namespace platformd
