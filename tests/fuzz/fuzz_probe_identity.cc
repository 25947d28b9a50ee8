// Fuzz target: the probe's identity and benchmark answers (core/fidelity/probe_output.h:
// parse_identity_answer, parse_bench, speed_ratios, parse_cpu_answer). The probe runs under the translator being
// verified, so its output is untrusted.
//
// Input: the probe's standard output.
//
// Invariants:
//  - a parsed identity speaks kProbeProtocol, has a non-empty arch and uname, holds only
//    printable ASCII, and printing it back in the probe's format parses to the same answer;
//  - a parsed benchmark has positive finite seconds and non-empty checksums, and a run
//    compared with itself has speed ratio exactly 1 and no slow risk;
//  - a parsed `probe cpu` answer has a level 0 to 4, and what it says of the matching hosts is
//    printable ASCII.
#include <algorithm>
#include <cmath>

#include "fidelity/probe_output.h"
#include "fuzz_util.h"

using namespace platformd;
using platformd_fuzz::shown;

namespace {

bool printable(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= ' ' && c < 127; });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view out = platformd_fuzz::as_text(data, size);

  auto id = parse_identity_answer(out);
  if (id) {
    FUZZ_CHECK(id->protocol == kProbeProtocol, "accepted protocol {}", id->protocol);
    FUZZ_CHECK(!id->arch.empty() && !id->uname.empty(), "accepted an empty arch or uname");
    FUZZ_CHECK(printable(id->arch) && printable(id->uname) && printable(id->argv0),
               "accepted unprintable bytes: arch \"{}\" uname \"{}\" argv0 \"{}\"", shown(id->arch), shown(id->uname),
               shown(id->argv0));
    const std::string printed = fmt::format("platformd-probe {}\narch {}\nuname {}\nargv0 {}\nanswer {}\n",
                                            id->protocol, id->arch, id->uname, id->argv0, id->answer_ok ? "42" : "0");
    auto again = parse_identity_answer(printed);
    FUZZ_CHECK(again.ok() && again->arch == id->arch && again->uname == id->uname && again->argv0 == id->argv0 &&
                   again->answer_ok == id->answer_ok,
               "identity does not survive printing: \"{}\"", shown(printed));
  }

  auto bench = parse_bench(out);
  if (bench) {
    FUZZ_CHECK(std::isfinite(bench->fp_seconds) && bench->fp_seconds > 0 && std::isfinite(bench->int_seconds) &&
                   bench->int_seconds > 0,
               "bench seconds {} {}", bench->fp_seconds, bench->int_seconds);
    FUZZ_CHECK(!bench->fp_checksum.empty() && !bench->int_checksum.empty(), "empty checksum accepted");
    auto r = speed_ratios(*bench, *bench);
    FUZZ_CHECK(r.fp == 1.0 && r.integer == 1.0 && r.worst == 1.0 && !slow_risk(r), "self ratio is not 1: {} {} {}",
               r.fp, r.integer, r.worst);
  }
  if (auto cpu = parse_cpu_answer(out); cpu && *cpu) {
    FUZZ_CHECK((*cpu)->level >= 0 && (*cpu)->level <= 4, "accepted level {}", (*cpu)->level);
    FUZZ_CHECK(printable(describe_matching_hosts(**cpu)), "describe_matching_hosts is not printable");
  }
  return 0;
}
