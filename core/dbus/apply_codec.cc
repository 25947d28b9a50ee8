#include "dbus/apply_codec.h"

#include <cerrno>
#include <cmath>
#include <string_view>

#include "dbus/dbus_codec.h"

namespace platformd::dbus {

namespace {

int append_snapshot(sd_bus_message* m, const PlatformSnapshot& s) {
  return sd_bus_message_append(m, "(bsssds)", static_cast<int>(s.enabled), std::string(to_string(s.state)).c_str(),
                               s.translator.c_str(), std::string(to_string(s.fidelity)).c_str(),
                               s.speed_ratio ? *s.speed_ratio : -1.0, s.reason.c_str());
}

int read_snapshot(sd_bus_message* m, PlatformSnapshot& s) {
  int enabled = 0;
  const char *state = nullptr, *translator = nullptr, *fidelity = nullptr, *reason = nullptr;
  double speed = -1;
  int r = sd_bus_message_read(m, "(bsssds)", &enabled, &state, &translator, &fidelity, &speed, &reason);
  if (r < 0) return r;
  if (r == 0) return -ENXIO;
  auto st = platform_state_from(state);
  if (!st) return -EBADMSG;
  auto fid = fidelity_from(fidelity);
  if (!fid) return -EBADMSG;
  s = PlatformSnapshot{enabled != 0, *st, translator, *fid, std::nullopt, reason};
  if (speed >= 0 && !std::isnan(speed)) s.speed_ratio = speed;
  return 0;
}

// The enums travel as the words the JSON report uses; reading maps them back.
template <typename E>
int from_word(std::string_view w, std::initializer_list<E> values, E& out) {
  for (E v : values)
    if (to_string(v) == w) {
      out = v;
      return 0;
    }
  return -EBADMSG;
}

}  // namespace

int append_apply_report(sd_bus_message* m, const ApplyReport& rep) {
  int r = sd_bus_message_open_container(m, 'a', kApplyItemType);
  if (r < 0) return r;
  const std::string inner = std::string(kApplyItemType).substr(1, std::string_view(kApplyItemType).size() - 2);
  for (const auto& it : rep.items) {
    if ((r = sd_bus_message_open_container(m, 'r', inner.c_str())) < 0) return r;
    if ((r = sd_bus_message_append(m, "sssbsss", it.arch.c_str(), it.boinc_name.c_str(),
                                   std::string(to_string(it.desired)).c_str(), static_cast<int>(it.listed),
                                   std::string(to_string(it.action)).c_str(),
                                   std::string(to_string(it.outcome)).c_str(), it.reason.c_str())) < 0)
      return r;
    if ((r = append_snapshot(m, it.before)) < 0 || (r = append_snapshot(m, it.after)) < 0) return r;
    if ((r = sd_bus_message_append(m, "si", it.error ? it.error->message.c_str() : "",
                                   static_cast<int32_t>(it.error ? it.error->code : 0))) < 0)
      return r;
    if ((r = sd_bus_message_close_container(m)) < 0) return r;
  }
  if ((r = sd_bus_message_close_container(m)) < 0) return r;
  if ((r = append_strv(m, rep.lines)) < 0 || (r = append_strv(m, rep.warnings)) < 0) return r;
  return sd_bus_message_append(m, "b", static_cast<int>(rep.changed));
}

int read_apply_report(sd_bus_message* m, ApplyReport& out) {
  const std::string inner = std::string(kApplyItemType).substr(1, std::string_view(kApplyItemType).size() - 2);
  int r = sd_bus_message_enter_container(m, 'a', kApplyItemType);
  if (r < 0) return r;
  out.items.clear();
  while ((r = sd_bus_message_enter_container(m, 'r', inner.c_str())) > 0) {
    ApplyItem it;
    const char *arch = nullptr, *boinc = nullptr, *desired = nullptr, *action = nullptr, *outcome = nullptr,
               *reason = nullptr;
    int listed = 0;
    if ((r = sd_bus_message_read(m, "sssbsss", &arch, &boinc, &desired, &listed, &action, &outcome, &reason)) <= 0)
      return r < 0 ? r : -ENXIO;
    it.arch = arch;
    it.boinc_name = boinc;
    it.listed = listed != 0;
    it.reason = reason;
    if ((r = from_word(desired, {DesiredState::enabled, DesiredState::disabled}, it.desired)) < 0 ||
        (r = from_word(action, {ApplyAction::none, ApplyAction::enable, ApplyAction::disable}, it.action)) < 0 ||
        (r = from_word(
             outcome,
             {ApplyOutcome::unchanged, ApplyOutcome::changed, ApplyOutcome::would_change, ApplyOutcome::failed},
             it.outcome)) < 0)
      return r;
    if ((r = read_snapshot(m, it.before)) < 0 || (r = read_snapshot(m, it.after)) < 0) return r;
    const char* message = nullptr;
    int32_t code = 0;
    if ((r = sd_bus_message_read(m, "si", &message, &code)) <= 0) return r < 0 ? r : -ENXIO;
    if (code != 0) it.error = Error{message, code};
    if ((r = sd_bus_message_exit_container(m)) < 0) return r;
    out.items.push_back(std::move(it));
  }
  if (r < 0) return r;
  if ((r = sd_bus_message_exit_container(m)) < 0) return r;
  if ((r = read_strv(m, out.lines)) < 0 || (r = read_strv(m, out.warnings)) < 0) return r;
  int changed = 0;
  if ((r = sd_bus_message_read(m, "b", &changed)) <= 0) return r < 0 ? r : -ENXIO;
  out.changed = changed != 0;
  // The first failure, as the applier keeps it.
  for (const auto& it : out.items)
    if (it.error && !out.error) out.error = it.error;
  return 0;
}

}  // namespace platformd::dbus
