// The steps the broker's operations share: each is one thing an operation does to the
// machine or to the state (the table, cc_config.xml, the rc files), written once.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "binfmt/binfmt_table.h"
#include "binfmt/platform_plan.h"
#include "boinc/boinc_state.h"
#include "broker/broker.h"
#include "broker/session.h"
#include "catalog.h"
#include "fidelity/verifier.h"
#include "state.h"

namespace platformd {

bool contains(const std::vector<std::string>& v, std::string_view s);
void add_sorted(std::vector<std::string>& v, const std::string& s);
void remove_value(std::vector<std::string>& v, std::string_view s);
const BinfmtRule* find_entry(const std::vector<BinfmtRule>& table, std::string_view name);
// Is our entry `name` in the table, and enabled, right now?
bool own_entry_enabled(BinfmtTable& table, std::string_view name);

// The headers no handler may ever capture: the userland's own programs, and the probes of
// compat platforms the kernel was proven to run natively (or may run: undetermined).
std::vector<NativeHeader> native_headers(const Paths& p, const HostInfo& h);

// The record a verification leaves in the state file, and its failure in one line.
VerifyRecord record_of(const VerifyResult& v, const std::string& identity, const std::string& probe_identity);
std::string describe_failure(const VerifyResult& v);
std::string probe_identity(const Paths& p, const std::string& arch);

// The BOINC names we advertise: platforms chosen AND verified.
std::vector<std::string> advertised(const Catalog& c, const State& st);
// The BOINC data directory, when there is one (no BOINC here is not an error).
std::optional<fs::path> boinc_data_dir(Machine& m, const Paths& p);
// Does BOINC hold unfinished tasks of this platform? Unknown counts as yes: never lose work.
bool boinc_busy_with(Machine& m, const Paths& p, const Platform& pl);

// box64's rc file (boinc/rc_home.h): the text each candidate is verified with, its settings
// in a verify target, and the blocks brought in line with the state after every change.
void prepare_rc(Machine& m, const Paths& p, const State& st, const std::vector<TranslatorSpec>& specs,
                std::vector<Candidate>& cands, const std::string& arch);
VerifyTarget with_rc(VerifyTarget t, const std::vector<Candidate>& cands, const std::string& translator);
void sync_rc(Machine& m, const Paths& p, State& st, const std::vector<TranslatorSpec>& specs, ChangeReport& rep);

// What the BOINC client listed at the end of a sync: what decides whether the handler of a
// withdrawn platform may go.
struct ClientListing {
  enum class Kind {
    no_client,  // nothing answers (or no BOINC here): a client started later reads the file as it is now
    answered,   // `platforms` is its effective list
    unknown,    // the sync failed, or something answered that is not a client's state
  };
  Kind kind = Kind::unknown;
  std::vector<std::string> platforms;
};

// Applies the advertised set to cc_config.xml, restarting and confirming as boinc_sync says.
// also_keep: BOINC names that stay advertised although they no longer verify (their tasks).
void sync_boinc(Machine& m, const Paths& p, const Catalog& c, State& st, const ChangeOptions& o, ChangeReport& rep,
                const std::vector<std::string>& also_keep = {}, ClientListing* listing = nullptr);
// Enables again the other tools' entries that `enable --take-over` disabled for `arch`.
void give_back(BinfmtTable& table, State& st, const std::string& arch, ChangeReport& rep);
std::int64_t unix_now();  // seconds since the epoch (State::withdrawing_since)
// Removes the handler of each withdrawing platform once the client no longer lists it; one
// whose taken-over entry has waited Paths::take_over_release_after goes whatever the client says.
void settle_withdrawals(Machine& m, const Paths& p, const Catalog& c, State& st, const ClientListing& listing,
                        bool say_kept, ChangeReport& rep);
// BOINC's unfinished tasks of `platforms` (the running client's and its state files'), with
// `sources` saying where they were read; empty when there is no BOINC here.
Result<std::vector<BoincTask>> unfinished_tasks(Machine& m, const Paths& p,
                                                const std::vector<const Platform*>& platforms, std::string* sources);
// "wu1_0 (...); wu2_0 (...)" for messages.
std::string task_list(const std::vector<BoincTask>& tasks);
// disable with keep_busy: the platforms BOINC holds tasks of are kept (their BOINC names).
std::vector<std::string> keep_busy_platforms(std::vector<const Platform*>& platforms,
                                             const std::vector<BoincTask>& tasks, ChangeReport& rep);

// Registers and verifies one platform, or adopts another tool's entry that serves it
// (broker/enable.cc). keep_on_failure: asked when the verification failed; true keeps the
// new handler (reconcile, while BOINC holds tasks of the platform).
void enable_one(Machine& m, const Paths& paths, Session& s, BinfmtTable& table,
                const std::vector<NativeHeader>& natives, const Platform* pl, const ChangeOptions& o, ChangeReport& rep,
                const std::function<bool()>& keep_on_failure = {});

}  // namespace platformd
