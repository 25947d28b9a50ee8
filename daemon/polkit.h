// Authorisation of the calls that change or probe the machine (Enable, Disable, Verify).
// Root callers are allowed at once; everyone else is asked of polkit
// (org.freedesktop.PolicyKit1.Authority.CheckAuthorization, subject "system-bus-name"), the way
// systemd's bus-polkit.c does it. Without polkit on the bus, non-root callers are denied.
//
// The check runs BEFORE the operation touches anything, and asynchronously: an interactive
// authentication can take minutes, and the daemon keeps answering queries meanwhile.
#pragma once

#include <functional>
#include <list>
#include <optional>
#include <string>

#include <systemd/sd-bus.h>

#include "system/sd_ptr.h"

namespace platformd::daemon {

struct Denial {
  std::string error_name;  // io.github.platformd1.Error.AccessDenied, or ...InteractiveAuthorizationRequired
  std::string message;     // says what to do about it
};

// Who sent a message, as far as authorisation and logs are concerned.
struct Caller {
  bool known = false;
  uid_t euid = static_cast<uid_t>(-1);
  std::string describe() const;  // "uid 1000" or "unknown"
};
Caller caller_of(sd_bus_message* call);

class Authorizer {
 public:
  using Done = std::function<void(std::optional<Denial>)>;

  explicit Authorizer(sd_bus* bus) : bus_(bus) {}
  Authorizer(const Authorizer&) = delete;
  Authorizer& operator=(const Authorizer&) = delete;

  // Calls done(nullopt) when the sender of `call` may perform `action`, done(denial) when not.
  // `done` may run before check() returns (root, or an immediate failure).
  void check(sd_bus_message* call, const char* action, Done done);

  std::size_t pending() const { return pending_.size(); }

 private:
  struct Pending {
    Authorizer* self = nullptr;
    sd::Slot slot;  // the outstanding CheckAuthorization call; dropping it cancels it
    Done done;
  };
  static int on_reply(sd_bus_message* reply, void* userdata, sd_bus_error* ret_error);

  sd_bus* bus_;
  std::list<Pending> pending_;  // list: stable addresses while a reply is outstanding
};

}  // namespace platformd::daemon
