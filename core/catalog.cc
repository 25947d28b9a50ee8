#include "catalog.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "binfmt/binfmt_rule.h"
#include "exit_codes.h"
#include "json_number.h"

namespace platformd {

namespace {

using nlohmann::json;

Result<Platform> parse_platform(const json& j, std::string_view source, std::size_t index) {
  auto where = [&] { return fmt::format("{}: platforms[{}]", source, index); };
  if (!j.is_object()) return fail(exit_code::bad_config, "{}: not an object", where());
  Platform p;
  try {
    p.arch = j.at("arch").get<std::string>();
    p.boinc_name = j.at("boinc_name").get<std::string>();
    p.aliases = j.value("aliases", std::vector<std::string>{});
    p.boinc_canonical = j.value("boinc_canonical", true);
    p.uname_machines = j.value("uname_machines", std::vector<std::string>{});
    auto elf_class = json_integer(j.at("elf_class"), where(), "elf_class", 1, 2);
    if (!elf_class) return elf_class.error();
    p.elf_class = static_cast<int>(*elf_class);
    auto offset = json_integer_member(j, "offset", 0, where(), 0, kMaxMagicEnd - 1);
    if (!offset) return offset.error();
    p.offset = static_cast<unsigned>(*offset);
    auto magic = from_hex(j.at("magic").get<std::string>());
    auto mask = from_hex(j.at("mask").get<std::string>());
    if (!magic || !mask) return fail(exit_code::bad_config, "{} ({}): magic/mask is not hex", where(), p.arch);
    p.magic = *magic;
    p.mask = *mask;
  } catch (const json::exception& e) {
    return fail(exit_code::bad_config, "{}: {}", where(), e.what());
  }
  for (const auto& n : [&] {
         std::vector<std::string> all = p.aliases;
         all.push_back(p.arch);
         all.push_back(p.boinc_name);
         return all;
       }()) {
    if (auto v = validate_platform_name(n); !v)
      return fail(exit_code::bad_config, "{}: {}", where(), v.error().message);
  }
  if (p.magic.empty() || p.magic.size() != p.mask.size())
    return fail(exit_code::bad_config, "{} ({}): magic and mask must be non-empty and of equal length", where(),
                p.arch);
  if (p.offset + p.magic.size() > kMaxMagicEnd)
    return fail(exit_code::bad_config, "{} ({}): magic ends past byte {}", where(), p.arch, kMaxMagicEnd);
  return p;
}

}  // namespace

Result<void> validate_platform_name(std::string_view name) {
  if (name.empty()) return fail(exit_code::usage, "empty platform name");
  if (name.size() > kMaxPlatformName)
    return fail(exit_code::usage, "platform name is longer than {} bytes", kMaxPlatformName);
  for (unsigned char c : name) {
    if (c <= 0x20 || c >= 0x7f || c == ':' || c == '/' || c == '\\')
      return fail(exit_code::usage, "platform name contains a character that is not allowed (byte 0x{:02x})", c);
  }
  return {};
}

Result<Catalog> parse_catalog(std::string_view json_text, std::string_view source) {
  json j = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return fail(exit_code::bad_config, "{}: not valid JSON", source);
  if (!j.is_object() || !j.contains("platforms") || !j["platforms"].is_array())
    return fail(exit_code::bad_config, "{}: expected an object with a \"platforms\" array", source);
  Catalog c;
  std::size_t i = 0;
  for (const auto& e : j["platforms"]) {
    auto p = parse_platform(e, source, i++);
    if (!p) return p.error();
    for (const auto& q : c.platforms) {
      auto clash = [&](std::string_view n) {
        return n == q.arch || n == q.boinc_name || std::find(q.aliases.begin(), q.aliases.end(), n) != q.aliases.end();
      };
      bool dup = clash(p->arch) || clash(p->boinc_name) || std::any_of(p->aliases.begin(), p->aliases.end(), clash);
      if (dup) return fail(exit_code::bad_config, "{}: {} reuses a name of {}", source, p->arch, q.arch);
    }
    c.platforms.push_back(std::move(*p));
  }
  if (c.platforms.empty()) return fail(exit_code::bad_config, "{}: no platforms", source);
  return c;
}

const Platform* Catalog::resolve(std::string_view name) const {
  for (const auto& p : platforms) {
    if (p.arch == name || p.boinc_name == name) return &p;
    if (std::find(p.aliases.begin(), p.aliases.end(), name) != p.aliases.end()) return &p;
  }
  return nullptr;
}

const Platform* Catalog::by_arch(std::string_view arch) const {
  for (const auto& p : platforms)
    if (p.arch == arch) return &p;
  return nullptr;
}

const Platform* Catalog::match_header(const Bytes& header) const {
  for (const auto& p : platforms) {
    BinfmtRule r;
    r.offset = p.offset;
    r.magic = p.magic;
    r.mask = p.mask;
    if (rule_matches(r, header)) return &p;
  }
  return nullptr;
}

}  // namespace platformd
