// Parsing the probe's identity and benchmark answers. See probe_output.h.
#include "fidelity/probe_output.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <vector>

#include "exit_codes.h"
#include "untrusted_text.h"

namespace platformd {

namespace {

// The probe runs under the translator being verified: treat its output as untrusted.
constexpr std::size_t kMaxOutput = 64 * 1024;

bool printable(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= ' ' && c < 127; });
}

std::optional<double> parse_seconds(std::string_view s) {
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v) || v <= 0) return std::nullopt;
  return v;
}

}  // namespace

Result<IdentityAnswer> parse_identity_answer(std::string_view text) {
  if (text.size() > kMaxOutput) return fail(exit_code::verify_failed, "probe identity: output too long");
  static constexpr std::string_view keys[] = {"platformd-probe", "arch", "uname", "argv0", "answer"};
  auto lines = split_lines(text);
  if (lines.size() < std::size(keys))
    return fail(exit_code::verify_failed, "probe identity: {} lines, expected {}", lines.size(), std::size(keys));
  std::string_view values[std::size(keys)];
  for (std::size_t i = 0; i < std::size(keys); ++i) {
    std::string_view line = lines[i];
    if (line.size() <= keys[i].size() || line.substr(0, keys[i].size()) != keys[i] || line[keys[i].size()] != ' ' ||
        !printable(line))
      return fail(exit_code::verify_failed, "probe identity line {}: expected \"{} ...\", got \"{}\"", i + 1, keys[i],
                  quote_untrusted(line));
    values[i] = line.substr(keys[i].size() + 1);
  }
  for (std::size_t i = std::size(keys); i < lines.size(); ++i)
    if (!lines[i].empty())
      return fail(exit_code::verify_failed, "probe identity line {}: unexpected \"{}\"", i + 1,
                  quote_untrusted(lines[i]));
  IdentityAnswer id;
  auto [end, ec] = std::from_chars(values[0].data(), values[0].data() + values[0].size(), id.protocol);
  if (ec != std::errc() || end != values[0].data() + values[0].size())
    return fail(exit_code::verify_failed, "probe identity line 1: bad protocol \"{}\"", quote_untrusted(values[0]));
  if (id.protocol != kProbeProtocol)
    return fail(exit_code::verify_failed, "probe speaks protocol {}, this platformd expects {} (stale install?)",
                id.protocol, kProbeProtocol);
  id.arch = values[1];
  id.uname = values[2];
  id.argv0 = values[3];
  id.answer_ok = values[4] == "42";
  if (id.arch.empty() || id.uname.empty()) return fail(exit_code::verify_failed, "probe identity: empty arch or uname");
  return id;
}

Result<std::optional<GuestCpu>> parse_cpu_answer(std::string_view text) {
  if (text.size() > 256) return fail(exit_code::verify_failed, "probe cpu: output too long");
  auto lines = split_lines(text);
  if (lines.size() != 1 || lines[0].substr(0, 4) != "cpu ")
    return fail(exit_code::verify_failed, "probe cpu: expected one line \"cpu ...\", got \"{}\"",
                quote_untrusted(text));
  std::string_view rest = lines[0].substr(4);
  if (rest == "-") return std::optional<GuestCpu>{};
  constexpr std::string_view kLevel = "x86-64-v";
  if (rest.substr(0, kLevel.size()) != kLevel || rest.size() < kLevel.size() + 1)
    return fail(exit_code::verify_failed, "probe cpu: no feature level in \"{}\"", quote_untrusted(rest));
  GuestCpu c;
  const char digit = rest[kLevel.size()];
  if (digit < '0' || digit > '4')
    return fail(exit_code::verify_failed, "probe cpu: level \"{}\" is not 0 to 4", quote_untrusted(rest));
  c.level = digit - '0';
  rest.remove_prefix(kLevel.size() + 1);
  while (!rest.empty()) {
    if (rest.front() != ' ')
      return fail(exit_code::verify_failed, "probe cpu: malformed \"{}\"", quote_untrusted(rest));
    rest.remove_prefix(1);
    auto word = rest.substr(0, rest.find(' '));
    rest.remove_prefix(word.size());
    if (word == "fma")
      c.fma = true;
    else if (word == "avx2")
      c.avx2 = true;
    else if (word == "avx512f")
      c.avx512f = true;
    else
      return fail(exit_code::verify_failed, "probe cpu: unknown feature \"{}\"", quote_untrusted(word));
  }
  return std::optional<GuestCpu>(c);
}

std::string describe_matching_hosts(const GuestCpu& c) {
  const std::string level = c.level > 0 ? fmt::format("x86-64-v{}", c.level) : std::string("below x86-64-v1");
  if (c.fma && c.avx2)
    return fmt::format(
        "the guest's CPU is {} (FMA and AVX2): glibc's libm takes its FMA code, as on native x86-64-v3 and v4 hosts "
        "(most since 2013), whose results its libm calls match; x86-64-v1 and v2 hosts' can differ in the last bits",
        level);
  return fmt::format(
      "the guest's CPU is {} ({}): glibc's libm takes its generic code, as on native x86-64-v1 and v2 hosts, whose "
      "results its libm calls match; x86-64-v3 and v4 hosts' (most since 2013) can differ in the last bits",
      level, c.fma ? "FMA without AVX2" : "no FMA");
}

Result<BenchResult> parse_bench(std::string_view text) {
  if (text.size() > kMaxOutput) return fail(exit_code::verify_failed, "probe bench: output too long");
  BenchResult b;
  bool fp = false, integer = false;
  std::size_t line_no = 0;
  for (std::string_view line : split_lines(text)) {
    ++line_no;
    if (line.empty()) continue;
    auto bad = [&](std::string_view why) {
      return fail(exit_code::verify_failed, "probe bench line {}: {}: \"{}\"", line_no, why, quote_untrusted(line));
    };
    std::size_t a = line.find(' '), z = line.rfind(' ');
    if (a == std::string_view::npos || a == z) return bad("expected \"bench.<kernel> <seconds> <checksum>\"");
    std::string_view key = line.substr(0, a), secs = line.substr(a + 1, z - a - 1), sum = line.substr(z + 1);
    auto seconds = parse_seconds(secs);
    if (!seconds) return bad("seconds must be a positive finite number");
    if (sum.empty() || !printable(sum)) return bad("bad checksum");
    if (key == "bench.fp" && !fp) {
      fp = true;
      b.fp_seconds = *seconds;
      b.fp_checksum = sum;
    } else if (key == "bench.int" && !integer) {
      integer = true;
      b.int_seconds = *seconds;
      b.int_checksum = sum;
    } else {
      return bad("unknown or repeated kernel");
    }
  }
  if (!fp || !integer) return fail(exit_code::verify_failed, "probe bench: missing {}", fp ? "bench.int" : "bench.fp");
  return b;
}

SpeedRatios speed_ratios(const BenchResult& native, const BenchResult& emulated) {
  SpeedRatios r;
  r.fp = native.fp_seconds / emulated.fp_seconds;
  r.integer = native.int_seconds / emulated.int_seconds;
  r.combined = std::sqrt(r.fp * r.integer);
  r.worst = std::min(r.fp, r.integer);
  return r;
}

bool slow_risk(const SpeedRatios& r) {
  return r.worst < kSlowSpeedRatio;
}

}  // namespace platformd
