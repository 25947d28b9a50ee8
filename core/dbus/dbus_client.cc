#include "dbus/dbus_client.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "dbus/apply_codec.h"
#include "dbus/dbus_codec.h"
#include "dbus/dbus_names.h"
#include "exit_codes.h"
#include "system/sd_ptr.h"

namespace platformd {

namespace {

// Queries answer in milliseconds; operations run probes and benchmarks and may restart the
// BOINC client, so they get a generous bound instead of sd-bus's default 25 s.
constexpr uint64_t kQueryTimeoutUsec = 60ULL * 1000 * 1000;
constexpr uint64_t kActionTimeoutUsec = 30ULL * 60 * 1000 * 1000;

// Opens the bus; nullopt when there is no bus to talk to (no socket, refused).
std::optional<sd::Bus> open_bus() {
  sd_bus* raw = nullptr;
  int r;
  const char* address = std::getenv(dbus::kBusAddressEnv);
  if (address && *address) {
    if (sd_bus_new(&raw) < 0) return std::nullopt;
    sd::Bus bus(raw);
    if (sd_bus_set_address(raw, address) < 0 || sd_bus_set_bus_client(raw, 1) < 0) return std::nullopt;
    r = sd_bus_start(raw);
    if (r < 0) return std::nullopt;
    raw = bus.release();
  } else {
    r = sd_bus_open_system(&raw);
    if (r < 0) return std::nullopt;
  }
  sd::Bus bus(raw);
  (void)sd_bus_set_description(raw, "platformctl");
  // Lets polkit ask for a password through the caller's agent (pkttyagent, a desktop agent)
  // instead of refusing outright.
  (void)sd_bus_set_allow_interactive_authorization(raw, 1);
  return bus;
}

// Errors that mean "nobody serves the name", as opposed to "the daemon said no".
bool means_unreachable(std::string_view name) {
  return name == SD_BUS_ERROR_SERVICE_UNKNOWN || name == SD_BUS_ERROR_NAME_HAS_NO_OWNER ||
         name.substr(0, 32) == "org.freedesktop.DBus.Error.Spawn";
}

Error map_error(const sd::BusError& e) {
  std::string_view name = e.name();
  std::string msg = e.message();
  if (auto code = dbus::code_for_error_name(name)) return Error{msg, *code};
  if (name == SD_BUS_ERROR_INVALID_ARGS) return Error{msg, exit_code::usage};
  if (name == SD_BUS_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED)
    return Error{"platformd: authentication is required; run as root, or start a polkit agent (pkttyagent) and retry",
                 exit_code::failure};
  if (name == SD_BUS_ERROR_ACCESS_DENIED)
    return Error{fmt::format("the bus refused the call to platformd ({}); is {}.conf installed in "
                             "/usr/share/dbus-1/system.d?",
                             msg, dbus::kBusName),
                 exit_code::failure};
  return Error{fmt::format("platformd over D-Bus: {} ({})", msg, name), exit_code::failure};
}

sd::Message new_call(sd_bus* bus, const char* member) {
  sd_bus_message* m = nullptr;
  if (sd_bus_message_new_method_call(bus, &m, dbus::kBusName, dbus::kObjectPath, dbus::kInterface, member) < 0)
    return nullptr;
  return sd::Message(m);
}

Error encode_failure(int r) {
  return Error{fmt::format("platformd over D-Bus: cannot build the request: {}", std::strerror(-r)),
               exit_code::failure};
}

Error decode_failure(const char* member, int r) {
  return Error{fmt::format("platformd over D-Bus: cannot read the reply to {}: {} (daemon and platformctl of "
                           "different versions?)",
                           member, std::strerror(-r)),
               exit_code::failure};
}

// Sends one call and waits for its reply, which may be an error reply: sd_bus_call() would
// drop an error's body, and our error replies can carry a batch's lines after the message.
// nullopt when the daemon is not reachable.
Result<std::optional<sd::Message>> call(sd_bus* bus, sd_bus_message* m, uint64_t timeout_usec) {
  struct Pending {
    sd::Message reply;
  } pending;
  auto on_reply = [](sd_bus_message* reply, void* userdata, sd_bus_error*) -> int {
    static_cast<Pending*>(userdata)->reply = sd::ref(reply);
    return 0;
  };
  sd_bus_slot* raw_slot = nullptr;
  int r = sd_bus_call_async(bus, &raw_slot, m, on_reply, &pending, timeout_usec);
  if (r == -ECONNREFUSED || r == -ENOENT || r == -ECONNRESET || r == -ENOTCONN) return std::optional<sd::Message>();
  if (r < 0) return Error{fmt::format("platformd over D-Bus: {}", std::strerror(-r)), exit_code::failure};
  sd::Slot slot(raw_slot);
  while (!pending.reply) {
    r = sd_bus_process(bus, nullptr);
    if (r > 0) continue;
    if (r == 0) r = sd_bus_wait(bus, UINT64_MAX);
    if (r < 0 && !pending.reply)
      return Error{fmt::format("platformd over D-Bus: connection lost: {}", std::strerror(-r)), exit_code::failure};
  }
  if (const sd_bus_error* e = sd_bus_message_get_error(pending.reply.get());
      e && means_unreachable(e->name ? e->name : ""))
    return std::optional<sd::Message>();
  return std::optional<sd::Message>(std::move(pending.reply));
}

// The mapped error when `reply` is an error reply; nullopt for a method return.
std::optional<Error> error_of(sd_bus_message* reply) {
  const sd_bus_error* e = sd_bus_message_get_error(reply);
  if (!e) return std::nullopt;
  sd::BusError copy;
  sd_bus_error_copy(copy.get(), e);
  return map_error(copy);
}

// Options travel as a{sv}, so that new ones do not change the method's signature.
int append_options(sd_bus_message* m, const std::vector<std::pair<const char*, bool>>& opts,
                   const std::vector<std::pair<const char*, std::string>>& words = {}) {
  int r = sd_bus_message_open_container(m, 'a', "{sv}");
  if (r < 0) return r;
  for (const auto& [key, value] : opts)
    if ((r = sd_bus_message_append(m, "{sv}", key, "b", static_cast<int>(value))) < 0) return r;
  for (const auto& [key, value] : words)
    if ((r = sd_bus_message_append(m, "{sv}", key, "s", value.c_str())) < 0) return r;
  return sd_bus_message_close_container(m);
}

Result<std::optional<ChangeReport>> change(const char* member, const std::vector<std::string>& names,
                                           const ChangeOptions& o) {
  auto bus = open_bus();
  if (!bus) return std::optional<ChangeReport>();
  auto m = new_call(bus->get(), member);
  if (!m) return encode_failure(-ENOMEM);
  int r = dbus::append_strv(m.get(), names);
  bool is_disable = std::string_view(member) == "Disable";
  if (r >= 0 && is_disable) r = sd_bus_message_append(m.get(), "b", static_cast<int>(o.force));
  if (r >= 0) {
    std::vector<std::pair<const char*, bool>> opts{{"restart_boinc", o.restart_boinc}};
    if (!is_disable) opts.emplace_back("strict", o.strict);
    // Sent only when set: a daemon that does not know the option refuses it (InvalidArgs)
    // rather than ignoring it, and plain calls stay what they always were.
    if (is_disable && o.keep_busy) opts.emplace_back("keep_busy", true);
    if (!is_disable && o.allow_slow) opts.emplace_back("allow_slow", true);
    if (!is_disable && o.take_over) opts.emplace_back("take_over", true);
    if (!is_disable && o.force) opts.emplace_back("force", true);
    std::vector<std::pair<const char*, std::string>> words;
    if (!is_disable && o.scope) words.emplace_back("scope", std::string(to_string(*o.scope)));
    r = append_options(m.get(), opts, words);
  }
  if (r < 0) return encode_failure(r);
  auto reply = call(bus->get(), m.get(), kActionTimeoutUsec);
  if (!reply) return reply.error();
  if (!*reply) return std::optional<ChangeReport>();
  sd_bus_message* msg = reply->value().get();
  ChangeReport rep;
  if (auto err = error_of(msg)) {
    // A batch that failed part-way: the error's body is "s message" then the report. A plain
    // error (nothing was done) has the message only.
    const char* text = nullptr;
    if (sd_bus_message_rewind(msg, 1) < 0 || sd_bus_message_read_basic(msg, 's', &text) <= 0 ||
        dbus::read_change_report(msg, rep) < 0)
      return *err;
    rep.error = std::move(*err);
    return std::optional<ChangeReport>(std::move(rep));
  }
  if ((r = dbus::read_change_report(msg, rep)) < 0) return decode_failure(member, r);
  return std::optional<ChangeReport>(std::move(rep));
}

}  // namespace

Result<std::optional<StatusReport>> try_status_via_daemon() {
  auto bus = open_bus();
  if (!bus) return std::optional<StatusReport>();
  StatusReport rep;

  // Platforms first: GetHostInfo then answers from the same snapshot.
  auto m = new_call(bus->get(), "ListPlatforms");
  if (!m) return encode_failure(-ENOMEM);
  auto reply = call(bus->get(), m.get(), kQueryTimeoutUsec);
  if (!reply) return reply.error();
  if (!*reply) return std::optional<StatusReport>();
  if (auto err = error_of(reply->value().get())) return *err;
  int r = dbus::read_platforms(reply->value().get(), rep.platforms);
  if (r >= 0) r = dbus::read_strv(reply->value().get(), rep.notes);
  if (r < 0) return decode_failure("ListPlatforms", r);

  m = new_call(bus->get(), "GetHostInfo");
  if (!m) return encode_failure(-ENOMEM);
  reply = call(bus->get(), m.get(), kQueryTimeoutUsec);
  if (!reply) return reply.error();
  if (!*reply) return std::optional<StatusReport>();
  if (auto err = error_of(reply->value().get())) return *err;
  if ((r = dbus::read_host(reply->value().get(), rep.host)) < 0) return decode_failure("GetHostInfo", r);

  // A daemon older than GetUptake (a package not yet restarted after an upgrade) answers
  // UnknownMethod: its status is whole without uptake.
  m = new_call(bus->get(), "GetUptake");
  if (!m) return encode_failure(-ENOMEM);
  reply = call(bus->get(), m.get(), kQueryTimeoutUsec);
  if (!reply) return reply.error();
  if (!*reply) return std::optional<StatusReport>();
  if (sd_bus_message_is_method_error(reply->value().get(), SD_BUS_ERROR_UNKNOWN_METHOD) > 0)
    return std::optional<StatusReport>(std::move(rep));
  if (auto err = error_of(reply->value().get())) return *err;
  if ((r = dbus::read_uptake(reply->value().get(), rep.uptake)) < 0) return decode_failure("GetUptake", r);
  return std::optional<StatusReport>(std::move(rep));
}

Result<std::optional<ChangeReport>> try_enable_via_daemon(const std::vector<std::string>& names,
                                                          const ChangeOptions& o) {
  return change("Enable", names, o);
}

Result<std::optional<ChangeReport>> try_disable_via_daemon(const std::vector<std::string>& names,
                                                           const ChangeOptions& o) {
  return change("Disable", names, o);
}

Result<std::optional<std::vector<VerifyResult>>> try_verify_via_daemon(const std::vector<std::string>& names,
                                                                       const VerifyOptions& o) {
  using Out = std::optional<std::vector<VerifyResult>>;
  if (o.translator || o.native) return Out();
  auto bus = open_bus();
  if (!bus) return Out();
  auto m = new_call(bus->get(), "Verify");
  if (!m) return encode_failure(-ENOMEM);
  int r = dbus::append_strv(m.get(), names);
  if (r >= 0 && o.allow_slow)
    r = append_options(m.get(), {{"strict", o.strict}, {"allow_slow", true}});
  else if (r >= 0)
    r = append_options(m.get(), {{"strict", o.strict}});
  if (r < 0) return encode_failure(r);
  auto reply = call(bus->get(), m.get(), kActionTimeoutUsec);
  if (!reply) return reply.error();
  if (!*reply) return Out();
  if (auto err = error_of(reply->value().get())) return *err;
  std::vector<VerifyResult> results;
  if ((r = dbus::read_verify_results(reply->value().get(), results)) < 0) return decode_failure("Verify", r);
  return Out(std::move(results));
}

Result<std::optional<ApplyReport>> try_apply_via_daemon(const std::string& document, const std::string& source,
                                                        const ApplyOptions& o) {
  using Out = std::optional<ApplyReport>;
  auto bus = open_bus();
  if (!bus) return Out();
  auto m = new_call(bus->get(), "Apply");
  if (!m) return encode_failure(-ENOMEM);
  int r = sd_bus_message_append(m.get(), "ss", document.c_str(), source.c_str());
  if (r >= 0) r = append_options(m.get(), {{"check", o.check}, {"restart_boinc", o.restart_boinc}});
  if (r < 0) return encode_failure(r);
  auto reply = call(bus->get(), m.get(), kActionTimeoutUsec);
  if (!reply) return reply.error();
  if (!*reply) return Out();
  sd_bus_message* msg = reply->value().get();
  ApplyReport rep;
  rep.source = source;
  rep.check = o.check;
  if (auto err = error_of(msg)) {
    // As for Enable: a run in which a platform failed answers with that error, and its body
    // carries the report after the message. A plain error (nothing was done) has none.
    const char* text = nullptr;
    if (sd_bus_message_rewind(msg, 1) < 0 || sd_bus_message_read_basic(msg, 's', &text) <= 0 ||
        dbus::read_apply_report(msg, rep) < 0)
      return *err;
    rep.error = std::move(*err);
    return Out(std::move(rep));
  }
  if ((r = dbus::read_apply_report(msg, rep)) < 0) return decode_failure("Apply", r);
  return Out(std::move(rep));
}

}  // namespace platformd
