#include "stop_signals.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <condition_variable>
#include <csignal>
#include <cstring>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <systemd/sd-daemon.h>

#include "exit_codes.h"
#include "journal.h"

namespace platformd::daemon {

namespace {

// Process-wide, never destroyed: the thread may still run while main() returns.
struct StopState {
  std::mutex mu;
  std::condition_variable cv;
  bool returned = false;
  int eventfd = -1;
};
StopState& state() {
  static auto* s = new StopState;
  return *s;
}

void wait_for_signal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  int sig = 0;
  while (sigwait(&set, &sig) != 0) {
  }
  StopState& s = state();
  log_info("stop", fmt::format("received {}; stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT"));
  (void)sd_notify(0, "STOPPING=1");
  const uint64_t one = 1;
  (void)!::write(s.eventfd, &one, sizeof one);
  std::unique_lock lock(s.mu);
  if (s.cv.wait_for(lock, kStopGrace, [&] { return s.returned; })) return;
  log_warning("stop", fmt::format("still busy {} ms after the signal (a reconcile, a probe or a BOINC exchange); "
                                  "exiting without waiting for it",
                                  kStopGrace.count()));
  std::fflush(stderr);
  ::_exit(exit_code::ok);
}

int on_stop(sd_event_source* s, int fd, uint32_t, void*) {
  uint64_t n = 0;
  (void)!::read(fd, &n, sizeof n);
  return sd_event_exit(sd_event_source_get_event(s), 0);
}

}  // namespace

Result<void> start_stop_signal_thread() {
  StopState& s = state();
  s.eventfd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (s.eventfd < 0) return fail(exit_code::failure, "cannot create the stop event: {}", std::strerror(errno));
  try {
    std::thread(wait_for_signal).detach();
  } catch (const std::system_error& e) {
    return fail(exit_code::failure, "cannot start the signal thread: {}", e.what());
  }
  return {};
}

Result<void> attach_stop_signals(sd_event* event) {
  // The source lives as long as the loop (floating: owned by the event loop itself).
  if (int r = sd_event_add_io(event, nullptr, state().eventfd, EPOLLIN, on_stop, nullptr); r < 0)
    return fail(exit_code::failure, "cannot watch the stop event: {}", std::strerror(-r));
  return {};
}

void stop_signals_loop_returned() {
  StopState& s = state();
  std::lock_guard lock(s.mu);
  s.returned = true;
  s.cv.notify_all();
}

}  // namespace platformd::daemon
