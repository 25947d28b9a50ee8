#include "bus_service.h"

#include <any>
#include <cerrno>
#include <cstring>
#include <exception>
#include <map>
#include <string_view>

#include <fmt/format.h>

#include "catalog.h"
#include "dbus/apply_codec.h"
#include "dbus/dbus_codec.h"
#include "dbus/dbus_names.h"
#include "exit_codes.h"
#include "fidelity/impact.h"
#include "journal.h"
#include "untrusted_text.h"

namespace platformd::daemon {

namespace {

// The vtable spells the wire types as literals (the SD_BUS_ARGS macros concatenate them);
// these keep them equal to the names the client reads with.
static_assert(std::string_view(dbus::kPlatformStatusType) == "(ssbsbssssdisassass)");
static_assert(std::string_view(dbus::kVerifyResultType) == "(ssbsa(sbbs)sddbbass)");

#ifndef PLATFORMD_VERSION
#define PLATFORMD_VERSION "unknown"
#endif

int set_error(sd_bus_error* ret, const Error& e) {
  return sd_bus_error_set(ret, dbus::error_name_for(e.code), e.message.c_str());
}

int reply_error(sd_bus_message* call, const char* name, const std::string& message) {
  return sd_bus_reply_method_errorf(call, name, "%s", message.c_str());
}

int internal_error(sd_bus_error* ret, const std::exception& e) {
  log_error("internal", fmt::format("internal error: {}", e.what()));
  return sd_bus_error_setf(ret, dbus::kErrorFailed, "platformd: internal error: %s", e.what());
}

// Reads the platform list and checks each name's spelling. Lookup (unknown names) is the
// broker's: its message lists the known platforms.
int read_names(sd_bus_message* m, std::vector<std::string>& names, bool allow_empty, sd_bus_error* ret) {
  int r = dbus::read_strv(m, names);
  if (r < 0) return r;
  if (names.empty() && !allow_empty)
    return sd_bus_error_set(ret, dbus::kErrorUnknownPlatform, "platformd: name at least one platform");
  if (names.size() > 64) return sd_bus_error_set(ret, SD_BUS_ERROR_INVALID_ARGS, "platformd: too many platforms");
  for (const auto& n : names)
    if (auto v = validate_platform_name(n); !v) return set_error(ret, v.error());
  return 0;
}

// a{sv} options, each a boolean from `known`. Unknown keys are errors: a misspelt option
// silently ignored would do the wrong thing as root.
// Reads an a{sv} of options: each key must be one of `known` (booleans) or `words` (strings:
// each a word the caller's spelling is checked against later).
int read_options(sd_bus_message* m, std::map<std::string, bool>& known, sd_bus_error* ret,
                 std::map<std::string, std::string>* words = nullptr) {
  int r = sd_bus_message_enter_container(m, 'a', "{sv}");
  if (r < 0) return r;
  while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
    const char* key = nullptr;
    if ((r = sd_bus_message_read(m, "s", &key)) < 0) return r;
    auto it = known.find(key);
    auto wt = words ? words->find(key) : std::map<std::string, std::string>::iterator{};
    if (it == known.end() && (!words || wt == words->end())) {
      std::string names;
      for (const auto& [k, v] : known) names += (names.empty() ? "" : ", ") + k;
      if (words)
        for (const auto& [k, v] : *words) names += (names.empty() ? "" : ", ") + k;
      return sd_bus_error_setf(ret, SD_BUS_ERROR_INVALID_ARGS, "platformd: unknown option \"%s\" (known: %s)", key,
                               names.c_str());
    }
    const char* contents = nullptr;
    char type = 0;
    if ((r = sd_bus_message_peek_type(m, &type, &contents)) < 0) return r;
    const char want = it != known.end() ? 'b' : 's';
    if (type != 'v' || !contents || std::string_view(contents) != std::string_view(&want, 1))
      return sd_bus_error_setf(ret, SD_BUS_ERROR_INVALID_ARGS, "platformd: option \"%s\" takes a %s", key,
                               want == 'b' ? "boolean" : "string");
    if (want == 'b') {
      int b = 0;
      if ((r = sd_bus_message_read(m, "v", "b", &b)) < 0) return r;
      it->second = b != 0;
    } else {
      const char* w = nullptr;
      if ((r = sd_bus_message_read(m, "v", "s", &w)) < 0) return r;
      wt->second = w ? w : "";
    }
    if ((r = sd_bus_message_exit_container(m)) < 0) return r;
  }
  if (r < 0) return r;
  return sd_bus_message_exit_container(m);
}

std::string joined(const std::vector<std::string>& v, std::string_view sep = ", ") {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : std::string(sep)) + s;
  return out;
}

}  // namespace

// clang-format off
const sd_bus_vtable BusService::kVtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_PROPERTY("Version", "s", get_property, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("HostArchitecture", "s", get_property, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("UserlandArchitecture", "s", get_property, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("UserlandBits", "i", get_property, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("BoincPlatform", "s", get_property, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("EnabledPlatforms", "as", get_property, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    // UNPRIVILEGED: sd-bus would otherwise demand CAP_SYS_ADMIN of the caller itself; we do
    // our own authorisation (polkit) where it is needed.
    SD_BUS_METHOD_WITH_ARGS("ListPlatforms", SD_BUS_NO_ARGS,
                            SD_BUS_RESULT("a(ssbsbssssdisassass)", platforms, "as", notes),
                            list_platforms, SD_BUS_VTABLE_UNPRIVILEGED),
    // The item type is dbus::kUptakeType (core/dbus/dbus_names.h).
    SD_BUS_METHOD_WITH_ARGS("GetUptake", SD_BUS_NO_ARGS,
                            SD_BUS_RESULT("a(sssiiiia(sis)(xias))", uptake),
                            get_uptake, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("GetHostInfo", SD_BUS_NO_ARGS,
                            SD_BUS_RESULT("s", kernel_arch, "i", userland_bits, "s", userland_arch,
                                          "s", boinc_platform, "as", native_compat),
                            get_host_info, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("Enable", SD_BUS_ARGS("as", platforms, "a{sv}", options),
                            SD_BUS_RESULT("as", lines, "as", warnings, "b", changed),
                            enable, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("Disable", SD_BUS_ARGS("as", platforms, "b", force, "a{sv}", options),
                            SD_BUS_RESULT("as", lines, "as", warnings, "b", changed),
                            disable, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("Verify", SD_BUS_ARGS("as", platforms, "a{sv}", options),
                            SD_BUS_RESULT("a(ssbsa(sbbs)sddbbass)", results),
                            verify, SD_BUS_VTABLE_UNPRIVILEGED),
    // The item type is dbus::kApplyItemType (core/dbus/apply_codec.h).
    SD_BUS_METHOD_WITH_ARGS("Apply", SD_BUS_ARGS("s", document, "s", source, "a{sv}", options),
                            SD_BUS_RESULT("a(sssbsss(bsssds)(bsssds)si)", platforms, "as", lines, "as", warnings,
                                          "b", changed),
                            apply, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_SIGNAL_WITH_ARGS("PlatformChanged",
                            SD_BUS_ARGS("s", arch, "s", state, "b", enabled, "s", translator, "s", reason), 0),
    SD_BUS_VTABLE_END};
// clang-format on

Result<void> BusService::publish() {
  sd_bus_slot* slot = nullptr;
  // A plain object callback runs before the vtable for every message to our path. It is
  // where property reads reconcile first; methods reconcile in their own handlers, after
  // authorisation where there is one.
  int r = sd_bus_add_object(bus_, &slot, dbus::kObjectPath, on_any_message, this);
  if (r < 0) return Error{fmt::format("platformd: cannot add the object: {}", std::strerror(-r)), exit_code::failure};
  object_slot_.reset(slot);
  r = sd_bus_add_object_vtable(bus_, &slot, dbus::kObjectPath, dbus::kInterface, kVtable, this);
  if (r < 0)
    return Error{fmt::format("platformd: cannot add the interface: {}", std::strerror(-r)), exit_code::failure};
  vtable_slot_.reset(slot);
  return {};
}

int BusService::on_any_message(sd_bus_message* m, void* userdata, sd_bus_error*) {
  auto* self = static_cast<BusService*>(userdata);
  // Properties are answered at once from the snapshot (sd-bus asks for them synchronously); a
  // read is a query like any other, so it asks for a check, which a later read then shows.
  if (sd_bus_message_is_method_call(m, "org.freedesktop.DBus.Properties", nullptr) > 0)
    self->rec_.query([](const SnapshotPtr&, const std::optional<Error>&) {});
  return 0;  // not handled: go on to the vtable
}

int BusService::get_property(sd_bus*, const char*, const char*, const char* property, sd_bus_message* reply,
                             void* userdata, sd_bus_error*) {
  auto* self = static_cast<BusService*>(userdata);
  std::string_view p = property;
  if (p == "Version") return sd_bus_message_append(reply, "s", PLATFORMD_VERSION);
  if (p == "HostArchitecture") return sd_bus_message_append(reply, "s", self->host_.kernel_arch.c_str());
  if (p == "UserlandArchitecture") return sd_bus_message_append(reply, "s", self->host_.userland_arch.c_str());
  if (p == "UserlandBits") return sd_bus_message_append(reply, "i", static_cast<int32_t>(self->host_.userland_bits));
  if (p == "BoincPlatform") return sd_bus_message_append(reply, "s", self->host_.boinc_platform.c_str());
  if (p == "EnabledPlatforms") return dbus::append_strv(reply, self->rec_.enabled());
  return -ENOENT;
}

// Sends a reply built by `fill` (or the snapshot's error) to `call`. For the queries: they
// are answered from the snapshot, now or after a bounded wait (daemon/reconciler.h).
template <class Fill>
static void answer_query(sd_bus_message* call, const SnapshotPtr& snap, const std::optional<Error>& err, Fill fill) {
  if (!snap) {
    (void)reply_error(call, dbus::error_name_for(err ? err->code : 1), err ? err->message : "platformd: no status");
    return;
  }
  sd_bus_message* raw = nullptr;
  int r = sd_bus_message_new_method_return(call, &raw);
  sd::Message reply(raw);
  if (r >= 0) r = fill(raw, *snap);
  if (r >= 0) r = sd_bus_send(nullptr, raw, nullptr);
  if (r < 0) log_error("query", fmt::format("cannot send a reply: {}", std::strerror(-r)));
}

int BusService::list_platforms(sd_bus_message* m, void* userdata, sd_bus_error* ret) {
  auto* self = static_cast<BusService*>(userdata);
  try {
    self->rec_.query([call = sd::shared_ref(m)](const SnapshotPtr& snap, const std::optional<Error>& err) {
      answer_query(call.get(), snap, err, [](sd_bus_message* raw, const Snapshot& s) {
        int r = dbus::append_platforms(raw, s.report.platforms);
        return r < 0 ? r : dbus::append_strv(raw, s.report.notes);
      });
    });
    return 1;
  } catch (const std::exception& e) {
    return internal_error(ret, e);
  }
}

int BusService::get_uptake(sd_bus_message* m, void* userdata, sd_bus_error* ret) {
  auto* self = static_cast<BusService*>(userdata);
  try {
    self->rec_.query([call = sd::shared_ref(m)](const SnapshotPtr& snap, const std::optional<Error>& err) {
      answer_query(call.get(), snap, err,
                   [](sd_bus_message* raw, const Snapshot& s) { return dbus::append_uptake(raw, s.report.uptake); });
    });
    return 1;
  } catch (const std::exception& e) {
    return internal_error(ret, e);
  }
}

int BusService::get_host_info(sd_bus_message* m, void* userdata, sd_bus_error* ret) {
  auto* self = static_cast<BusService*>(userdata);
  try {
    self->rec_.query([call = sd::shared_ref(m)](const SnapshotPtr& snap, const std::optional<Error>& err) {
      answer_query(call.get(), snap, err,
                   [](sd_bus_message* raw, const Snapshot& s) { return dbus::append_host(raw, s.report.host); });
    });
    return 1;
  } catch (const std::exception& e) {
    return internal_error(ret, e);
  }
}

int BusService::enable(sd_bus_message* m, void* userdata, sd_bus_error* ret) {
  auto* self = static_cast<BusService*>(userdata);
  try {
    std::vector<std::string> names;
    std::map<std::string, bool> opts{
        {"strict", false}, {"restart_boinc", true}, {"allow_slow", false}, {"take_over", false}, {"force", false}};
    std::map<std::string, std::string> words{{"scope", ""}};
    int r = read_names(m, names, false, ret);
    if (r < 0 || sd_bus_error_is_set(ret)) return r;
    if ((r = read_options(m, opts, ret, &words)) < 0 || sd_bus_error_is_set(ret)) return r;
    ChangeOptions o;
    if (!words["scope"].empty()) {
      o.scope = scope_from(words["scope"]);
      if (!o.scope)
        return sd_bus_error_setf(ret, SD_BUS_ERROR_INVALID_ARGS,
                                 "platformd: option \"scope\" is \"global\" or \"boinc\", not \"%s\"",
                                 quote_untrusted(words["scope"]).c_str());
    }
    o.strict = opts["strict"];
    o.allow_slow = opts["allow_slow"];
    o.take_over = opts["take_over"];
    o.force = opts["force"];
    o.restart_boinc = opts["restart_boinc"];
    const char* action = o.take_over ? dbus::kActionTakeOver : dbus::kActionEnable;
    self->auth_.check(m, action, [self, call = sd::shared_ref(m), names, o](std::optional<Denial> d) {
      if (d) return self->reply_denied(call.get(), "enable", names, *d);
      self->run_change(call.get(), "enable", names, o);
    });
    return 1;  // answered now or later by the continuation
  } catch (const std::exception& e) {
    return internal_error(ret, e);
  }
}

int BusService::disable(sd_bus_message* m, void* userdata, sd_bus_error* ret) {
  auto* self = static_cast<BusService*>(userdata);
  try {
    std::vector<std::string> names;
    std::map<std::string, bool> opts{{"restart_boinc", true}, {"keep_busy", false}};
    int r = read_names(m, names, false, ret);
    if (r < 0 || sd_bus_error_is_set(ret)) return r;
    int force = 0;
    if ((r = sd_bus_message_read(m, "b", &force)) < 0) return r;
    if ((r = read_options(m, opts, ret)) < 0 || sd_bus_error_is_set(ret)) return r;
    ChangeOptions o;
    o.force = force != 0;
    o.restart_boinc = opts["restart_boinc"];
    o.keep_busy = opts["keep_busy"];
    self->auth_.check(m, dbus::kActionDisable, [self, call = sd::shared_ref(m), names, o](std::optional<Denial> d) {
      if (d) return self->reply_denied(call.get(), "disable", names, *d);
      self->run_change(call.get(), "disable", names, o);
    });
    return 1;
  } catch (const std::exception& e) {
    return internal_error(ret, e);
  }
}

int BusService::verify(sd_bus_message* m, void* userdata, sd_bus_error* ret) {
  auto* self = static_cast<BusService*>(userdata);
  try {
    std::vector<std::string> names;  // empty: every platform that is not native
    std::map<std::string, bool> opts{{"strict", false}, {"allow_slow", false}};
    int r = read_names(m, names, true, ret);
    if (r < 0 || sd_bus_error_is_set(ret)) return r;
    if ((r = read_options(m, opts, ret)) < 0 || sd_bus_error_is_set(ret)) return r;
    VerifyOptions o;
    o.strict = opts["strict"];
    o.allow_slow = opts["allow_slow"];
    self->auth_.check(m, dbus::kActionVerify, [self, call = sd::shared_ref(m), names, o](std::optional<Denial> d) {
      if (d) return self->reply_denied(call.get(), "verify", names, *d);
      self->run_verify(call.get(), names, o);
    });
    return 1;
  } catch (const std::exception& e) {
    return internal_error(ret, e);
  }
}

int BusService::apply(sd_bus_message* m, void* userdata, sd_bus_error* ret) {
  auto* self = static_cast<BusService*>(userdata);
  try {
    const char* document = nullptr;
    const char* source = nullptr;
    int r = sd_bus_message_read(m, "ss", &document, &source);
    if (r < 0) return r;
    std::map<std::string, bool> opts{{"check", false}, {"restart_boinc", true}};
    if ((r = read_options(m, opts, ret)) < 0 || sd_bus_error_is_set(ret)) return r;
    // The caller's name for the document goes into messages: one short line, never more.
    std::string name = source;
    if (name.empty() || name.size() > 256 || name.find_first_of("\n\r") != std::string::npos) name = "<document>";
    // Validated before authorisation: bad input is refused the same way for everyone, and
    // nothing is touched.
    auto d = parse_desired_state(document, name);
    if (!d) return set_error(ret, d.error());
    ApplyOptions o;
    o.check = opts["check"];
    o.restart_boinc = opts["restart_boinc"];
    if (o.check) {
      // Changes nothing and runs no probe: a query, open like ListPlatforms.
      self->run_apply(m, *d, o);
      return 1;
    }
    self->auth_.check(m, dbus::kActionApply, [self, call = sd::shared_ref(m), d = *d, o](std::optional<Denial> den) {
      if (den) return self->reply_denied(call.get(), "apply", {d.source}, *den);
      self->run_apply(call.get(), d, o);
    });
    return 1;
  } catch (const std::exception& e) {
    return internal_error(ret, e);
  }
}

// A report as the reply to `call`. When part of the batch failed: an error reply (the name
// and message of the first failure) that still carries the whole report, for clients that
// want it (platformctl); a method return otherwise.
template <class Report, class Append>
static void send_report(sd_bus_message* call, const Result<Report>& rep, const Caller& who, const char* what,
                        Append append) {
  if (!rep) {
    (void)reply_error(call, dbus::error_name_for(rep.error().code), rep.error().message);
    return;
  }
  sd_bus_message* raw = nullptr;
  int r;
  if (rep->error) {
    sd::BusError e;
    sd_bus_error_set(e.get(), dbus::error_name_for(rep->error->code), rep->error->message.c_str());
    r = sd_bus_message_new_method_error(call, &raw, e.get());
  } else {
    r = sd_bus_message_new_method_return(call, &raw);
  }
  sd::Message reply(raw);
  if (r >= 0) r = append(raw, *rep);
  if (r >= 0) r = sd_bus_send(nullptr, raw, nullptr);
  if (r < 0) log_error(what, fmt::format("cannot send the reply to {}: {}", who.describe(), std::strerror(-r)));
}

static void send_apply_report(sd_bus_message* call, const Result<ApplyReport>& rep, const Caller& who) {
  send_report(call, rep, who, "apply",
              [](sd_bus_message* m, const ApplyReport& a) { return dbus::append_apply_report(m, a); });
}

void BusService::run_apply(sd_bus_message* call, const DesiredStateFile& d, const ApplyOptions& o) {
  Caller who = caller_of(call);
  if (o.check) {
    // Changes nothing and runs no probe: planned against the snapshot, on the loop.
    rec_.query([call = sd::shared_ref(call), d, who](const SnapshotPtr& snap, const std::optional<Error>& err) {
      if (!snap) return send_apply_report(call.get(), Result<ApplyReport>(*err), who);
      send_apply_report(call.get(), check_desired_state(d, snap->catalog, snap->translators, snap->report), who);
    });
    return;
  }
  rec_.change(
      "apply call",
      [d, o, who](Broker& b) -> std::any {
        auto rep = apply_desired_state(b, d, o);
        if (rep) {
          std::vector<std::string> done;
          for (const auto& it : rep->items)
            if (it.outcome != ApplyOutcome::unchanged)
              done.push_back(fmt::format("{} {}", it.arch, it.error ? "failed: " + it.error->message : "changed"));
          log_entry({rep->error ? LOG_WARNING : LOG_INFO,
                     fmt::format("apply {} by {}: {}", quote_untrusted(d.source, 256), who.describe(),
                                 done.empty() ? "nothing to change" : joined(done, "; ")),
                     "apply", "", "", who.known ? std::to_string(who.euid) : ""});
        }
        return rep;
      },
      [call = sd::shared_ref(call), who](std::any& result) {
        send_apply_report(call.get(), std::any_cast<Result<ApplyReport>&>(result), who);
      });
}

void BusService::reply_denied(sd_bus_message* call, const char* what, const std::vector<std::string>& names,
                              const Denial& d) {
  Caller who = caller_of(call);
  log_entry({LOG_NOTICE, fmt::format("{} {} refused for {}: {}", what, joined(names), who.describe(), d.message),
             "denied", names.size() == 1 ? names.front() : "", "", who.known ? std::to_string(who.euid) : ""});
  (void)reply_error(call, d.error_name.c_str(), d.message);
}

void BusService::run_change(sd_bus_message* call, const char* what_c, const std::vector<std::string>& names,
                            const ChangeOptions& o) {
  Caller who = caller_of(call);
  const std::string what = what_c;
  rec_.change(
      fmt::format("{} call", what),
      [what, names, o, who](Broker& b) -> std::any {
        auto rep = what == "enable" ? b.enable(names, o) : b.disable(names, o);
        const std::string arch = names.size() == 1 ? names.front() : "";
        const std::string uid = who.known ? std::to_string(who.euid) : "";
        if (!rep)
          log_entry({LOG_WARNING,
                     fmt::format("{} {} by {} failed: {}", what, joined(names), who.describe(), rep.error().message),
                     what, arch, "", uid});
        else
          log_entry({rep->error ? LOG_WARNING : LOG_INFO,
                     fmt::format("{} {} by {}: {}{}", what, joined(names), who.describe(),
                                 rep->lines.empty() ? "nothing to do" : joined(rep->lines, "; "),
                                 rep->error ? "; failed: " + rep->error->message : ""),
                     what, arch, "", uid});
        return rep;
      },
      [call = sd::shared_ref(call), what, who](std::any& result) {
        send_report(call.get(), std::any_cast<Result<ChangeReport>&>(result), who, what.c_str(),
                    [](sd_bus_message* m, const ChangeReport& c) { return dbus::append_change_report(m, c); });
      });
}

void BusService::run_verify(sd_bus_message* call, const std::vector<std::string>& names, const VerifyOptions& o) {
  Caller who = caller_of(call);
  rec_.change(
      "verify call",
      [names, o, who](Broker& b) -> std::any {
        auto res = b.verify(names, o);
        if (res)
          for (const auto& v : *res)
            log_entry(
                {v.passed ? LOG_INFO : LOG_WARNING,
                 fmt::format("verify {} by {}: {}, fidelity {}{}{}", v.arch, who.describe(),
                             v.passed ? "passed" : "failed",
                             v.fidelity == Fidelity::unverified ? std::string("-") : std::string(to_string(v.fidelity)),
                             v.runs ? "" : " (" + v.run_detail + ")",
                             // The one-line verdict by impact class (fidelity/impact.h).
                             v.categories.empty() ? "" : ": " + verdict_line(classes_of(v.arch, v.categories))),
                 "verify", v.arch, v.translator, who.known ? std::to_string(who.euid) : ""});
        return res;
      },
      [call = sd::shared_ref(call), who](std::any& result) {
        auto& res = std::any_cast<Result<std::vector<VerifyResult>>&>(result);
        if (!res) {
          (void)reply_error(call.get(), dbus::error_name_for(res.error().code), res.error().message);
          return;
        }
        sd_bus_message* raw = nullptr;
        int r = sd_bus_message_new_method_return(call.get(), &raw);
        sd::Message reply(raw);
        if (r >= 0) r = dbus::append_verify_results(raw, *res);
        if (r >= 0) r = sd_bus_send(nullptr, raw, nullptr);
        if (r < 0)
          log_error("verify", fmt::format("cannot send the reply to {}: {}", who.describe(), std::strerror(-r)));
      });
}

void BusService::platform_changed(const PlatformStatus* before, const PlatformStatus& now) {
  std::string was = before ? std::string(to_string(before->state)) + (before->enabled ? ", enabled" : "") : "unknown";
  log_entry({LOG_INFO,
             fmt::format("{}: {} -> {}{}{}", now.arch, was, to_string(now.state), now.enabled ? ", enabled" : "",
                         now.reason.empty() ? "" : " (" + now.reason + ")"),
             "state-change",
             now.arch,
             now.translator,
             {}});
  int r = sd_bus_emit_signal(bus_, dbus::kObjectPath, dbus::kInterface, "PlatformChanged", "ssbss", now.arch.c_str(),
                             std::string(to_string(now.state)).c_str(), static_cast<int>(now.enabled),
                             now.translator.c_str(), now.reason.c_str());
  if (r < 0) log_warning("signal", fmt::format("cannot emit PlatformChanged for {}: {}", now.arch, std::strerror(-r)));
}

void BusService::enabled_changed() {
  int r = sd_bus_emit_properties_changed(bus_, dbus::kObjectPath, dbus::kInterface, "EnabledPlatforms", nullptr);
  if (r < 0) log_warning("signal", fmt::format("cannot emit PropertiesChanged: {}", std::strerror(-r)));
}

}  // namespace platformd::daemon
