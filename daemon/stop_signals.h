// SIGTERM and SIGINT end the daemon within a second, whatever it is doing (issue 12).
//
// sd-event sees a signal only between two events, and one event can take long: a reconcile
// that verifies a platform runs probes for seconds, a GUI RPC exchange waits for its timeout.
// So these two signals are taken by a thread of their own (sigwait). It asks the event loop to
// exit and, if the loop has not returned within kStopGrace, ends the process itself. Every
// file we write is replaced by an atomic rename and the kernel releases our lock, so ending in
// the middle of an operation is what SIGKILL does, which the daemon already survives
// (tests/integration/test-crash-sigkill.sh).
#pragma once

#include <chrono>

#include <systemd/sd-event.h>

#include "result.h"

namespace platformd::daemon {

inline constexpr std::chrono::milliseconds kStopGrace{500};

// Starts the thread. Call before any other thread exists, with SIGTERM and SIGINT blocked (the
// mask is inherited, so no other thread can take them). Once only.
Result<void> start_stop_signal_thread();
// The loop exits (sd_event_exit) at the next iteration after a signal, also one that came
// before this call.
Result<void> attach_stop_signals(sd_event* event);
// The loop has returned: the thread no longer ends the process.
void stop_signals_loop_returned();

}  // namespace platformd::daemon
