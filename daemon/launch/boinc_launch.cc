// platformd-boinc-launch [--user USER] [--run-dir DIR] -- CLIENT [ARGS...]
//
// Starts the BOINC client for BOINC-only emulation (issue 21, docs/scoped.md). Run as root in
// place of the client (boinc-client.service's ExecStart, through platformd's drop-in). When no
// enabled platform is scoped to BOINC, it becomes USER and execs the client: nothing changes.
// Otherwise the client runs in a user namespace of its own (the identity of ours: ownership,
// groups and devices as they are) with a binfmt_misc instance of its own, which is filled from
// outside with the handler of every platform enabled for BOINC before the client starts: the
// machine's table is not touched, and BOINC's first task finds its handlers in place. This
// process stays as the service's main process, passes SIGTERM, SIGINT and SIGHUP on, and
// exits with the client's status. Where the namespace cannot be made, it does not start the
// client (its tasks of those platforms would fail) and says why. DIR (default
// /run/platformd-boinc, the unit's RuntimeDirectory) holds the instance's mount point (binfmt/)
// and the record of the client (client: system/launch_record.h), through which platformd's
// status reads BOINC's instance and reconcile heals it.
#include <fmt/core.h>
#include <CLI/CLI.hpp>

#include "broker/broker.h"
#include "state.h"
#include "system/boinc_namespace.h"
#include "system/launch_record.h"
#include "system/machine.h"
#include "system/paths.h"

using namespace platformd;

int main(int argc, char** argv) {
  CLI::App app{"start the BOINC client with handlers of its own (platformd)"};
  std::string user = "boinc";
  Paths paths = default_paths();
  std::string run_dir = paths.boinc_run_dir.string();
  std::vector<std::string> client;
  app.add_option("--user", user, "the user the client runs as")->capture_default_str();
  app.add_option("--run-dir", run_dir,
                 "a root-owned directory for BOINC's binfmt_misc instance (DIR/binfmt) and the client's record")
      ->capture_default_str();
  app.add_option("client", client, "the client's command line, after --")->required();
  CLI11_PARSE(app, argc, argv);

  RealMachine m;
  paths.boinc_run_dir = run_dir;
  const fs::path instance_dir = boinc_instance_mount_point(run_dir);
  std::error_code gone;
  fs::remove(launch_record_file(run_dir), gone);  // a previous client's
  auto st = load_state(m, paths);
  bool scoped = false;
  if (st)
    for (const auto& arch : st->enabled) scoped = scoped || st->scope_of(arch) == Scope::boinc;
  else
    fmt::print(stderr, "platformd-boinc-launch: {}; starting the client as it is\n", st.error().message);
  if (!scoped) {
    auto r = exec_as(user, client);
    fmt::print(stderr, "platformd-boinc-launch: {}\n", r ? "exec returned" : r.error().message);
    return 1;
  }

  std::error_code ec;
  fs::create_directories(instance_dir, ec);
  fs::permissions(instance_dir, fs::perms::owner_all, ec);
  auto ns = BoincNamespace::start(instance_dir, user, client);
  if (!ns) {
    fmt::print(stderr,
               "platformd-boinc-launch: {}; not starting the BOINC client: its tasks of the platforms scoped to "
               "BOINC would fail (`platformctl enable --scope global` serves them from the machine's table)\n",
               ns.error().message);
    return 1;
  }
  Broker broker(m, paths);
  auto filled = broker.fill_boinc_instance(ns->instance_dir());
  if (!filled) {
    fmt::print(stderr, "platformd-boinc-launch: BOINC's handlers: {}; not starting the client\n",
               filled.error().message);
    return 1;
  }
  for (const auto& l : filled->lines) fmt::print(stderr, "platformd-boinc-launch: {}\n", l);
  for (const auto& w : filled->warnings) fmt::print(stderr, "platformd-boinc-launch: warning: {}\n", w);
  if (filled->error) fmt::print(stderr, "platformd-boinc-launch: {}\n", filled->error->message);
  if (auto r = write_launch_record(m, run_dir, ns->pid()); !r)
    fmt::print(stderr, "platformd-boinc-launch: warning: {} (platformd cannot see BOINC's instance)\n",
               r.error().message);
  if (auto r = ns->release(); !r) {
    fmt::print(stderr, "platformd-boinc-launch: {}\n", r.error().message);
    return 1;
  }
  int status = ns->wait_forwarding_signals();
  fs::remove(launch_record_file(run_dir), gone);
  return status;
}
