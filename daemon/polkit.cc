#include "polkit.h"

#include <fmt/format.h>

#include "dbus/dbus_names.h"

namespace platformd::daemon {

namespace {

constexpr const char* kPolkitName = "org.freedesktop.PolicyKit1";
constexpr const char* kPolkitPath = "/org/freedesktop/PolicyKit1/Authority";
constexpr const char* kPolkitInterface = "org.freedesktop.PolicyKit1.Authority";
constexpr uint32_t kAllowUserInteraction = 1;  // CheckAuthorizationFlags
// A person may be typing a password; without interaction polkit answers at once.
constexpr uint64_t kInteractiveTimeoutUsec = 5ULL * 60 * 1000 * 1000;
constexpr uint64_t kPlainTimeoutUsec = 25ULL * 1000 * 1000;

Denial access_denied(std::string why) {
  return Denial{dbus::kErrorAccessDenied, std::move(why)};
}

}  // namespace

std::string Caller::describe() const {
  return known ? fmt::format("uid {}", euid) : "unknown caller";
}

Caller caller_of(sd_bus_message* call) {
  Caller c;
  sd_bus_creds* raw = nullptr;
  // The bus daemon vouches for the credentials (SO_PEERCRED at connect time). Augmented
  // credentials are read from /proc afterwards and can be raced, so they never authorise.
  if (sd_bus_query_sender_creds(call, SD_BUS_CREDS_EUID, &raw) < 0) return c;
  sd::Creds creds(raw);
  if (sd_bus_creds_get_augmented_mask(raw) & SD_BUS_CREDS_EUID) return c;
  uid_t euid;
  if (sd_bus_creds_get_euid(raw, &euid) < 0) return c;
  c.known = true;
  c.euid = euid;
  return c;
}

void Authorizer::check(sd_bus_message* call, const char* action, Done done) {
  Caller who = caller_of(call);
  if (who.known && who.euid == 0) return done(std::nullopt);

  const char* sender = sd_bus_message_get_sender(call);
  if (!sender) return done(access_denied("platformd: the caller has no bus name; only root may do this"));

  sd_bus_message* raw = nullptr;
  int r = sd_bus_message_new_method_call(bus_, &raw, kPolkitName, kPolkitPath, kPolkitInterface, "CheckAuthorization");
  if (r < 0) return done(access_denied(fmt::format("platformd: cannot ask polkit: {}", strerror(-r))));
  sd::Message m(raw);
  bool interactive = sd_bus_message_get_allow_interactive_authorization(call) > 0;
  // subject (sa{sv}) = ("system-bus-name", {"name": <sender>}): polkit resolves the bus name to
  // a process and user itself, which cannot be raced the way a PID can.
  r = sd_bus_message_append(m.get(), "(sa{sv})sa{ss}us", "system-bus-name", 1, "name", "s", sender, action, 0,
                            interactive ? kAllowUserInteraction : 0u, "");
  if (r < 0) return done(access_denied(fmt::format("platformd: cannot ask polkit: {}", strerror(-r))));

  auto& p = pending_.emplace_back();
  p.self = this;
  p.done = std::move(done);
  sd_bus_slot* slot = nullptr;
  r = sd_bus_call_async(bus_, &slot, m.get(), on_reply, &p, interactive ? kInteractiveTimeoutUsec : kPlainTimeoutUsec);
  if (r < 0) {
    Done d = std::move(p.done);
    pending_.pop_back();
    return d(access_denied(fmt::format("platformd: cannot ask polkit: {}", strerror(-r))));
  }
  p.slot.reset(slot);
}

int Authorizer::on_reply(sd_bus_message* reply, void* userdata, sd_bus_error*) {
  auto* p = static_cast<Pending*>(userdata);
  Authorizer* self = p->self;
  Done done = std::move(p->done);
  // Drop the bookkeeping before running the operation: sd-bus holds its own reference to the
  // slot while this callback runs, so releasing ours here is safe.
  self->pending_.remove_if([p](const Pending& q) { return &q == p; });

  if (const sd_bus_error* e = sd_bus_message_get_error(reply)) {
    std::string name = e->name ? e->name : "";
    if (name == SD_BUS_ERROR_SERVICE_UNKNOWN || name == SD_BUS_ERROR_NAME_HAS_NO_OWNER)
      done(
          access_denied("platformd: only root may do this here: polkit is not available on this system to "
                        "authorise other users (run the command as root, or install polkitd)"));
    else
      done(access_denied(fmt::format("platformd: polkit could not decide ({}: {}); run the command as root", name,
                                     e->message ? e->message : "")));
    return 0;
  }
  int authorized = 0, challenge = 0;
  if (sd_bus_message_enter_container(reply, 'r', "bba{ss}") < 0 ||
      sd_bus_message_read(reply, "bb", &authorized, &challenge) < 0) {
    done(access_denied("platformd: polkit sent a reply we cannot read; run the command as root"));
    return 0;
  }
  if (authorized)
    done(std::nullopt);
  else if (challenge)
    done(Denial{SD_BUS_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED,
                "platformd: authentication is required; retry with a polkit agent running (pkttyagent), or as root"});
  else
    done(access_denied("platformd: not authorised by polkit; ask an administrator, or run the command as root"));
  return 0;
}

}  // namespace platformd::daemon
