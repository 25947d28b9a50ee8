// The one thread that runs the broker for the daemon (docs/daemon.md, "Two threads").
//
// Everything that may wait (a GUI RPC exchange with whatever listens on the BOINC port, a
// file under a BOINC directory, a probe, a restart of the client) runs here, one job at a
// time and in the order posted, so operations still take turns exactly as before. The event
// loop never runs a job: it posts them and goes on answering. A job hands its result back
// as a completion, a closure that the loop runs on its own thread (sd-bus is not
// thread-safe; replies, signals and the snapshot belong to the loop). An eventfd in the
// loop says that completions are waiting.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include <systemd/sd-event.h>

#include "result.h"
#include "system/sd_ptr.h"
#include "system/unique_fd.h"

namespace platformd::daemon {

class Worker {
 public:
  using Completion = std::function<void()>;
  // Runs on the worker. `post` hands a completion to the loop at once (a job may post
  // several: an answer first, then more work's result).
  using Job = std::function<void(const std::function<void(Completion)>& post)>;

  Worker() = default;
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;
  ~Worker();

  // Attaches the completion eventfd to `event` and starts the thread.
  Result<void> start(sd_event* event);
  // From the loop: queue `job`. Returns the number of jobs queued before it.
  std::size_t post(Job job);
  // From the loop: jobs queued or running.
  std::size_t backlog() const;
  bool idle() const { return backlog() == 0; }
  // From the loop, once it has returned: drops the queued jobs and waits up to `grace` for the
  // running one. False when it is still running (a probe, a silent peer): the caller then ends
  // the process without unwinding what that job uses, as SIGKILL would (stop_signals.h).
  bool stop(std::chrono::milliseconds grace);

 private:
  static int on_completions(sd_event_source* s, int fd, uint32_t revents, void* userdata);
  void run();
  void complete(Completion c);

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> jobs_;
  bool running_job_ = false;
  bool stopping_ = false;
  std::deque<Completion> done_;
  UniqueFd wake_;
  sd::EventSource source_;
  std::thread thread_;
};

}  // namespace platformd::daemon
