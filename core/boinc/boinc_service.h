// The BOINC client as a systemd service: is boinc-client.service there and active, where does
// it run (WorkingDirectory), and restarting it over sd-bus (org.freedesktop.systemd1). A
// restart is needed because the client builds its platform list once, at start: re-reading
// cc_config.xml logs the new alt_platform but does not apply it (observed on 7.20.5).
//
// Abstract so that the sync logic can be tested without a system bus.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "result.h"

namespace platformd {

inline constexpr const char* kBoincUnit = "boinc-client.service";

struct BoincUnit {
  std::string name;
  std::string load_state;         // "loaded", "not-found", "masked", ...
  std::string active_state;       // "active", "inactive", "failed", "activating", ...
  std::string working_directory;  // the Service's WorkingDirectory= ("" when unset)
  std::uint32_t main_pid = 0;
  std::string exec_path;  // the program of the first ExecStart= ("" when unknown)
  bool loaded() const { return load_state == "loaded"; }
  bool running() const {
    return active_state == "active" || active_state == "activating" || active_state == "reloading";
  }
};

class BoincServiceControl {
 public:
  virtual ~BoincServiceControl() = default;
  // nullopt when there is no systemd to ask (no system bus, or systemd not on it).
  virtual Result<std::optional<BoincUnit>> query() = 0;
  // Restarts the unit and waits for the job to finish (not for the client to answer).
  virtual Result<void> restart(std::chrono::milliseconds timeout) = 0;
};

// Talks to systemd on the system bus (sd_bus_open_system honours DBUS_SYSTEM_BUS_ADDRESS).
class SystemdBoincService final : public BoincServiceControl {
 public:
  explicit SystemdBoincService(std::string unit = kBoincUnit) : unit_(std::move(unit)) {}
  Result<std::optional<BoincUnit>> query() override;
  Result<void> restart(std::chrono::milliseconds timeout) override;

 private:
  std::string unit_;
};

}  // namespace platformd
