// Fuzz target: the probe's identity and benchmark answers. The probe runs under the
// translator being verified, so its output is untrusted.
//   parse_probe_identity (core/probe_runner.h, lenient: what verifier.cc and host.cc use)
//   parse_identity_answer, parse_bench, speed_ratios (core/probe_output.h, strict)
//
// Input: the probe's standard output.
//
// Invariants:
//  - a lenient parse has a non-empty arch and answer 42;
//  - whatever the strict parser accepts with "answer 42", the lenient one accepts with the
//    same arch, uname and argv0 (the two must not disagree on a well-formed answer);
//  - a parsed benchmark has positive finite seconds and non-empty checksums, and a run
//    compared with itself has speed ratio exactly 1 and no slow risk.
#include <cmath>

#include "fuzz_util.h"
#include "probe_output.h"
#include "probe_runner.h"

using namespace platformd;
using platformd_fuzz::shown;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view out = platformd_fuzz::as_text(data, size);

  auto lenient = parse_probe_identity(out);
  if (lenient) FUZZ_CHECK(!lenient->arch.empty() && lenient->answer_ok, "incomplete identity accepted");

  auto strict = parse_identity_answer(out);
  if (strict) {
    FUZZ_CHECK(!strict->arch.empty() && !strict->uname.empty(), "strict parse accepted an empty arch or uname");
    FUZZ_CHECK(strict->protocol == kProbeProtocol, "strict parse accepted protocol {}", strict->protocol);
    if (strict->answer_ok) {
      FUZZ_CHECK(lenient.ok(), "strict parser accepts, lenient one refuses: {}", lenient.error().message);
      FUZZ_CHECK(lenient->arch == strict->arch && lenient->uname == strict->uname && lenient->argv0 == strict->argv0,
                 "parsers disagree: arch \"{}\"/\"{}\" uname \"{}\"/\"{}\" argv0 \"{}\"/\"{}\"", shown(lenient->arch),
                 shown(strict->arch), shown(lenient->uname), shown(strict->uname), shown(lenient->argv0),
                 shown(strict->argv0));
    }
  }

  auto bench = parse_bench(out);
  if (bench) {
    FUZZ_CHECK(std::isfinite(bench->fp_seconds) && bench->fp_seconds > 0 && std::isfinite(bench->int_seconds) &&
                   bench->int_seconds > 0,
               "bench seconds {} {}", bench->fp_seconds, bench->int_seconds);
    FUZZ_CHECK(!bench->fp_checksum.empty() && !bench->int_checksum.empty(), "empty checksum accepted");
    auto r = speed_ratios(*bench, *bench);
    FUZZ_CHECK(r.fp == 1.0 && r.integer == 1.0 && r.worst == 1.0 && !slow_risk(r), "self ratio is not 1: {} {} {}", r.fp,
               r.integer, r.worst);
  }
  return 0;
}
