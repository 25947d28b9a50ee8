// The guest's CPU (issue 22, item 5): `probe cpu` as the x86 probe prints it natively and under
// qemu-x86_64's models (measured here: this host "cpu x86-64-v4 fma avx2 avx512f"; QEMU 7.2's
// default `max` "cpu x86-64-v3 fma avx2"; QEMU_CPU=qemu64 "cpu x86-64-v1"), whose native hosts
// the results of libm calls will match, and the BOINC client's environment without translator
// settings.
#include <doctest/doctest.h>

#include "fidelity/probe_output.h"
#include "system/boinc_namespace.h"

using namespace platformd;

TEST_CASE("probe cpu: the feature level and the libm-relevant features") {
  auto host = parse_cpu_answer("cpu x86-64-v4 fma avx2 avx512f\n");
  REQUIRE(host);
  REQUIRE(*host);
  CHECK((*host)->level == 4);
  CHECK((*host)->fma);
  CHECK((*host)->avx2);
  CHECK((*host)->avx512f);

  auto qemu_max = parse_cpu_answer("cpu x86-64-v3 fma avx2\n");
  REQUIRE(qemu_max);
  REQUIRE(*qemu_max);
  CHECK((*qemu_max)->level == 3);
  CHECK_FALSE((*qemu_max)->avx512f);
  CHECK(describe_matching_hosts(**qemu_max) ==
        "the guest's CPU is x86-64-v3 (FMA and AVX2): glibc's libm takes its FMA code, as on native x86-64-v3 and v4 "
        "hosts (most since 2013), whose results its libm calls match; x86-64-v1 and v2 hosts' can differ in the last "
        "bits");

  auto qemu64 = parse_cpu_answer("cpu x86-64-v1\n");
  REQUIRE(qemu64);
  REQUIRE(*qemu64);
  CHECK((*qemu64)->level == 1);
  CHECK_FALSE((*qemu64)->fma);
  CHECK(describe_matching_hosts(**qemu64).find("the guest's CPU is x86-64-v1 (no FMA): glibc's libm takes its generic "
                                               "code, as on native x86-64-v1 and v2 hosts") == 0);
  // FMA without AVX2 (AMD Piledriver): glibc still takes the generic code.
  CHECK(describe_matching_hosts(GuestCpu{2, true, false, false}).find("(FMA without AVX2)") != std::string::npos);

  auto other = parse_cpu_answer("cpu -\n");
  REQUIRE(other);
  CHECK_FALSE(*other);
}

TEST_CASE("probe cpu: anything else is an error, quoted") {
  CHECK_FALSE(parse_cpu_answer(""));
  CHECK_FALSE(parse_cpu_answer("cpu x86-64-v5\n"));
  CHECK_FALSE(parse_cpu_answer("cpu x86-64-v3 sse9\n"));
  CHECK_FALSE(parse_cpu_answer("cpu x86-64-v3  fma\n"));
  CHECK_FALSE(parse_cpu_answer("cpu x86-64-v3\ncpu x86-64-v1\n"));
  auto bad = parse_cpu_answer("cpu \x1b[2J\n");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message == "probe cpu: no feature level in \"\\x1b[2J\"");
  CHECK_FALSE(parse_cpu_answer(std::string(300, 'x')));
}

TEST_CASE("the BOINC client's environment: the user's own four, no translator settings") {
  auto env = client_environment({"PATH=/usr/bin", "HOME=/root", "QEMU_CPU=qemu64", "BOX64_DYNAREC_FASTNAN=1",
                                 "BOX86_LOG=1", "FEX_ROOTFS=/x", "LANG=C.UTF-8", "QEMUX=kept", "USER=root"},
                                "/var/lib/boinc-client", "boinc", "/usr/sbin/nologin");
  CHECK(env == std::vector<std::string>{"PATH=/usr/bin", "LANG=C.UTF-8", "QEMUX=kept", "HOME=/var/lib/boinc-client",
                                        "USER=boinc", "LOGNAME=boinc", "SHELL=/usr/sbin/nologin"});
}
