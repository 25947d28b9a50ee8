#include "fidelity/translator.h"

#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "binfmt/elf_file.h"
#include "catalog.h"
#include "exit_codes.h"

namespace platformd {

using nlohmann::json;

Result<TranslatorSpec> parse_translator(std::string_view json_text, std::string_view source) {
  json j = json::parse(json_text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return fail(exit_code::bad_config, "{}: not a JSON object", source);
  TranslatorSpec t;
  try {
    t.name = j.at("name").get<std::string>();
    t.package = j.value("package", "");
    t.requires_static = j.value("requires_static", true);
    t.maps_host_libc = j.value("maps_host_libc", false);
    if (j.contains("rcfile")) {
      const json& rc = j.at("rcfile");
      t.rcfile.file = rc.at("file").get<std::string>();
      t.rcfile.settings = rc.at("settings").get<std::map<std::string, std::string>>();
      if (t.rcfile.file.empty() || t.rcfile.file.find('/') != std::string::npos || t.rcfile.file[0] != '.')
        return fail(exit_code::bad_config, "{}: rcfile.file must be a dot file's name (\".box64rc\"), not a path",
                    source);
      for (const auto& [k, v] : t.rcfile.settings)
        if (k.empty() || k.find_first_of("=#[]\n") != std::string::npos || v.find_first_of("#\n") != std::string::npos)
          return fail(exit_code::bad_config, "{}: rcfile setting '{}' cannot be written to an rc file", source, k);
    }
    for (const auto& [arch, v] : j.at("platforms").items()) {
      if (auto ok = validate_platform_name(arch); !ok)
        return fail(exit_code::bad_config, "{}: platform key: {}", source, ok.error().message);
      TranslatorSpec::ForPlatform fp;
      fp.path = v.at("path").get<std::string>();
      if (fp.path.empty() || fp.path[0] != '/')
        return fail(exit_code::bad_config, "{}: {}: path must be absolute", source, arch);
      fp.env = v.value("env", std::map<std::string, std::string>{});
      t.platforms[arch] = fp;
    }
  } catch (const json::exception& e) {
    return fail(exit_code::bad_config, "{}: {}", source, e.what());
  }
  if (t.name.empty()) return fail(exit_code::bad_config, "{}: empty name", source);
  return t;
}

Result<std::vector<TranslatorSpec>> load_translators(const Paths& p) {
  std::vector<TranslatorSpec> out;
  std::error_code ec;
  fs::path dir = p.data_dir / "emulators";
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    if (it->path().extension() != ".json") continue;
    std::ifstream in(it->path());
    std::stringstream ss;
    ss << in.rdbuf();
    auto t = parse_translator(ss.str(), it->path().string());
    if (!t) return t.error();
    out.push_back(std::move(*t));
  }
  if (ec) return fail(exit_code::failure, "cannot read {}: {}", dir.string(), ec.message());
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

std::string file_identity(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return "";
  return fmt::format("{}:{}:{}:{}", path, st.st_ino, st.st_size, st.st_mtim.tv_sec);
}

std::string identity_path(std::string_view identity) {
  auto end = identity.size();
  for (int field = 0; field < 3; ++field) {
    end = identity.rfind(':', end == 0 ? 0 : end - 1);
    if (end == std::string_view::npos) return std::string(identity);
  }
  return std::string(identity.substr(0, end));
}

std::string translator_problem(const std::string& path, bool requires_static) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return fmt::format("{} is not installed", path);
  if (!S_ISREG(st.st_mode)) return fmt::format("{} is not a regular file", path);
  if (::access(path.c_str(), X_OK) != 0) return fmt::format("{} is not executable", path);
  auto elf = read_elf(path);
  if (!elf) return elf.error().message;
  if (elf->elf_class == 0) return fmt::format("{} is not an ELF program", path);
  if (requires_static && elf->has_interp)
    return fmt::format("{} is dynamically linked; the F flag needs a static translator", path);
  return "";
}

}  // namespace platformd
