// BOINC client state parsing, on replies and files captured from the real client 7.20.5
// (tests/data/boinc/, captured with tests/integration/lib/boinc.sh; see docs/boinc.md).
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "boinc/boinc_locate.h"
#include "boinc/boinc_rpc.h"
#include "boinc/boinc_state.h"

using namespace platformd;

namespace {

const std::string kAarch64 = "aarch64-unknown-linux-gnu";
const std::string kX86_64 = "x86_64-pc-linux-gnu";
const std::string kI686 = "i686-pc-linux-gnu";

std::string data(const std::string& name) {
  std::ifstream f(std::string(PLATFORMD_SOURCE_DIR) + "/tests/data/boinc/" + name, std::ios::binary);
  REQUIRE(f.good());
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

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
