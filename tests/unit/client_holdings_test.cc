// The union of a GUI RPC answer and the client's state files (core/boinc/client_holdings.h),
// issue 12: no peer's answer can make the list of unfinished tasks shorter. The files are the
// ones the real client 7.20.5 wrote (tests/data/boinc/), in a temporary data directory.
#include <doctest/doctest.h>

#include "boinc_test_data.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "boinc/client_holdings.h"
#include "exit_codes.h"

using namespace platformd;

namespace {

using namespace platformd::test;

struct DataDir {
  fs::path path;
  DataDir() {
    std::string t = (fs::temp_directory_path() / "platformd-holdings-XXXXXX").string();
    REQUIRE(::mkdtemp(t.data()) != nullptr);
    path = t;
  }
  ~DataDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  void put(const std::string& name, const std::string& text) const {
    std::ofstream f(path / name, std::ios::binary);
    f << text;
  }
};

// What a fake peer says: a real client's get_state without any task.
Result<std::optional<BoincClientState>> no_tasks_answer() {
  auto s = parse_get_state_reply(data("get_state_fresh.xml"), "fake peer");
  REQUIRE(s);
  REQUIRE(s->tasks.empty());
  return std::optional<BoincClientState>(*s);
}

BoincTask task(const std::string& name, int state, const std::string& platform = kAarch64) {
  BoincTask t;
  t.name = name;
  t.project = "P";
  t.platform = platform;
  t.state = state;
  return t;
}

const GuiRpcEndpoint kEp{31416};

}  // namespace

TEST_CASE("merge: a task is unfinished when any view says so, and listed once") {
  BoincClientState live, file;
  live.primary_platform = "x86_64-pc-linux-gnu";
  live.platforms = {"x86_64-pc-linux-gnu"};
  live.tasks = {task("a", 5), task("b", 2)};  // a: ready to report, says the peer
  file.primary_platform = "x86_64-pc-linux-gnu";
  file.platforms = {"x86_64-pc-linux-gnu", kAarch64};
  file.tasks = {task("a", 2), task("c", 0)};  // a: ready to run, says the file
  auto m = merge_client_states({live, file});
  CHECK(m.platforms == live.platforms);  // the first view's list: the live one
  REQUIRE(m.tasks.size() == 3);
  CHECK(m.tasks[0].name == "a");
  CHECK(m.tasks[0].unfinished());
  CHECK(unfinished_tasks_of(m, {kAarch64}).size() == 3);
  CHECK(merge_client_states({}).tasks.empty());
}

TEST_CASE("bad input: a peer answering 'no tasks' does not hide client_state.xml's task") {
  DataDir d;
  d.put("client_state.xml", data("client_state_task_aarch64.xml"));
  RealMachine m;
  auto h = read_client_holdings(m, d.path, no_tasks_answer(), kEp);
  REQUIRE(h);
  REQUIRE(h->state);
  auto tasks = unfinished_tasks_of(*h->state, {kAarch64});
  REQUIRE(tasks.size() == 1);
  CHECK(tasks[0].name == "wu1_0");
  CHECK(h->sources.find("the BOINC client on 127.0.0.1:31416") == 0);
  CHECK(h->sources.find("client_state.xml") != std::string::npos);
}

TEST_CASE("state files: next and current are united; prev only when neither parses") {
  RealMachine m;
  const Result<std::optional<BoincClientState>> none(std::optional<BoincClientState>{});
  SUBCASE("a task only in client_state_next.xml counts") {
    DataDir d;
    d.put("client_state.xml", data("client_state_fresh.xml"));
    d.put("client_state_next.xml", data("client_state_task_aarch64.xml"));
    auto h = read_client_holdings(m, d.path, none, kEp);
    REQUIRE(h);
    CHECK(unfinished_tasks_of(*h->state, {kAarch64}).size() == 1);
  }
  SUBCASE("a half-written next (the client is writing it) is skipped with a warning") {
    DataDir d;
    d.put("client_state.xml", data("client_state_task_aarch64.xml"));
    d.put("client_state_next.xml", "<client_state>\n<platform_name>x86_64");
    auto h = read_client_holdings(m, d.path, none, kEp);
    REQUIRE(h);
    CHECK(unfinished_tasks_of(*h->state, {kAarch64}).size() == 1);
    REQUIRE(h->warnings.size() == 1);
    CHECK(h->warnings[0].find("client_state_next.xml") != std::string::npos);
  }
  SUBCASE("prev is read when neither next nor current parses") {
    DataDir d;
    d.put("client_state.xml", "garbage");
    d.put("client_state_prev.xml", data("client_state_task_aarch64.xml"));
    auto h = read_client_holdings(m, d.path, none, kEp);
    REQUIRE(h);
    CHECK(unfinished_tasks_of(*h->state, {kAarch64}).size() == 1);
  }
  SUBCASE("prev is not read when current parses (it is one write older)") {
    DataDir d;
    d.put("client_state.xml", data("client_state_fresh.xml"));
    d.put("client_state_prev.xml", data("client_state_task_aarch64.xml"));
    auto h = read_client_holdings(m, d.path, none, kEp);
    REQUIRE(h);
    CHECK(unfinished_tasks_of(*h->state, {kAarch64}).empty());
  }
  SUBCASE("no file can be read: an error, whatever the peer says") {
    DataDir d;
    d.put("client_state.xml", "garbage");
    auto h = read_client_holdings(m, d.path, no_tasks_answer(), kEp);
    REQUIRE_FALSE(h);
    CHECK(h.error().code == exit_code::work_at_risk);
    CHECK(h.error().message.find("client_state.xml") != std::string::npos);
  }
  SUBCASE("no file and no client: nothing is held") {
    DataDir d;
    auto h = read_client_holdings(m, d.path, none, kEp);
    REQUIRE(h);
    CHECK_FALSE(h->state);
  }
}

TEST_CASE("bad input: an answer that is not a client's state is not believed; the files decide") {
  DataDir d;
  d.put("client_state.xml", data("client_state_task_aarch64.xml"));
  RealMachine m;
  const Result<std::optional<BoincClientState>> flood(
      fail(exit_code::failure, "BOINC GUI RPC reply from 127.0.0.1:31416 exceeds 16777216 bytes"));
  auto h = read_client_holdings(m, d.path, flood, kEp);
  REQUIRE(h);
  CHECK(unfinished_tasks_of(*h->state, {kAarch64}).size() == 1);
  REQUIRE_FALSE(h->warnings.empty());
  CHECK(h->warnings[0].find("not believed") != std::string::npos);
}
