#include "dbus/dbus_codec.h"

#include <cmath>
#include <optional>

#include "dbus/dbus_names.h"

namespace platformd::dbus {

namespace {

// D-Bus has no optional: an unmeasured ratio travels as -1 (a real ratio is always > 0).
double from_optional(const std::optional<double>& v) {
  return v ? *v : -1.0;
}
std::optional<double> to_optional(double v) {
  if (v < 0 || std::isnan(v)) return std::nullopt;
  return v;
}

int read_string(sd_bus_message* m, std::string& out) {
  const char* s = nullptr;
  int r = sd_bus_message_read_basic(m, 's', &s);
  if (r < 0) return r;
  if (r == 0) return -ENXIO;  // no more arguments: the reply is shorter than its type says
  out = s;
  return 0;
}

int read_bool(sd_bus_message* m, bool& out) {
  int b = 0;  // D-Bus booleans are read into an int
  int r = sd_bus_message_read_basic(m, 'b', &b);
  if (r < 0) return r;
  if (r == 0) return -ENXIO;
  out = b != 0;
  return 0;
}

int read_double(sd_bus_message* m, double& out) {
  int r = sd_bus_message_read_basic(m, 'd', &out);
  return r < 0 ? r : r == 0 ? -ENXIO : 0;
}

// Struct body without its parentheses: "(ssb)" -> "ssb".
std::string contents_of(const char* struct_type) {
  std::string t = struct_type;
  return t.substr(1, t.size() - 2);
}

}  // namespace

int append_strv(sd_bus_message* m, const std::vector<std::string>& v) {
  int r = sd_bus_message_open_container(m, 'a', "s");
  if (r < 0) return r;
  for (const auto& s : v)
    if ((r = sd_bus_message_append_basic(m, 's', s.c_str())) < 0) return r;
  return sd_bus_message_close_container(m);
}

int read_strv(sd_bus_message* m, std::vector<std::string>& out) {
  int r = sd_bus_message_enter_container(m, 'a', "s");
  if (r < 0) return r;
  out.clear();
  const char* s = nullptr;
  while ((r = sd_bus_message_read_basic(m, 's', &s)) > 0) out.emplace_back(s);
  if (r < 0) return r;
  return sd_bus_message_exit_container(m);
}

int append_platforms(sd_bus_message* m, const std::vector<PlatformStatus>& v) {
  int r = sd_bus_message_open_container(m, 'a', kPlatformStatusType);
  if (r < 0) return r;
  for (const auto& p : v) {
    int reports = p.boinc_reports ? (*p.boinc_reports ? 1 : 0) : -1;
    if ((r = sd_bus_message_open_container(m, 'r', contents_of(kPlatformStatusType).c_str())) < 0) return r;
    r = sd_bus_message_append(m, "ssbsbssssdis", p.arch.c_str(), p.boinc_name.c_str(), p.boinc_canonical,
                              std::string(to_string(p.state)).c_str(), p.enabled, p.translator.c_str(),
                              p.handler.c_str(), p.reason.c_str(), std::string(to_string(p.fidelity)).c_str(),
                              from_optional(p.speed_ratio), reports, p.verdict.c_str());
    if (r >= 0) r = append_strv(m, p.candidates);
    if (r >= 0) r = sd_bus_message_append(m, "s", p.why_chosen.c_str());
    if (r >= 0) r = append_strv(m, p.abort_risks);
    if (r >= 0) r = sd_bus_message_append(m, "s", std::string(to_string(p.scope)).c_str());
    if (r >= 0) r = sd_bus_message_close_container(m);
    if (r < 0) return r;
  }
  return sd_bus_message_close_container(m);
}

// A fidelity word of the wire, as the enum; a word this client does not know is an error.
static int read_fidelity(sd_bus_message* m, Fidelity& out) {
  std::string w;
  int r = read_string(m, w);
  if (r < 0) return r;
  auto f = fidelity_from(w);
  if (!f) return -EBADMSG;
  out = *f;
  return 0;
}

int read_platforms(sd_bus_message* m, std::vector<PlatformStatus>& out) {
  static const std::string inner = contents_of(kPlatformStatusType);
  int r = sd_bus_message_enter_container(m, 'a', kPlatformStatusType);
  if (r < 0) return r;
  out.clear();
  while ((r = sd_bus_message_enter_container(m, 'r', inner.c_str())) > 0) {
    PlatformStatus p;
    std::string state, scope;
    double ratio = -1;
    int32_t reports = -1;
    if ((r = read_string(m, p.arch)) < 0 || (r = read_string(m, p.boinc_name)) < 0 ||
        (r = read_bool(m, p.boinc_canonical)) < 0 || (r = read_string(m, state)) < 0 ||
        (r = read_bool(m, p.enabled)) < 0 || (r = read_string(m, p.translator)) < 0 ||
        (r = read_string(m, p.handler)) < 0 || (r = read_string(m, p.reason)) < 0 ||
        (r = read_fidelity(m, p.fidelity)) < 0 || (r = read_double(m, ratio)) < 0 ||
        (r = sd_bus_message_read_basic(m, 'i', &reports)) < 0 || (r = read_string(m, p.verdict)) < 0 ||
        (r = read_strv(m, p.candidates)) < 0 || (r = read_string(m, p.why_chosen)) < 0 ||
        (r = read_strv(m, p.abort_risks)) < 0 || (r = read_string(m, scope)) < 0)
      return r;
    auto st = platform_state_from(state);
    auto sc = scope_from(scope);
    if (!st || !sc) return -EBADMSG;  // a word this client does not know: a newer daemon's reply
    p.scope = *sc;
    p.state = *st;
    p.speed_ratio = to_optional(ratio);
    if (reports >= 0) p.boinc_reports = reports == 1;
    if ((r = sd_bus_message_exit_container(m)) < 0) return r;
    out.push_back(std::move(p));
  }
  if (r < 0) return r;
  return sd_bus_message_exit_container(m);
}

int append_uptake(sd_bus_message* m, const std::vector<PlatformUptake>& v) {
  int r = sd_bus_message_open_container(m, 'a', kUptakeType);
  if (r < 0) return r;
  for (const auto& u : v) {
    if ((r = sd_bus_message_open_container(m, 'r', contents_of(kUptakeType).c_str())) < 0) return r;
    r = sd_bus_message_append(m, "sssiiii", u.platform.c_str(), u.project.c_str(), u.url.c_str(), u.waiting, u.running,
                              u.to_report, u.reported_last_hour);
    if (r >= 0) r = sd_bus_message_open_container(m, 'a', "(sis)");
    for (const auto& ver : u.versions)
      if (r >= 0)
        r = sd_bus_message_append(m, "(sis)", ver.app.c_str(), static_cast<int32_t>(ver.version_num),
                                  ver.plan_class.c_str());
    if (r >= 0) r = sd_bus_message_close_container(m);
    if (r >= 0) r = sd_bus_message_open_container(m, 'r', "xias");
    if (r >= 0)
      r = sd_bus_message_append(m, "xi", static_cast<int64_t>(u.last_reply ? u.last_reply->time : 0),
                                static_cast<int32_t>(u.last_reply && u.last_reply->got ? *u.last_reply->got : -1));
    if (r >= 0) r = append_strv(m, u.last_reply ? u.last_reply->words : std::vector<std::string>{});
    if (r >= 0) r = sd_bus_message_close_container(m);
    if (r >= 0) r = sd_bus_message_close_container(m);
    if (r < 0) return r;
  }
  return sd_bus_message_close_container(m);
}

int read_uptake(sd_bus_message* m, std::vector<PlatformUptake>& out) {
  static const std::string inner = contents_of(kUptakeType);
  int r = sd_bus_message_enter_container(m, 'a', kUptakeType);
  if (r < 0) return r;
  out.clear();
  while ((r = sd_bus_message_enter_container(m, 'r', inner.c_str())) > 0) {
    PlatformUptake u;
    int32_t counts[4] = {0, 0, 0, 0};
    if ((r = read_string(m, u.platform)) < 0 || (r = read_string(m, u.project)) < 0 ||
        (r = read_string(m, u.url)) < 0 ||
        (r = sd_bus_message_read(m, "iiii", &counts[0], &counts[1], &counts[2], &counts[3])) < 0)
      return r;
    u.waiting = counts[0];
    u.running = counts[1];
    u.to_report = counts[2];
    u.reported_last_hour = counts[3];
    if ((r = sd_bus_message_enter_container(m, 'a', "(sis)")) < 0) return r;
    const char *app = nullptr, *plan = nullptr;
    int32_t num = 0;
    while ((r = sd_bus_message_read(m, "(sis)", &app, &num, &plan)) > 0) u.versions.push_back({app, num, plan});
    if (r < 0 || (r = sd_bus_message_exit_container(m)) < 0) return r;
    int64_t time = 0;
    int32_t got = -1;
    SchedulerReply reply;
    if ((r = sd_bus_message_enter_container(m, 'r', "xias")) < 0 ||
        (r = sd_bus_message_read(m, "xi", &time, &got)) < 0 || (r = read_strv(m, reply.words)) < 0 ||
        (r = sd_bus_message_exit_container(m)) < 0)
      return r;
    if (time != 0) {
      reply.time = time;
      if (got >= 0) reply.got = got;
      u.last_reply = std::move(reply);
    }
    if ((r = sd_bus_message_exit_container(m)) < 0) return r;
    out.push_back(std::move(u));
  }
  if (r < 0) return r;
  return sd_bus_message_exit_container(m);
}

int append_host(sd_bus_message* m, const HostInfo& h) {
  int r = sd_bus_message_append(m, "siss", h.kernel_arch.c_str(), static_cast<int32_t>(h.userland_bits),
                                h.userland_arch.c_str(), h.boinc_platform.c_str());
  if (r < 0) return r;
  return append_strv(m, h.native_compat);
}

int read_host(sd_bus_message* m, HostInfo& out) {
  int32_t bits = 0;
  int r;
  if ((r = read_string(m, out.kernel_arch)) < 0 || (r = sd_bus_message_read_basic(m, 'i', &bits)) < 0 ||
      (r = read_string(m, out.userland_arch)) < 0 || (r = read_string(m, out.boinc_platform)) < 0)
    return r;
  out.userland_bits = bits;
  return read_strv(m, out.native_compat);
}

int append_change_report(sd_bus_message* m, const ChangeReport& rep) {
  int r = append_strv(m, rep.lines);
  if (r >= 0) r = append_strv(m, rep.warnings);
  return r < 0 ? r : sd_bus_message_append(m, "b", static_cast<int>(rep.changed));
}

int read_change_report(sd_bus_message* m, ChangeReport& out) {
  int r = read_strv(m, out.lines);
  if (r >= 0) r = read_strv(m, out.warnings);
  return r < 0 ? r : read_bool(m, out.changed);
}

int append_verify_results(sd_bus_message* m, const std::vector<VerifyResult>& v) {
  int r = sd_bus_message_open_container(m, 'a', kVerifyResultType);
  if (r < 0) return r;
  for (const auto& vr : v) {
    if ((r = sd_bus_message_open_container(m, 'r', contents_of(kVerifyResultType).c_str())) < 0) return r;
    if ((r = sd_bus_message_append(
             m, "ssbs", vr.arch.c_str(),
             (vr.translator.empty() && vr.native_run ? std::string("native") : vr.translator).c_str(), vr.runs,
             vr.run_detail.c_str())) < 0)
      return r;
    if ((r = sd_bus_message_open_container(m, 'a', kCategoryType)) < 0) return r;
    for (const auto& c : vr.categories)
      if ((r = sd_bus_message_append(m, kCategoryType, c.category.c_str(), c.exact, c.blocking,
                                     c.first_difference.c_str())) < 0)
        return r;
    if ((r = sd_bus_message_close_container(m)) < 0) return r;
    if ((r = sd_bus_message_append(m, "sddbb", std::string(to_string(vr.fidelity)).c_str(), from_optional(vr.fp_ratio),
                                   from_optional(vr.int_ratio), vr.slow_risk, vr.passed)) < 0)
      return r;
    if ((r = append_strv(m, vr.candidates)) < 0 || (r = sd_bus_message_append(m, "s", vr.why_chosen.c_str())) < 0)
      return r;
    if ((r = sd_bus_message_close_container(m)) < 0) return r;
  }
  return sd_bus_message_close_container(m);
}

int read_verify_results(sd_bus_message* m, std::vector<VerifyResult>& out) {
  static const std::string inner = contents_of(kVerifyResultType);
  static const std::string cat_inner = contents_of(kCategoryType);
  int r = sd_bus_message_enter_container(m, 'a', kVerifyResultType);
  if (r < 0) return r;
  out.clear();
  while ((r = sd_bus_message_enter_container(m, 'r', inner.c_str())) > 0) {
    VerifyResult vr;
    if ((r = read_string(m, vr.arch)) < 0 || (r = read_string(m, vr.translator)) < 0 ||
        (r = read_bool(m, vr.runs)) < 0 || (r = read_string(m, vr.run_detail)) < 0)
      return r;
    if ((r = sd_bus_message_enter_container(m, 'a', kCategoryType)) < 0) return r;
    while ((r = sd_bus_message_enter_container(m, 'r', cat_inner.c_str())) > 0) {
      CategoryResult c;
      if ((r = read_string(m, c.category)) < 0 || (r = read_bool(m, c.exact)) < 0 ||
          (r = read_bool(m, c.blocking)) < 0 || (r = read_string(m, c.first_difference)) < 0)
        return r;
      if ((r = sd_bus_message_exit_container(m)) < 0) return r;
      vr.categories.push_back(std::move(c));
    }
    if (r < 0 || (r = sd_bus_message_exit_container(m)) < 0) return r;
    if (vr.translator == "native") {  // the wire's word for a run with no translator
      vr.translator.clear();
      vr.native_run = true;
    }
    double fp = -1, in = -1;
    if ((r = read_fidelity(m, vr.fidelity)) < 0 || (r = read_double(m, fp)) < 0 || (r = read_double(m, in)) < 0 ||
        (r = read_bool(m, vr.slow_risk)) < 0 || (r = read_bool(m, vr.passed)) < 0 ||
        (r = read_strv(m, vr.candidates)) < 0 || (r = read_string(m, vr.why_chosen)) < 0)
      return r;
    vr.fp_ratio = to_optional(fp);
    vr.int_ratio = to_optional(in);
    if ((r = sd_bus_message_exit_container(m)) < 0) return r;
    out.push_back(std::move(vr));
  }
  if (r < 0) return r;
  return sd_bus_message_exit_container(m);
}

}  // namespace platformd::dbus
