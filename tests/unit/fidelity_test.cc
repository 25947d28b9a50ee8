// Fidelity layer: fingerprint/reference/policy parsing and judging on plain strings, the probe's
// identity and bench answers, and the committed data (platforms/reference/*.json and the
// policy) checked against the probe's own case list.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>

#include "exit_codes.h"
#include "fidelity/fidelity.h"
#include "fidelity/probe_output.h"

using namespace platformd;
namespace fs = std::filesystem;

namespace {

const char* kRef = R"({
  "arch": "testarch",
  "probe_protocol": 1,
  "sources": {"ieee": "derived: correctly rounded"},
  "cases": {
    "basic.add.f64.p0": {"value": "3ff0000000000000", "source": "ieee"},
    "basic.mul.f64.p0": {"value": "3ff0000000000001", "source": "ieee"},
    "nan.default.f64": {"value": "7ff8000000000000", "source": "manual: default NaN"},
    "libm.sin.one": {"value": "3feaed548f090cee", "source": "observed"}
  }
})";

const char* kGood =
    "basic.add.f64.p0 3ff0000000000000\n"
    "basic.mul.f64.p0 3ff0000000000001\n"
    "nan.default.f64 7ff8000000000000\n"
    "libm.sin.one 3feaed548f090cee\n";

Reference ref() {
  auto r = parse_reference_text(kRef, "test.json");
  REQUIRE_MESSAGE(r.ok(), r.error().message);
  return *r;
}

Fingerprint fp(std::string_view text) {
  auto f = parse_fingerprint(text);
  REQUIRE_MESSAGE(f.ok(), f.error().message);
  return *f;
}

const CategoryJudgement* category(const FidelityJudgement& j, std::string_view name) {
  for (const auto& c : j.categories)
    if (c.category == name) return &c;
  return nullptr;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs a command and returns its stdout (the probe is a plain native program; see below).
std::string run(const std::string& cmd, int* status) {
  std::unique_ptr<FILE, int (*)(FILE*)> p(popen(cmd.c_str(), "r"), pclose);
  std::string out;
  if (!p) return out;
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, p.get())) > 0) out.append(buf, n);
  *status = pclose(p.release());
  return out;
}

std::string host_arch() {
#if defined(__x86_64__)
  return "x86_64";
#elif defined(__aarch64__)
  return "aarch64";
#elif defined(__i386__)
  return "i686";
#elif defined(__arm__)
  return "armhf";
#elif defined(__riscv)
  return "riscv64";
#elif defined(__powerpc64__)
  return "ppc64le";
#elif defined(__s390x__)
  return "s390x";
#else
  return "unknown";
#endif
}

// The build tree's probe for this machine. platforms/CMakeLists.txt defines PLATFORMD_HOST_PROBE
// and builds it before the unit tests; the fallback is its place relative to this binary.
fs::path host_probe() {
#ifdef PLATFORMD_HOST_PROBE
  return PLATFORMD_HOST_PROBE;
#else
  return fs::read_symlink("/proc/self/exe").parent_path().parent_path() / "probes" / ("probe-" + host_arch());
#endif
}

}  // namespace

TEST_CASE("fingerprint: lines become cases in order") {
  auto f = fp(kGood);
  REQUIRE(f.cases.size() == 4);
  CHECK(f.cases[0].first == "basic.add.f64.p0");
  CHECK(f.by_name.at("nan.default.f64") == "7ff8000000000000");
  CHECK(fidelity_category("nan.prop.f64.qa_qb") == "nan");
  CHECK(parse_fingerprint("a.b 1\n\n\nc.d 2").ok());  // blank lines and no final newline are fine
  CHECK(parse_fingerprint("x87pc.pc24.div_1_3 3ffd:aaaaab0000000000\nflags.add UF|NX\n").ok());
}

TEST_CASE("fingerprint: malformed lines are rejected with their line number") {
  auto check = [](std::string_view text, std::string_view needle) {
    auto r = parse_fingerprint(text);
    REQUIRE_FALSE(r.ok());
    CHECK_MESSAGE(r.error().message.find(needle) != std::string::npos, r.error().message);
  };
  check("a.b 1\nnovalue\n", "line 2");
  check("a.b 1\nc.d 2\nBAD.case 3\n", "line 3");
  check("nocategory 1\n", "no category");
  check(".x 1\n", "no category");
  check("a.b 1 2\n", "spaces");
  check("a.b \n", "line 1");
  check("a.b 1\r\n", "control");
  check("a.b 1\na.b 1\n", "duplicate");
  check("", "no fingerprint");
  check("a.b " + std::string(300, 'f') + "\n", "too long");
  check("a.b \x01\n", "\\x01");  // untrusted bytes are escaped in the message
  CHECK(parse_fingerprint(std::string(2 << 20, 'a')).error().message.find("bytes") != std::string::npos);
}

TEST_CASE("reference: sources are resolved, file order kept") {
  auto r = ref();
  CHECK(r.arch == "testarch");
  REQUIRE(r.cases.size() == 4);
  CHECK(r.cases[0].name == "basic.add.f64.p0");
  CHECK(r.cases[3].name == "libm.sin.one");  // file order, not sorted
  CHECK(r.cases[0].source == "derived: correctly rounded");
  CHECK(r.cases[2].source == "manual: default NaN");  // not a key: the text itself
  auto j = parse_reference(nlohmann::json::parse(kRef), "j");
  REQUIRE(j.ok());
  CHECK(j->cases.size() == 4);
}

TEST_CASE("reference: malformed documents name the file") {
  auto bad = [](std::string_view text) {
    auto r = parse_reference_text(text, "reference/x.json");
    REQUIRE_FALSE(r.ok());
    CHECK_MESSAGE(r.error().message.starts_with("reference/x.json: "), r.error().message);
    return r.error().message;
  };
  bad("not json");
  bad("[]");
  bad(R"({"cases": {"a.b": {"value": "1", "source": "s"}}})");  // no arch
  bad(R"({"arch": "x", "cases": {}})");                         // no cases
  bad(R"({"arch": "x", "cases": {"nodot": {"value": "1", "source": "s"}}})");
  bad(R"({"arch": "x", "cases": {"a.b": {"value": "1"}}})");  // no source
  bad(R"({"arch": "x", "cases": {"a.b": {"value": "1 2", "source": "s"}}})");
  bad(R"({"arch": "x", "sources": [], "cases": {"a.b": {"value": "1", "source": "s"}}})");
  CHECK(bad(R"({"arch": "x", "probe_protocol": "1", "cases": {"a.b": {"value": "1", "source": "s"}}})")
            .find("probe_protocol") != std::string::npos);
}

TEST_CASE("policy: defaults, parsing, strict") {
  auto d = default_fidelity_policy();
  CHECK(d.blocks(ImpactClass::every_program));
  for (ImpactClass c : kImpactClasses)
    if (c != ImpactClass::every_program) CHECK_FALSE(d.blocks(c));
  CHECK(d.blocks("x86_64", "basic"));
  CHECK_FALSE(d.blocks("x86_64", "nan"));
  CHECK(d.blocks("i686", "x87pc"));            // x87 is i686's FP unit
  CHECK_FALSE(d.blocks("x86_64", "x87pc"));    // long double on x86_64
  CHECK(d.blocks("x86_64", "something_new"));  // unknown categories block by default
  d.strict = true;
  CHECK(d.blocks("x86_64", "libm"));

  auto p = parse_fidelity_policy(
      nlohmann::json::parse(
          R"({"blocking": ["every-program", "nan-payloads"], "warning": ["libm"], "unknown_categories": "warning", "_x": 1})"),
      "policy.json");
  REQUIRE_MESSAGE(p.ok(), p.error().message);
  CHECK(p->blocks("x86_64", "basic"));
  CHECK(p->blocks("x86_64", "nan"));  // moved to blocking
  CHECK_FALSE(p->blocks("x86_64", "libm"));
  CHECK_FALSE(p->blocks("x86_64", "other"));
  CHECK_FALSE(p->blocks("x86_64", "ftz"));  // a class in neither list follows unknown_categories
  auto every_warns =
      parse_fidelity_policy(nlohmann::json::parse(R"({"blocking": [], "warning": ["every-program"]})"), "policy.json");
  REQUIRE(every_warns.ok());
  CHECK_FALSE(every_warns->blocks("armhf", "basic"));  // and the other way

  auto bad = [](std::string_view text, std::string_view needle = "") {
    auto r = parse_fidelity_policy(nlohmann::json::parse(text), "policy.json");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.starts_with("policy.json: "));
    CHECK_MESSAGE(r.error().message.find(needle) != std::string::npos, r.error().message);
  };
  bad(R"({"blocking": ["libm"], "warning": ["libm"]})", "both");
  bad(R"({"warning": []})");  // blocking missing
  bad(R"({"blocking": "libm", "warning": []})");
  bad(R"({"blocking": [1], "warning": []})");
  bad(R"({"blocking": ["a.b"], "warning": []})", "not an impact class");
  // A category where a class belongs says which class it is.
  bad(R"({"blocking": ["nan"], "warning": []})", "is a probe category; the policy names impact classes");
  bad(R"({"blocking": ["ftz"], "warning": []})", "belongs to flush-modes");
  bad(R"({"blocking": [], "warning": [], "unknown_categories": "maybe"})");
  bad(R"({"blocking": [], "warning": [], "blockng": []})");  // a typo is not silently ignored
  bad(R"({"blocking": [], "warning": [], "strict": "yes"})");
}

TEST_CASE("judge: exact") {
  auto j = judge(fp(kGood), ref(), default_fidelity_policy());
  CHECK(j.fidelity == Fidelity::exact);
  CHECK(j.passed());
  CHECK(j.missing == 0);
  REQUIRE(j.categories.size() == 3);
  CHECK(j.categories[0].category == "basic");  // canonical order: basic, nan, libm
  CHECK(j.categories[1].category == "nan");
  CHECK(j.categories[2].category == "libm");
  CHECK(j.categories[0].cases == 2);
  for (const auto& c : j.categories) CHECK(c.first_difference.empty());
}

TEST_CASE("judge: a blocking deviation blocks and names the first difference") {
  std::string text = kGood;
  text.replace(text.find("3ff0000000000001"), 16, "3ff0000000000002");
  auto j = judge(fp(text), ref(), default_fidelity_policy());
  CHECK(j.fidelity == Fidelity::blocked);
  CHECK_FALSE(j.passed());
  auto basic = category(j, "basic");
  REQUIRE(basic);
  CHECK_FALSE(basic->exact);
  CHECK(basic->blocking);
  CHECK(basic->impact == ImpactClass::every_program);
  CHECK(basic->deviations == 1);
  CHECK(basic->first_difference ==
        "basic.mul.f64.p0: got 3ff0000000000002, expected 3ff0000000000001 (derived: correctly rounded)");
  CHECK(category(j, "nan")->exact);
}

// The issue's example: default-NaN generation from 0/0 turns a printed "nan" into "-nan".
// That changes only results that are already NaN: a warning naming nan-payloads, not a block.
TEST_CASE("judge: a default-NaN sign deviation warns as nan-payloads") {
  std::string text = kGood;
  text.replace(text.find("7ff8000000000000"), 16, "fff8000000000000");
  auto j = judge(fp(text), ref(), default_fidelity_policy());
  CHECK(j.fidelity == Fidelity::warning);
  auto nan = category(j, "nan");
  REQUIRE(nan);
  CHECK(nan->impact == ImpactClass::nan_payloads);
  CHECK_FALSE(nan->blocking);
  CHECK(nan->first_difference ==
        "nan.default.f64: got fff8000000000000, expected 7ff8000000000000 (manual: default NaN)");
  auto strict = default_fidelity_policy();
  strict.strict = true;
  CHECK(judge(fp(text), ref(), strict).fidelity == Fidelity::blocked);
}

TEST_CASE("judge: a warning-only deviation warns; strict blocks it") {
  std::string text = kGood;
  text.replace(text.find("3feaed548f090cee"), 16, "3feaed548f090cef");
  auto policy = default_fidelity_policy();
  auto j = judge(fp(text), ref(), policy);
  CHECK(j.fidelity == Fidelity::warning);
  CHECK(j.passed());
  CHECK_FALSE(category(j, "libm")->blocking);
  policy.strict = true;
  j = judge(fp(text), ref(), policy);
  CHECK(j.fidelity == Fidelity::blocked);
  CHECK(category(j, "libm")->blocking);
}

TEST_CASE("judge: a missing case deviates; an extra case is listed, not judged") {
  auto j = judge(fp("basic.add.f64.p0 3ff0000000000000\n"
                    "nan.default.f64 7ff8000000000000\n"
                    "libm.sin.one 3feaed548f090cee\n"
                    "basic.new.case 1\n"),
                 ref(), default_fidelity_policy());
  CHECK(j.fidelity == Fidelity::blocked);
  CHECK(j.missing == 1);
  auto basic = category(j, "basic");
  CHECK(basic->deviations == 1);
  CHECK(basic->first_difference.find("basic.mul.f64.p0: got nothing (missing)") == 0);
  REQUIRE(j.extra.size() == 1);
  CHECK(j.extra[0] == "basic.new.case");

  // A probe that printed only libm: every other category deviates.
  j = judge(fp("libm.sin.one 3feaed548f090cee\n"), ref(), default_fidelity_policy());
  CHECK(j.missing == 3);
  CHECK(j.fidelity == Fidelity::blocked);
}

TEST_CASE("judge: unknown categories follow the policy") {
  auto r = parse_reference_text(
      R"({"arch": "x", "cases": {"future.thing": {"value": "1", "source": "s"}, "basic.a": {"value": "2", "source": "s"}}})",
      "x");
  REQUIRE(r.ok());
  auto f = fp("future.thing 0\nbasic.a 2\n");
  CHECK(judge(f, *r, default_fidelity_policy()).fidelity == Fidelity::blocked);
  auto lenient = default_fidelity_policy();
  lenient.unknown_blocks = false;
  auto j = judge(f, *r, lenient);
  CHECK(j.fidelity == Fidelity::warning);
  CHECK(j.categories.back().category == "future");  // unknown categories come last
}

TEST_CASE("identity: the five lines") {
  auto id = parse_identity_answer("platformd-probe 1\narch aarch64\nuname aarch64\nargv0 /usr/lib/x y\nanswer 42\n");
  REQUIRE_MESSAGE(id.ok(), id.error().message);
  CHECK(id->protocol == 1);
  CHECK(id->arch == "aarch64");
  CHECK(id->uname == "aarch64");
  CHECK(id->argv0 == "/usr/lib/x y");
  CHECK(id->answer_ok);
  auto wrong = parse_identity_answer("platformd-probe 1\narch armhf\nuname armv8l\nargv0 p\nanswer 41");
  REQUIRE(wrong.ok());
  CHECK_FALSE(wrong->answer_ok);

  auto bad = [](std::string_view text, std::string_view needle) {
    auto r = parse_identity_answer(text);
    REQUIRE_FALSE(r.ok());
    CHECK_MESSAGE(r.error().message.find(needle) != std::string::npos, r.error().message);
  };
  bad("", "0 lines");
  bad("platformd-probe 2\narch a\nuname a\nargv0 a\nanswer 42\n", "protocol 2");
  bad("platformd-probe x\narch a\nuname a\nargv0 a\nanswer 42\n", "line 1");
  bad("platformd-probe 1\nuname a\narch a\nargv0 a\nanswer 42\n", "line 2");
  bad("platformd-probe 1\narch a\nuname a\nargv0 a\nanswer 42\nmore\n", "line 6");
  bad("Hello from a hijacked binary\n", "lines");
}

TEST_CASE("bench: parsing and ratios") {
  auto native = parse_bench("bench.fp 0.040000 400921fb4fcadb84\nbench.int 0.050000 774bff8b\n");
  REQUIRE_MESSAGE(native.ok(), native.error().message);
  CHECK(native->fp_seconds == doctest::Approx(0.04));
  CHECK(native->int_checksum == "774bff8b");
  auto emulated = parse_bench("bench.int 0.1 774bff8b\nbench.fp 1.0 400921fb4fcadb84\n");  // any order
  REQUIRE(emulated.ok());
  auto r = speed_ratios(*native, *emulated);
  CHECK(r.fp == doctest::Approx(0.04));
  CHECK(r.integer == doctest::Approx(0.5));
  CHECK(r.combined == doctest::Approx(std::sqrt(0.02)));
  CHECK(r.worst == doctest::Approx(0.04));
  CHECK(slow_risk(r));
  emulated->fp_seconds = 0.5;
  CHECK_FALSE(slow_risk(speed_ratios(*native, *emulated)));

  for (const char* bad : {"bench.fp 1 a\n", "bench.fp 0 a\nbench.int 1 b\n", "bench.fp nan a\nbench.int 1 b\n",
                          "bench.fp -1 a\nbench.int 1 b\n", "bench.fp 1x a\nbench.int 1 b\n",
                          "bench.fp 1 a\nbench.fp 1 a\nbench.int 1 b\n", "bench.other 1 a\n", "bench.fp 1\n"})
    CHECK_MESSAGE(!parse_bench(bad).ok(), bad);
}

// The committed data. Every reference must parse, belong to its file, use only categories the
// policy knows, and hold exactly the cases `probe cases ARCH` lists: a probe change without
// regenerated references (platforms/probe/refgen.py) fails here, not on a user's machine.
TEST_CASE("committed references and policy match the probe") {
  fs::path dir = fs::path(PLATFORMD_SOURCE_DIR) / "platforms";
  auto policy_json = nlohmann::json::parse(slurp(dir / "fidelity-policy.json"), nullptr, false);
  REQUIRE_FALSE(policy_json.is_discarded());
  auto policy = parse_fidelity_policy(policy_json, "fidelity-policy.json");
  REQUIRE_MESSAGE(policy.ok(), policy.error().message);

  fs::path probe = host_probe();
  REQUIRE_MESSAGE(fs::exists(probe), "build the probe first: " << probe);

  const std::set<std::string> archs = {"x86_64", "i686", "aarch64", "armhf", "riscv64", "ppc64le", "s390x"};
  std::set<std::string> seen;
  for (const auto& entry : fs::directory_iterator(dir / "reference")) {
    if (entry.path().extension() != ".json") continue;
    std::string stem = entry.path().stem().string();
    CAPTURE(stem);
    auto r = parse_reference_text(slurp(entry.path()), entry.path().filename().string());
    REQUIRE_MESSAGE(r.ok(), r.error().message);
    CHECK(r->arch == stem);
    CHECK(archs.count(stem));
    CHECK(r->probe_protocol == kProbeProtocol);
    seen.insert(stem);

    for (const auto& c : r->cases) {
      std::string_view cat = fidelity_category(c.name);
      // Exactly one impact class per case, and the policy judges it explicitly.
      auto impact = impact_of(stem, cat);
      REQUIRE_MESSAGE(impact, c.name << ": category " << cat << " has no impact class");
      CHECK_MESSAGE((policy->blocking.count(*impact) + policy->warning.count(*impact) == 1),
                    "class not in the policy exactly once: " << impact_name(*impact));
      CHECK_FALSE(c.source.empty());
    }

    int status = -1;
    std::string listed = run(probe.string() + " cases " + stem, &status);
    REQUIRE(status == 0);
    std::set<std::string> want, have;
    std::istringstream in(listed);
    for (std::string line; std::getline(in, line);) want.insert(line);
    for (const auto& c : r->cases) have.insert(c.name);
    for (const auto& n : want) CHECK_MESSAGE(have.count(n), "reference lacks " << n);
    for (const auto& n : have) CHECK_MESSAGE(want.count(n), "probe does not print " << n);
  }
  CHECK(seen == archs);
}

// The host's reference was captured (x86_64) or derived for this architecture: running the
// probe here must not be blocked. Warning categories may differ on another CPU model (x87
// transcendentals differ between vendors, glibc picks libm paths by CPU feature).
TEST_CASE("the host's probe is not blocked by its own reference") {
  fs::path ref_path = fs::path(PLATFORMD_SOURCE_DIR) / "platforms" / "reference" / (host_arch() + ".json");
  fs::path probe = host_probe();
  if (!fs::exists(ref_path) || !fs::exists(probe)) {
    MESSAGE("no reference or probe for " << host_arch());
    return;
  }
  int status = -1;
  auto f = parse_fingerprint(run(probe.string() + " fp", &status));
  REQUIRE(status == 0);
  REQUIRE_MESSAGE(f.ok(), f.error().message);
  auto r = parse_reference_text(slurp(ref_path), ref_path.filename().string());
  REQUIRE(r.ok());
  auto j = judge(*f, *r, default_fidelity_policy());
  for (const auto& c : j.categories) CHECK_MESSAGE((c.exact || !c.blocking), c.category << ": " << c.first_difference);
  CHECK(j.missing == 0);
  CHECK(j.passed());

  auto id = parse_identity_answer(run(probe.string(), &status));
  REQUIRE_MESSAGE(id.ok(), id.error().message);
  CHECK(id->arch == host_arch());
  CHECK(id->answer_ok);
}

// Regressions (fuzz: regressions/fidelity_reference/case-name-without-category and
// case-line-longer-than-a-probe-line): the reference parser accepted cases the fingerprint
// parser refuses, so no probe output could ever match them and the platform could never pass.
// Both parsers now apply the same case checks.
TEST_CASE("regression case-name-without-category") {
  auto r = parse_reference_text(R"({"arch":"a","cases":{".x":{"value":"1","source":"s"}}})", "reference/a.json");
  REQUIRE_FALSE(r);
  CHECK(r.error().code == exit_code::bad_config);
  CHECK(r.error().message ==
        "reference/a.json: case \".x\" with value \"1\" is not a line the probe can print (case name has no category)");
  CHECK_FALSE(parse_fingerprint(".x 1\n"));
}

TEST_CASE("regression case-line-longer-than-a-probe-line") {
  // "basic.x " plus 249 bytes is a 257-byte line: longer than parse_fingerprint's 256.
  const std::string value(249, 'f');
  auto r = parse_reference_text(R"({"arch":"a","cases":{"basic.x":{"value":")" + value + R"(","source":"s"}}})",
                                "reference/a.json");
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("(line too long)") != std::string::npos);
  CHECK_FALSE(parse_fingerprint("basic.x " + value + "\n"));
  // One byte shorter fits both.
  const std::string fits(248, 'f');
  auto ok = parse_reference_text(R"({"arch":"a","cases":{"basic.x":{"value":")" + fits + R"(","source":"s"}}})",
                                 "reference/a.json");
  REQUIRE(ok);
  auto fp = parse_fingerprint("basic.x " + fits + "\n");
  REQUIRE(fp);
  CHECK(judge(*fp, *ok, default_fidelity_policy()).fidelity == Fidelity::exact);
}

TEST_CASE("reference: probe_protocol must be an integer in range") {
  for (const char* v : {"1e30", "1.0", "-1", "18446744073709551615"}) {
    auto r = parse_reference_text(
        std::string(R"({"arch":"a","probe_protocol":)") + v + R"(,"cases":{"a.b":{"value":"1","source":"s"}}})", "r");
    REQUIRE_FALSE_MESSAGE(r, v);
    CHECK(r.error().message == "r: \"probe_protocol\" must be an integer from 0 to 1000000");
  }
}
