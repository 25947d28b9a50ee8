// Uptake (boinc/uptake.h) and the replies it reads (boinc/boinc_messages.h), on what Debian's
// client 7.20.5 answered while attached to the real BOINC server of the server tier
// (tests/data/boinc/server/, recorded by tests/server/host-emulating.sh: an x86_64 host
// emulating aarch64, before the project had aarch64 work and after two such tasks were
// reported).
#include <doctest/doctest.h>

#include "boinc_test_data.h"

#include <algorithm>

#include <fmt/format.h>

#include "boinc/boinc_messages.h"
#include "boinc/boinc_state.h"
#include "boinc/uptake.h"

using namespace platformd;
using namespace platformd::test;

namespace {

const std::string kProject = "platformd test project";
const std::string kUrl = "http://boincserver.test/test/";

BoincClientState state_of(const std::string& file) {
  auto s = parse_get_state_reply(data("server/" + file), file);
  if (!s) FAIL(s.error().message);
  return *s;
}

std::vector<BoincMessage> messages_of(const std::string& file) {
  auto m = parse_get_messages_reply(data("server/" + file), file);
  if (!m) FAIL(m.error().message);
  return *m;
}

std::vector<BoincOldResult> old_results() {
  auto r = parse_get_old_results_reply(data("server/get_old_results_reported.xml"), "old");
  if (!r) FAIL(r.error().message);
  return *r;
}

std::string gui_reply(const std::string& body) {
  return "<boinc_gui_rpc_reply>\n" + body + "\n</boinc_gui_rpc_reply>\n";
}

}  // namespace

TEST_CASE("the recorded event log, reported tasks and state parse as the client sent them") {
  auto msgs = messages_of("get_messages_reported.xml");
  REQUIRE(msgs.size() == 74);
  for (std::size_t i = 1; i < msgs.size(); ++i) CHECK(msgs[i - 1].seqno < msgs[i].seqno);  // oldest first
  CHECK(msgs.front().project.empty());  // the client's own start-up lines
  const auto got2 = std::find_if(msgs.begin(), msgs.end(), [](const BoincMessage& m) {
    return m.body == "Scheduler request completed: got 2 new tasks";
  });
  REQUIRE(got2 != msgs.end());
  CHECK(got2->project == kProject);
  CHECK(got2->priority == 1);
  CHECK(got2->time == 1796562243);

  auto old = old_results();
  REQUIRE(old.size() == 2);
  CHECK(old[0].name == "arm_wu_2_0");
  CHECK(old[0].app == "armapp");
  CHECK(old[0].project_url == kUrl);
  CHECK(old[0].exit_status == 0);

  auto s = state_of("get_state_reported.xml");
  REQUIRE(s.projects.size() == 1);
  CHECK(s.projects[0].name == kProject);
  CHECK(s.projects[0].url == kUrl);
  CHECK(s.cpu_features.find(" sse2 ") != std::string::npos);
  CHECK(s.tasks.empty());  // both reported and acknowledged
}

TEST_CASE("before the project had aarch64 work: nothing received, and the scheduler's words") {
  auto s = state_of("get_state_no_work.xml");
  auto u = decide_uptake(s, messages_of("get_messages_no_work.xml"), {}, {kAarch64});
  REQUIRE(u.size() == 1);
  CHECK(u[0].platform == kAarch64);
  CHECK(u[0].project == kProject);
  CHECK(u[0].url == kUrl);
  CHECK_FALSE(u[0].received_any());
  CHECK(describe(u[0]) == kProject + ": nothing of it received");
  REQUIRE(u[0].last_reply);
  CHECK(u[0].last_reply->got == 0);
  CHECK(u[0].last_reply->words ==
        std::vector<std::string>{"Project has no tasks available", "Project requested delay of 7 seconds"});
  CHECK(describe(*u[0].last_reply) ==
        "2026-12-06 13:03:46 UTC: got 0 new tasks; the server said: \"Project has no tasks available\", "
        "\"Project requested delay of 7 seconds\"");
}

TEST_CASE("after two aarch64 tasks were computed and reported: counted through their app's versions") {
  auto s = state_of("get_state_reported.xml");
  auto u = decide_uptake(s, messages_of("get_messages_reported.xml"), old_results(), {kAarch64});
  REQUIRE(u.size() == 1);
  CHECK(u[0].reported_last_hour == 2);
  CHECK(u[0].running + u[0].waiting + u[0].to_report == 0);
  REQUIRE(u[0].versions.size() == 1);
  CHECK(describe(u[0].versions[0]) == "armapp 1.00");
  CHECK(describe(u[0]) ==
        kProject + ": 0 running, 0 waiting, 0 to report; 2 reported in the last hour; versions received: armapp 1.00");
  REQUIRE(u[0].last_reply);
  CHECK(u[0].last_reply->got == 0);
  CHECK(u[0].last_reply->time == 1796562265);

  SUBCASE("a platform nothing came for, beside it") {
    auto both = decide_uptake(s, messages_of("get_messages_reported.xml"), old_results(), {kAarch64, kArmhf});
    REQUIRE(both.size() == 2);
    CHECK(both[1].platform == kArmhf);
    CHECK_FALSE(both[1].received_any());
    CHECK(both[1].last_reply->time == both[0].last_reply->time);  // the project's reply, whatever the platform
  }
  SUBCASE("an app with versions of two platforms: its reported tasks cannot be attributed") {
    s.app_versions.push_back({kProject, "armapp", 100, kX86_64, ""});
    auto v = decide_uptake(s, {}, old_results(), {kAarch64});
    CHECK(v[0].reported_last_hour == 0);
    CHECK_FALSE(v[0].last_reply);
  }
  SUBCASE("tasks held now, by phase") {
    BoincTask t;
    t.project = kProject;
    t.platform = kAarch64;
    t.state = 2;  // downloaded
    s.tasks.push_back(t);
    t.active = true;
    s.tasks.push_back(t);
    t.active = false;
    t.state = 5;  // uploaded, ready to report
    s.tasks.push_back(t);
    t.platform = kX86_64;  // another platform's: not counted
    s.tasks.push_back(t);
    auto v = decide_uptake(s, {}, {}, {kAarch64});
    CHECK(v[0].waiting == 1);
    CHECK(v[0].running == 1);
    CHECK(v[0].to_report == 1);
  }
}

TEST_CASE("the last scheduler reply: the newest one, its count and only its project's words") {
  auto msgs = messages_of("get_messages_reported.xml");
  // Cut the log right after the reply that brought the two tasks.
  auto at = std::find_if(msgs.begin(), msgs.end(), [](const BoincMessage& m) {
    return m.body == "Scheduler request completed: got 2 new tasks";
  });
  REQUIRE(at != msgs.end());
  std::vector<BoincMessage> cut(msgs.begin(), at + 1);
  auto r = last_scheduler_reply(cut, kProject);
  REQUIRE(r);
  CHECK(r->got == 2);
  CHECK(r->words.empty());
  CHECK_FALSE(last_scheduler_reply(msgs, "another project"));

  // Another project's line in the same second, a request that asked for nothing, the server's
  // text with control bytes.
  std::vector<BoincMessage> log{
      {kProject, 1, 1, 100, "Scheduler request completed"},
      {"other", 1, 2, 100, "No tasks sent"},
      {kProject, 4, 3, 100, "Your computer type is not supported by this project"},
      {kProject, 1, 4, 100, "Started download of x"},
      {kProject, 1, 5, 100, "evil\x1b[2J text"},
      {kProject, 1, 6, 105, "Project requested delay of 7 seconds"},  // a later second: not this reply's
  };
  r = last_scheduler_reply(log, kProject);
  REQUIRE(r);
  CHECK_FALSE(r->got);
  CHECK(r->words ==
        std::vector<std::string>{"Your computer type is not supported by this project", "evil\\x1b[2J text"});
  CHECK(describe(*r) ==
        "1970-01-01 00:01:40 UTC: asked for no tasks; the server said: \"Your computer type is not "
        "supported by this project\", \"evil\\x1b[2J text\"");
}

TEST_CASE("why SIMD versions never come: a host that reports no x86 features, with an x86 platform enabled") {
  auto s = state_of("get_state_reported.xml");
  CHECK_FALSE(plan_class_note(s, {kX86_64}));                           // this x86 machine reports sse2
  s.cpu_features = "fp asimd evtstrm aes pmull sha1 sha2 crc32 cpuid";  // the arm64 board of VM scenario I
  auto note = plan_class_note(s, {kX86_64});
  REQUIRE(note);
  CHECK(note->find("('fp asimd evtstrm aes pmull sha1 sha2 crc32 cpuid'), none of them x86") != std::string::npos);
  CHECK(note->find("only plain x86 ones") != std::string::npos);
  CHECK_FALSE(plan_class_note(s, {kAarch64, kArmhf}));  // no x86 platform: no plan class to miss
  s.cpu_features.clear();
  CHECK_FALSE(plan_class_note(s, {kX86_64}));  // unknown: say nothing
}

TEST_CASE("the names uptake shows are the project's text: quoted once, printable ASCII") {
  auto s = state_of("get_state_reported.xml");
  s.projects[0].name = "bad\xff\x1bname";
  for (auto& v : s.app_versions) v.project = s.projects[0].name;
  auto u = decide_uptake(s, {}, {}, {kAarch64});
  REQUIRE(u.size() == 1);
  CHECK(u[0].project == "bad\\xff\\x1bname");
  CHECK(u[0].versions.size() == 1);
}

TEST_CASE("bad replies to get_messages and get_old_results are errors naming their source") {
  CHECK(parse_get_messages_reply(gui_reply("<msgs>\n</msgs>"), "src")->empty());
  auto unauthorized = parse_get_messages_reply(gui_reply("<unauthorized/>"), "src");
  REQUIRE_FALSE(unauthorized);
  CHECK(unauthorized.error().message == "src: the client refused the request (unauthorized)");
  auto none = parse_get_old_results_reply(gui_reply("<msgs/>"), "src");
  REQUIRE_FALSE(none);
  CHECK(none.error().message == "src: the reply has no <old_results>");
  CHECK_FALSE(parse_get_messages_reply("<boinc_gui_rpc_reply><msgs><msg>", "src"));

  std::string many = "<msgs>";
  for (int i = 0; i < 11; ++i) many += "<msg><body>x</body></msg>";
  auto flood = parse_get_messages_reply(gui_reply(many + "</msgs>"), "src", {1 << 20, 10'000, 10});
  REQUIRE_FALSE(flood);
  CHECK(flood.error().message == "src: more than 10 <msg> elements; not believed");
  auto tags = parse_get_old_results_reply(gui_reply(many + "</msgs>"), "src", {1 << 20, 20, 10});
  REQUIRE_FALSE(tags);
  CHECK(tags.error().message.find("XML tags, more than the 20 accepted") != std::string::npos);
}

TEST_CASE("the emulating arm64 board of VM scenario I: x86_64 work with the plain version, and why no other") {
  // Recorded on the booted Debian 12 arm64 guest after its tasks were reported
  // (tests/vm/scenarios/I.sh): platformd emulating x86_64 (and i686) with qemu-user.
  auto s = state_of("get_state_board.xml");
  CHECK(s.cpu_features == "fp asimd evtstrm aes pmull sha1 sha2 crc32 cpuid");
  auto u =
      decide_uptake(s, messages_of("get_messages_board.xml"),
                    *parse_get_old_results_reply(data("server/get_old_results_board.xml"), "old"), {kX86_64, kI686});
  REQUIRE(u.size() == 2);
  CHECK(describe(u[0]) == kProject +
                              ": 0 running, 0 waiting, 0 to report; 2 reported in the last hour; versions received: "
                              "fpapp 1.00");  // the plain version: never the avx one
  CHECK(describe(u[1]) == kProject + ": nothing of it received");
  REQUIRE(u[0].last_reply);
  CHECK(u[0].last_reply->got == 0);
  CHECK(u[0].last_reply->words.front() == "Project has no tasks available");
  auto note = plan_class_note(s, {kX86_64, kI686});
  REQUIRE(note);
  CHECK(note->find("('fp asimd evtstrm aes pmull sha1 sha2 crc32 cpuid'), none of them x86") != std::string::npos);
}

TEST_CASE("fuzz regression uptake/time-overflow: a message time of 2^63-1 neither overflows nor is believed") {
  // tests/fuzz/regressions/uptake/time-overflow: "Scheduler request completed" at time
  // 9223372036854775807; uptake compared the next message's time with that time + 1.
  std::string reply = gui_reply(
      "<msgs><msg><project>p</project><pri>1</pri><seqno>1</seqno><body>Scheduler request completed</body>"
      "<time>9223372036854775807</time></msg><msg><project>p</project><pri>1</pri><seqno>2</seqno><body>x</body>"
      "<time>-9223372036854775807</time></msg></msgs>");
  auto msgs = parse_get_messages_reply(reply, "src");
  REQUIRE(msgs);
  CHECK(msgs->at(0).time == (1LL << 40));
  CHECK(msgs->at(1).time == -(1LL << 40));
  auto r = last_scheduler_reply(*msgs, "p");
  REQUIRE(r);
  CHECK(r->words == std::vector<std::string>{"x"});
}

TEST_CASE("hostile sizes: replies at the parse limits give a bounded uptake, each list read once") {
  // Any local user can answer on the client's port while it is stopped (docs/boinc.md). Replies
  // within every parse limit: 9,999 projects (100 URLs), 9,999 versions and 9,999 tasks of one
  // project and platform, 5,000 reported tasks, 2,500 messages. Before (session 22) uptake looped
  // projects x platforms x reported tasks x versions and copied each project's versions into every
  // entry: measured 10.9 s for 200 projects on one URL x 2,000 versions x 1,000 reported tasks
  // (test-hostile-rpc-uptake.sh measures the whole status on these replies).
  std::string st = "<client_state>\n";
  auto project = [&st](int i) {
    st += fmt::format("<project><master_url>http://p{0}/</master_url><project_name>p{0}</project_name></project>\n", i);
  };
  for (int i = 0; i < 9'998; ++i) project(i % 100);
  project(0);  // what follows is p0's
  for (int i = 0; i < 9'999; ++i)
    st += fmt::format(
        "<app_version><app_name>app</app_name><version_num>{}</version_num><platform>{}</platform>"
        "</app_version>\n",
        i, kAarch64);
  for (int i = 0; i < 9'999; ++i)
    st += fmt::format(
        "<result><name>r{}</name><project_url>http://p0/</project_url><platform>{}</platform>"
        "<state>2</state></result>\n",
        i, kAarch64);
  auto s = parse_get_state_reply(gui_reply(st + "</client_state>"), "peer");
  REQUIRE(s);
  std::string old = "<old_results>\n";
  for (int i = 0; i < 5'000; ++i)
    old += "<old_result><project_url>http://p0/</project_url><app_name>app</app_name></old_result>\n";
  auto o = parse_get_old_results_reply(gui_reply(old + "</old_results>"), "peer");
  REQUIRE(o);
  std::string msgs = "<msgs>\n";
  for (int i = 0; i < 2'500; ++i)
    msgs += "<msg><project>p0</project><body>Scheduler request completed: got 1 new tasks</body><time>1</time></msg>\n";
  auto m = parse_get_messages_reply(gui_reply(msgs + "</msgs>"), "peer");
  REQUIRE(m);

  auto u = decide_uptake(*s, *m, *o, {kAarch64, kX86_64});
  REQUIRE(u.size() == kMaxUptakeProjects * 2);  // each URL once, the first 64
  CHECK(u[0].project == "p0");
  CHECK(u[0].platform == kAarch64);
  CHECK(u[0].waiting == 9'999);
  CHECK(u[0].reported_last_hour == 5'000);
  CHECK(u[0].versions.size() == kMaxUptakeVersions);
  CHECK(u[0].versions_not_shown == 9'999 - static_cast<int>(kMaxUptakeVersions));
  CHECK(describe(u[0]).find("app 0.31 and 9967 more") != std::string::npos);
  REQUIRE(u[0].last_reply);
  CHECK(u[0].last_reply->got == 1);
  CHECK_FALSE(u[1].received_any());  // p0's x86_64: nothing
  CHECK(u[2].project == "p1");
  CHECK(u[127].project == "p63");
  std::size_t versions = 0;
  for (const auto& e : u) versions += e.versions.size();
  CHECK(versions == kMaxUptakeVersions);
  auto note = uptake_projects_note(*s);
  REQUIRE(note);
  CHECK(*note ==
        "the BOINC client lists 100 projects (real clients attach to a few dozen at most): uptake shows the first 64");
  CHECK_FALSE(uptake_projects_note(state_of("get_state_board.xml")));
}
