// Parsing the desired-state file: nlohmann-json reads the text; everything here is checking
// what it read, so that a typo ("enable", "stirct", "true" as a string) is an error that
// names the entry and changes nothing, instead of a default silently applied as root.
#include "apply/desired_state.h"

#include <nlohmann/json.hpp>

#include "catalog.h"
#include "exit_codes.h"
#include "json_number.h"
#include "untrusted_text.h"

namespace platformd {

namespace {

// The longest excerpt of a file's text a message quotes.
constexpr std::size_t kExcerpt = 24;

using nlohmann::json;

// Names the JSON type the way a person writing the file thinks of it.
std::string type_name(const json& v) {
  // A short excerpt, escaped: a file's values are not echoed whole (issue 20: a secret came
  // back in the message when the file was another one than the administrator thought).
  if (v.is_string()) return fmt::format("the string \"{}\"", quote_untrusted(v.get<std::string>(), kExcerpt));
  if (v.is_boolean() || v.is_null()) return v.dump();
  if (v.is_number()) return fmt::format("the number {}", v.dump());
  return v.is_array() ? "a list" : "an object";
}

// Unknown keys are errors: a misspelt option silently ignored would do the wrong thing.
Result<void> only_known_keys(const json& obj, std::initializer_list<std::string_view> known, const std::string& where) {
  for (const auto& [key, value] : obj.items()) {
    bool ok = false;
    for (auto k : known) ok = ok || key == k;
    if (ok) continue;
    std::string list;
    for (auto k : known) list += fmt::format("{}{}", list.empty() ? "" : ", ", k);
    return fail(exit_code::bad_config, "{}: unknown key \"{}\" (known: {})", where, quote_untrusted(key, kExcerpt),
                list);
  }
  return {};
}

Result<bool> boolean_member(const json& obj, std::string_view key, const std::string& where) {
  auto it = obj.find(key);
  if (it == obj.end()) return false;
  if (!it->is_boolean())
    return fail(exit_code::bad_config, "{}: {} must be true or false, not {}", where, key, type_name(*it));
  return it->get<bool>();
}

Result<DesiredPlatform> parse_platform(const json& j, std::string_view source, std::size_t index) {
  std::string where = fmt::format("{}: platforms[{}]", source, index);
  if (!j.is_object())
    return fail(exit_code::bad_config,
                "{}: must be an object such as {{\"name\": \"aarch64\", \"state\": \"enabled\"}}, not {}", where,
                type_name(j));
  if (auto k = only_known_keys(j, {"name", "state", "strict", "allow_slow", "translator", "scope"}, where); !k)
    return k.error();
  DesiredPlatform p;
  auto name = j.find("name");
  if (name == j.end()) return fail(exit_code::bad_config, "{}: has no \"name\"", where);
  if (!name->is_string())
    return fail(exit_code::bad_config, "{}: name must be a string, not {}", where, type_name(*name));
  p.name = name->get<std::string>();
  if (auto v = validate_platform_name(p.name); !v)
    return fail(exit_code::bad_config, "{}: {}", where, v.error().message);
  where += fmt::format(" ({})", p.name);
  auto state = j.find("state");
  if (state == j.end()) return fail(exit_code::bad_config, "{}: has no \"state\" (\"enabled\" or \"disabled\")", where);
  if (*state == "enabled")
    p.state = DesiredState::enabled;
  else if (*state == "disabled")
    p.state = DesiredState::disabled;
  else
    return fail(exit_code::bad_config, "{}: state must be \"enabled\" or \"disabled\", not {}", where,
                type_name(*state));
  auto strict = boolean_member(j, "strict", where);
  if (!strict) return strict.error();
  p.strict = *strict;
  auto slow = boolean_member(j, "allow_slow", where);
  if (!slow) return slow.error();
  p.allow_slow = *slow;
  if (auto t = j.find("translator"); t != j.end()) {
    if (!t->is_string() || t->get<std::string>().empty())
      return fail(exit_code::bad_config,
                  "{}: translator must be a translator's name (e.g. \"qemu-user-static\") or path, not {}", where,
                  type_name(*t));
    p.translator = t->get<std::string>();
  }
  if (auto sc = j.find("scope"); sc != j.end()) {
    std::optional<Scope> scope;
    if (sc->is_string()) scope = scope_from(sc->get<std::string>());
    if (!scope)
      return fail(exit_code::bad_config,
                  "{}: scope must be \"global\" (every program) or \"boinc\" (BOINC's tasks alone), not {}", where,
                  type_name(*sc));
    p.scope = scope;
  }
  // Policy options describe how to enable: on a platform to be disabled they mean nothing,
  // and accepting them would hide a mistake (the wrong state, or options on the wrong line).
  if (p.state == DesiredState::disabled) {
    for (auto key : {"strict", "allow_slow", "translator", "scope"})
      if (j.contains(key))
        return fail(exit_code::bad_config, "{}: {} applies only to \"state\": \"enabled\"", where, key);
  }
  p.where = std::move(where);
  return p;
}

}  // namespace

Result<DesiredStateFile> parse_desired_state(std::string_view text, std::string_view source) {
  if (text.size() > kMaxDesiredStateBytes)
    return fail(exit_code::bad_config, "{}: {} bytes, more than the {} a desired-state file may have", source,
                text.size(), kMaxDesiredStateBytes);
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    // nlohmann's message says where ("at line 3, column 5") and what it expected.
    return fail(exit_code::bad_config, "{}: not valid JSON: {}", source, e.what());
  }
  if (!j.is_object())
    return fail(exit_code::bad_config, "{}: must be a JSON object with \"platforms\", not {}", source, type_name(j));
  if (auto k = only_known_keys(j, {"version", "others", "platforms"}, std::string(source)); !k) return k.error();
  DesiredStateFile d;
  d.source = std::string(source);
  auto version = json_integer_member(j, "version", 1, source, 0, 1'000'000);
  if (!version) return version.error();
  if (*version != 1)
    return fail(exit_code::bad_config, "{}: version {} is not supported (this platformctl reads version 1)", source,
                *version);
  if (auto o = j.find("others"); o != j.end()) {
    if (*o == "unchanged")
      d.others = OthersPolicy::unchanged;
    else if (*o == "disabled")
      d.others = OthersPolicy::disabled;
    else
      return fail(exit_code::bad_config, "{}: others must be \"unchanged\" or \"disabled\", not {}", source,
                  type_name(*o));
  }
  auto list = j.find("platforms");
  if (list == j.end()) return fail(exit_code::bad_config, "{}: has no \"platforms\" list", source);
  if (!list->is_array())
    return fail(exit_code::bad_config, "{}: platforms must be a list, not {}", source, type_name(*list));
  if (list->size() > kMaxDesiredPlatforms)
    return fail(exit_code::bad_config, "{}: {} platforms, more than the {} a file may name", source, list->size(),
                kMaxDesiredPlatforms);
  for (std::size_t i = 0; i < list->size(); ++i) {
    auto p = parse_platform((*list)[i], source, i);
    if (!p) return p.error();
    d.platforms.push_back(std::move(*p));
  }
  return d;
}

std::string_view to_string(DesiredState s) {
  return s == DesiredState::enabled ? "enabled" : "disabled";
}

std::string_view to_string(OthersPolicy o) {
  return o == OthersPolicy::unchanged ? "unchanged" : "disabled";
}

}  // namespace platformd
