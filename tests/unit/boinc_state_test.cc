// BOINC client state parsing, on replies and files captured from the real client 7.20.5
// (tests/data/boinc/, captured with tests/integration/lib/boinc.sh; see docs/boinc.md).
#include <doctest/doctest.h>

#include "boinc_test_data.h"

#include <climits>
#include <fstream>
#include <sstream>

#include "boinc/boinc_locate.h"
#include "boinc/boinc_rpc.h"
#include "boinc/boinc_state.h"

using namespace platformd;

namespace {

using namespace platformd::test;

BoincClientState rpc(const std::string& file) {
  auto s = parse_get_state_reply(data(file), file);
  if (!s) FAIL(s.error().message);
  return *s;
}

}  // namespace

TEST_CASE("get_state of a fresh client: primary platform and the detected i686 alternate") {
  auto s = rpc("get_state_fresh.xml");
  CHECK(s.primary_platform == kX86_64);
  CHECK(s.platforms == std::vector<std::string>{kX86_64, kI686});
  CHECK(s.client_version == "7.20.5");
  CHECK(s.tasks.empty());
  CHECK(s.app_versions.empty());
}

TEST_CASE("get_state with an aarch64 alt_platform and a task of it") {
  auto s = rpc("get_state_task_aarch64.xml");
  CHECK(s.platforms == std::vector<std::string>{kX86_64, kI686, kAarch64});
  REQUIRE(s.app_versions.size() == 1);
  CHECK(s.app_versions[0].project == "Fake Project");
  CHECK(s.app_versions[0].app == "fakeapp");
  CHECK(s.app_versions[0].version_num == 100);
  CHECK(s.app_versions[0].platform == kAarch64);
  REQUIRE(s.tasks.size() == 1);
  const BoincTask& t = s.tasks[0];
  CHECK(t.name == "wu1_0");
  CHECK(t.project == "Fake Project");
  CHECK(t.app == "fakeapp");
  CHECK(t.platform == kAarch64);
  CHECK(t.state == 2);
  CHECK_FALSE(t.active);
  CHECK(t.unfinished());
  CHECK(describe(t) == "wu1_0 (Fake Project, fakeapp 1.00, aarch64-unknown-linux-gnu, ready to run)");
  CHECK(unfinished_tasks_of(s, {kAarch64}).size() == 1);
  CHECK(unfinished_tasks_of(s, {"arm-unknown-linux-gnueabihf"}).empty());
  CHECK(app_versions_of(s, {kAarch64}).size() == 1);
}

TEST_CASE("after the alt_platform is withdrawn the client relabels the task as native") {
  // The hazard platformd guards against, as the real client showed it.
  auto s = rpc("get_state_relabelled.xml");
  CHECK(s.platforms == std::vector<std::string>{kX86_64, kI686});
  REQUIRE(s.tasks.size() == 1);
  CHECK(s.tasks[0].platform == kX86_64);
  CHECK(s.app_versions.at(0).platform == kX86_64);
}

TEST_CASE("client_state.xml: <alt_platform> list and the same task, by file order") {
  auto s = parse_client_state_file(data("client_state_task_aarch64.xml"), "client_state.xml");
  REQUIRE(s);
  CHECK(s->primary_platform == kX86_64);
  CHECK(s->platforms == std::vector<std::string>{kX86_64, kI686, kAarch64});
  REQUIRE(s->tasks.size() == 1);
  CHECK(s->tasks[0].project == "Fake Project");
  CHECK(s->tasks[0].platform == kAarch64);
  CHECK(s->tasks[0].unfinished());
  auto fresh = parse_client_state_file(data("client_state_fresh.xml"), "client_state.xml");
  REQUIRE(fresh);
  CHECK(fresh->platforms == std::vector<std::string>{kX86_64, kI686});
  CHECK(fresh->tasks.empty());
}

TEST_CASE("task states: only not-yet-computed tasks are unfinished") {
  const std::string xml = R"(<client_state>
<platform_name>x86_64-pc-linux-gnu</platform_name>
<project><master_url>http://p.example/</master_url><project_name>P</project_name></project>
<result><name>new</name><state>0</state><platform>a</platform></result>
<result><name>dl</name><state>1</state><platform>a</platform></result>
<result><name>run</name><state>2</state><platform>a</platform></result>
<result><name>err</name><state>3</state><platform>a</platform></result>
<result><name>up</name><state>4</state><platform>a</platform></result>
<result><name>done</name><state>5</state><platform>a</platform></result>
<result><name>abort</name><state>6</state><platform>a</platform></result>
<result><name>rtr</name><state>2</state><platform>a</platform><ready_to_report/></result>
<active_task_set><active_task><project_master_url>http://p.example/</project_master_url><result_name>run</result_name></active_task></active_task_set>
</client_state>)";
  auto s = parse_client_state_file(xml, "x");
  REQUIRE(s);
  std::vector<std::string> names;
  for (const auto& t : unfinished_tasks_of(*s, {"a"})) names.push_back(t.name);
  CHECK(names == std::vector<std::string>{"new", "dl", "run"});
  CHECK(s->tasks[2].active);
  CHECK(s->tasks[2].state_text() == "running or suspended");
  CHECK(s->tasks[2].project == "P");
}

TEST_CASE("bad replies are clean errors") {
  CHECK_FALSE(parse_get_state_reply("", "r"));
  CHECK_FALSE(parse_get_state_reply("garbage", "r"));
  CHECK_FALSE(parse_get_state_reply("<boinc_gui_rpc_reply>\n<client_state>\n<platform_name>x", "r"));  // cut short
  auto err =
      parse_get_state_reply("<boinc_gui_rpc_reply>\n<error>unrecognized op</error>\n</boinc_gui_rpc_reply>\n", "r");
  REQUIRE_FALSE(err);
  CHECK(err.error().message.find("unrecognized op") != std::string::npos);
  CHECK_FALSE(parse_get_state_reply("<boinc_gui_rpc_reply>\n<unauthorized/>\n</boinc_gui_rpc_reply>\n", "r"));
  CHECK_FALSE(parse_get_state_reply("<boinc_gui_rpc_reply></boinc_gui_rpc_reply>", "r"));
  CHECK_FALSE(parse_client_state_file("<other/>", "f"));
  std::string huge(kMaxBoincStateBytes + 1, ' ');
  auto big = parse_get_state_reply(huge, "r");
  REQUIRE_FALSE(big);
  CHECK(big.error().message.find("MiB") != std::string::npos);
}

TEST_CASE("GUI RPC request framing") {
  CHECK(frame_gui_rpc_request("<get_state/>") ==
        "<boinc_gui_rpc_request>\n<get_state/>\n</boinc_gui_rpc_request>\n\003");
}

// The data-directory discovery parsers live with the BOINC state readers' tests: both are the
// BOINC layer's pure text functions.
TEST_CASE("boinc-client.service: WorkingDirectory of [Service], drop-in style resets") {
  const std::string debian =
      "[Unit]\nDescription=BOINC\n\n[Service]\nType=simple\nUser=boinc\nWorkingDirectory=/var/lib/boinc\nExecStart=/"
      "usr/bin/boinc\n";
  CHECK(unit_working_directory(debian) == std::optional<std::string>("/var/lib/boinc"));
  CHECK(unit_working_directory("[Service]\nWorkingDirectory=-/srv/boinc\n") ==
        std::optional<std::string>("/srv/boinc"));
  CHECK(unit_working_directory("[Service]\nWorkingDirectory=\n") == std::optional<std::string>(""));
  CHECK_FALSE(unit_working_directory("[Service]\nWorkingDirectory=~\n"));
  CHECK_FALSE(unit_working_directory("[Unit]\nWorkingDirectory=/x\n"));
  CHECK(unit_working_directory("[Service]\n# WorkingDirectory=/no\nWorkingDirectory=/a\nWorkingDirectory=/b\n") ==
        std::optional<std::string>("/b"));
}

TEST_CASE("/etc/default/boinc-client: BOINC_DIR") {
  CHECK(default_file_boinc_dir("# c\nBOINC_DIR=\"/var/lib/boinc-client\"\n") ==
        std::optional<std::string>("/var/lib/boinc-client"));
  CHECK(default_file_boinc_dir("export BOINC_DIR='/srv/b'\n") == std::optional<std::string>("/srv/b"));
  CHECK(default_file_boinc_dir("BOINC_DIR=/x\n#BOINC_DIR=/y\n") == std::optional<std::string>("/x"));
  CHECK_FALSE(default_file_boinc_dir("BOINC_USER=boinc\n"));
}

// Issue 12: a reply or state file built to bloat us is refused before (tags) or while (items)
// it is walked, with a message naming the source and the limit.
TEST_CASE("bad input: element counts are bounded before tinyxml2 builds the tree") {
  const BoincStateLimits small{1 << 20, 1000, 10};
  auto reply = [](const std::string& body) {
    return "<boinc_gui_rpc_reply><client_state><platform_name>x86_64-pc-linux-gnu</platform_name>" + body +
           "</client_state></boinc_gui_rpc_reply>";
  };
  std::string many;
  for (int i = 0; i < 1000; ++i) many += "<result/>";
  auto tags = parse_get_state_reply(reply(many), "GUI RPC reply", small);
  REQUIRE_FALSE(tags);
  CHECK(tags.error().message.find("GUI RPC reply: 1006 XML tags, more than the 1000 accepted") == 0);

  std::string eleven;
  for (int i = 0; i < 11; ++i) eleven += fmt::format("<result><name>t{}</name><state>2</state></result>", i);
  auto results = parse_get_state_reply(reply(eleven), "r", small);
  REQUIRE_FALSE(results);
  CHECK(results.error().message == "r: more than 10 <result> elements (real hosts hold thousands); not believed");
  std::string ten;
  for (int i = 0; i < 10; ++i) ten += fmt::format("<result><name>t{}</name><state>2</state></result>", i);
  auto ok = parse_get_state_reply(reply(ten), "r", small);
  REQUIRE(ok);
  CHECK(ok->tasks.size() == 10);

  std::string versions;
  for (int i = 0; i < 11; ++i) versions += fmt::format("<app_version><version_num>{}</version_num></app_version>", i);
  auto av = parse_client_state_file("<client_state>" + versions + "</client_state>", "f", small);
  REQUIRE_FALSE(av);
  CHECK(av.error().message.find("<app_version>") != std::string::npos);

  std::string wus;
  for (int i = 0; i < 11; ++i) wus += fmt::format("<workunit><name>w{}</name></workunit>", i);
  CHECK_FALSE(parse_client_state_file("<client_state>" + wus + "</client_state>", "f", small));

  std::string platforms;
  for (int i = 0; i < 65; ++i) platforms += fmt::format("<platform>p{}</platform>", i);
  auto pl = parse_get_state_reply(reply(platforms), "r");
  REQUIRE_FALSE(pl);
  CHECK(pl.error().message.find("platforms listed") != std::string::npos);
}

TEST_CASE("the default limits hold 10,000 tasks as the real client writes them, and refuse the 2.2 GB reply") {
  // One task as 7.20.5 sends it (tests/data/boinc/get_state_task_aarch64.xml), 10,000 times.
  std::string body;
  for (int i = 0; i < 10000; ++i)
    body += fmt::format(
        "<workunit>\n    <name>wu{0}</name>\n    <app_name>fakeapp</app_name>\n    <version_num>100</version_num>\n"
        "    <rsc_fpops_est>1000000000000.000000</rsc_fpops_est>\n    "
        "<rsc_fpops_bound>10000000000000.000000</rsc_fpops_bound>\n    "
        "<rsc_memory_bound>100000000.000000</rsc_memory_bound>\n    <rsc_disk_bound>100000000.000000</rsc_disk_bound>\n"
        "    <file_ref>\n        <file_name>wu{0}_in</file_name>\n        <open_name>in</open_name>\n    </file_ref>\n"
        "</workunit>\n<result>\n    <name>wu{0}_0</name>\n    <wu_name>wu{0}</wu_name>\n"
        "    <platform>aarch64-unknown-linux-gnu</platform>\n    <version_num>100</version_num>\n"
        "    <plan_class></plan_class>\n    <project_url>http://fake.example.org/</project_url>\n"
        "    <final_cpu_time>0.000000</final_cpu_time>\n    <final_elapsed_time>0.000000</final_elapsed_time>\n"
        "    <exit_status>0</exit_status>\n    <state>2</state>\n    "
        "<report_deadline>4102444800.000000</report_deadline>\n"
        "    <received_time>1700000000.000000</received_time>\n"
        "    <estimated_cpu_time_remaining>1000.000000</estimated_cpu_time_remaining>\n</result>\n",
        i);
  const std::string reply =
      "<boinc_gui_rpc_reply>\n<client_state>\n<platform_name>x86_64-pc-linux-gnu</platform_name>\n" + body +
      "</client_state>\n</boinc_gui_rpc_reply>\n";
  CHECK(reply.size() < kGetStateLimits.max_bytes);
  auto s = parse_get_state_reply(reply, "r");
  REQUIRE(s);
  CHECK(s->tasks.size() == 10000);

  // The reply of issue 12: 64 MiB of empty <result/> (7 million) is refused by its size, and the
  // same elements within the size cap by their count, before any tree is built.
  std::string flood = "<boinc_gui_rpc_reply><client_state>";
  while (flood.size() + 9 < kGetStateLimits.max_bytes - 64) flood += "<result/>";
  flood += "</client_state></boinc_gui_rpc_reply>";
  auto f = parse_get_state_reply(flood, "r");
  REQUIRE_FALSE(f);
  CHECK(f.error().message.find("XML tags, more than the 750000 accepted") != std::string::npos);
}

TEST_CASE("numbers out of int's range from a peer are clamped, not undefined (std::atoi was)") {
  const std::string reply =
      "<boinc_gui_rpc_reply><client_state><project><master_url>u</master_url></project>"
      "<app_version><app_name>a</app_name><version_num>99999999999999999999</version_num>"
      "<platform>p</platform></app_version>"
      "<result><name>r</name><state>-99999999999</state><version_num>7</version_num></result>"
      "</client_state></boinc_gui_rpc_reply>";
  auto s = parse_get_state_reply(reply, "src");
  REQUIRE(s);
  CHECK(s->app_versions.at(0).version_num == INT_MAX);
  CHECK(s->tasks.at(0).state == INT_MIN);
  CHECK_FALSE(s->tasks.at(0).unfinished());
  CHECK(s->tasks.at(0).version_num == 7);
}
