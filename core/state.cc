#include "state.h"

#include <sys/stat.h>
#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "exit_codes.h"
#include "json_number.h"
#include "untrusted_text.h"

namespace platformd {

using nlohmann::json;

Result<State> parse_state(std::string_view json_text, std::string_view source) {
  json j = json::parse(json_text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return fail(exit_code::bad_config, "{} is corrupt (not a JSON object)", source);
  State s;
  try {
    // Checked as an integer first: a version such as 1e30 must not reach an int conversion.
    auto version = json_integer_member(j, "version", 1, source, 0, 1'000'000);
    if (!version) return version.error();
    s.version = static_cast<int>(*version);
    if (s.version != 1) return fail(exit_code::bad_config, "{}: unsupported state version {}", source, s.version);
    s.enabled = j.value("enabled", std::vector<std::string>{});
    s.owned_alt_platforms = j.value("owned_alt_platforms", std::vector<std::string>{});
    s.withdrawing = j.value("withdrawing", std::vector<std::string>{});
    s.owned_options = j.value("owned_options", false);
    s.taken_over = j.value("taken_over", std::map<std::string, std::vector<std::string>>{});
    if (j.contains("scope")) {
      const auto& sc = j.at("scope");
      if (!sc.is_object()) return fail(exit_code::bad_config, "{}: scope is not an object", source);
      for (const auto& [arch, w] : sc.items()) {
        auto v = w.is_string() ? scope_from(w.get<std::string>()) : std::nullopt;
        if (!v)
          return fail(exit_code::bad_config, "{}: the scope of '{}' is neither \"global\" nor \"boinc\"", source,
                      quote_untrusted(arch));
        if (*v != Scope::global) s.scope[arch] = *v;
      }
    }
    if (j.contains("withdrawing_since")) {
      const auto& since = j.at("withdrawing_since");
      if (!since.is_object()) return fail(exit_code::bad_config, "{}: withdrawing_since is not an object", source);
      // Integers only: a float such as 1e30 must not reach an integer conversion.
      for (const auto& [arch, t] : since.items()) {
        if (!t.is_number_integer())
          return fail(exit_code::bad_config, "{}: withdrawing_since of '{}' is not an integer", source,
                      quote_untrusted(arch));
        s.withdrawing_since[arch] = t.get<std::int64_t>();
      }
    }
    s.rc_files = j.value("rc_files", std::vector<std::string>{});
    s.rc_created = j.value("rc_created", std::vector<std::string>{});
    for (const auto* list : {&s.rc_files, &s.rc_created})
      for (const auto& f : *list)
        if (f.empty() || f[0] != '.' || f.find('/') != std::string::npos || f == "." || f == "..")
          return fail(exit_code::bad_config, "{}: rc file '{}' is not a dot file's name", source, f);
    if (j.contains("verified")) {
      for (const auto& [arch, v] : j.at("verified").items()) {
        VerifyRecord r;
        r.translator_identity = v.at("translator").get<std::string>();
        r.probe_identity = v.value("probe", "");
        auto fid = fidelity_from(v.value("fidelity", ""));
        if (!fid) return fail(exit_code::bad_config, "{}: platform '{}' has an unknown fidelity verdict", source, arch);
        r.fidelity = *fid;
        r.passed = v.at("passed").get<bool>();
        r.reason = v.value("reason", "");
        // null (a non-finite ratio written by an older version) reads as "not measured".
        r.fp_ratio = v.contains("fp_ratio") && v["fp_ratio"].is_number() ? v["fp_ratio"].get<double>() : 0.0;
        r.int_ratio = v.contains("int_ratio") && v["int_ratio"].is_number() ? v["int_ratio"].get<double>() : 0.0;
        r.candidates = v.value("candidates", std::vector<std::string>{});
        r.why_chosen = v.value("choice", "");
        r.verdict = v.value("verdict", "");
        r.differing = v.value("differing", std::vector<std::string>{});
        r.blocking = v.value("blocking", std::vector<std::string>{});
        r.guest_cpu = v.value("guest_cpu", "");
        s.verified[arch] = r;
      }
    }
    if (j.contains("host")) {
      s.host.kernel = j["host"].value("kernel", "");
      s.host.native_compat = j["host"].value("native_compat", std::vector<std::string>{});
      s.host.undetermined = j["host"].value("undetermined", std::vector<std::string>{});
    }
  } catch (const json::exception& e) {
    return fail(exit_code::bad_config, "{} is corrupt: {}", source, e.what());
  }
  std::sort(s.enabled.begin(), s.enabled.end());
  s.enabled.erase(std::unique(s.enabled.begin(), s.enabled.end()), s.enabled.end());
  std::sort(s.withdrawing.begin(), s.withdrawing.end());
  s.withdrawing.erase(std::unique(s.withdrawing.begin(), s.withdrawing.end()), s.withdrawing.end());
  return s;
}

std::string serialize_state(const State& s) {
  json j;
  j["version"] = s.version;
  j["enabled"] = s.enabled;
  j["owned_alt_platforms"] = s.owned_alt_platforms;
  if (!s.withdrawing.empty()) j["withdrawing"] = s.withdrawing;
  if (s.owned_options) j["owned_options"] = true;
  if (!s.taken_over.empty()) j["taken_over"] = s.taken_over;
  if (!s.withdrawing_since.empty()) j["withdrawing_since"] = s.withdrawing_since;
  json scope = json::object();
  for (const auto& [arch, sc] : s.scope)
    if (sc != Scope::global) scope[arch] = std::string(to_string(sc));
  if (!scope.empty()) j["scope"] = scope;
  if (!s.rc_files.empty()) j["rc_files"] = s.rc_files;
  if (!s.rc_created.empty()) j["rc_created"] = s.rc_created;
  json verified = json::object();
  for (const auto& [arch, r] : s.verified)
    verified[arch] = {{"translator", r.translator_identity},
                      {"probe", r.probe_identity},
                      {"fidelity", to_string(r.fidelity)},
                      {"passed", r.passed},
                      {"reason", r.reason},
                      {"fp_ratio", std::isfinite(r.fp_ratio) ? r.fp_ratio : 0.0},
                      {"int_ratio", std::isfinite(r.int_ratio) ? r.int_ratio : 0.0},
                      {"candidates", r.candidates},
                      {"choice", r.why_chosen},
                      {"verdict", r.verdict},
                      {"differing", r.differing},
                      {"blocking", r.blocking},
                      {"guest_cpu", r.guest_cpu}};
  j["verified"] = verified;
  j["host"] = {
      {"kernel", s.host.kernel}, {"native_compat", s.host.native_compat}, {"undetermined", s.host.undetermined}};
  // Text from outside (a translator's stderr in a reason) may not be UTF-8: replace, never
  // throw, so a failing translator is reported instead of crashing the save.
  return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string_view to_string(Scope s) {
  return s == Scope::boinc ? "boinc" : "global";
}

std::optional<Scope> scope_from(std::string_view s) {
  if (s == "global") return Scope::global;
  if (s == "boinc") return Scope::boinc;
  return std::nullopt;
}

Scope State::scope_of(std::string_view arch) const {
  auto it = scope.find(std::string(arch));
  return it == scope.end() ? Scope::global : it->second;
}

Choice choice_of(const State& s, std::string_view arch) {
  auto has = [&](const std::vector<std::string>& v) { return std::find(v.begin(), v.end(), arch) != v.end(); };
  if (has(s.enabled)) return Choice::enabled;
  return has(s.withdrawing) ? Choice::withdrawing : Choice::disabled;
}

std::string_view to_string(Choice c) {
  switch (c) {
    case Choice::enabled:
      return "enabled";
    case Choice::withdrawing:
      return "withdrawing";
    case Choice::disabled:
      break;
  }
  return "disabled";
}

fs::path state_file(const Paths& p) {
  return p.state_dir / "state.json";
}
fs::path lock_file(const Paths& p) {
  return p.state_dir / "lock";
}

Result<State> load_state(Machine& m, const Paths& p) {
  std::error_code ec;
  if (!fs::exists(state_file(p), ec)) return State{};
  auto text = m.read_file(state_file(p), 1 << 20);
  if (!text) return text.error();
  return parse_state(*text, state_file(p).string());
}

Result<void> save_state(Machine& m, const Paths& p, const State& s) {
  std::error_code ec;
  fs::create_directories(p.state_dir, ec);
  if (ec) return fail(exit_code::failure, "cannot create {}: {}", p.state_dir.string(), ec.message());
  // 0644 root:root: readable by status queries, writable by root only.
  return m.replace_file(state_file(p), serialize_state(s), FileOwnership{0, 0, 0644});
}

}  // namespace platformd
