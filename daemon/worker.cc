#include "worker.h"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <exception>

#include <fmt/format.h>
#include <sys/eventfd.h>

#include "exit_codes.h"
#include "journal.h"

namespace platformd::daemon {

Worker::~Worker() {
  if (!thread_.joinable()) return;
  if (stop(std::chrono::milliseconds(0))) return;
  thread_.detach();  // only on the way out of the process (stop() said so to the caller)
}

Result<void> Worker::start(sd_event* event) {
  wake_.reset(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!wake_) return Error{fmt::format("platformd: eventfd: {}", std::strerror(errno)), exit_code::failure};
  sd_event_source* s = nullptr;
  if (int r = sd_event_add_io(event, &s, wake_.get(), EPOLLIN, on_completions, this); r < 0)
    return Error{fmt::format("platformd: cannot watch the worker's eventfd: {}", std::strerror(-r)),
                 exit_code::failure};
  source_.reset(s);
  thread_ = std::thread([this] { run(); });
  return {};
}

std::size_t Worker::post(Job job) {
  std::lock_guard lock(mu_);
  std::size_t before = jobs_.size() + (running_job_ ? 1 : 0);
  jobs_.push_back(std::move(job));
  cv_.notify_one();
  return before;
}

std::size_t Worker::backlog() const {
  std::lock_guard lock(mu_);
  return jobs_.size() + (running_job_ ? 1 : 0);
}

bool Worker::stop(std::chrono::milliseconds grace) {
  std::unique_lock lock(mu_);
  stopping_ = true;
  jobs_.clear();
  cv_.notify_all();
  if (!cv_.wait_for(lock, grace, [this] { return !running_job_; })) return false;
  lock.unlock();
  if (thread_.joinable()) thread_.join();
  return true;
}

void Worker::run() {
  auto post = [this](Completion c) { complete(std::move(c)); };
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (stopping_) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
      running_job_ = true;
    }
    try {
      job(post);
    } catch (const std::exception& e) {
      log_error("internal", fmt::format("internal error in the worker: {}", e.what()));
    }
    std::lock_guard lock(mu_);
    running_job_ = false;
    cv_.notify_all();  // stop() may be waiting for this
  }
}

void Worker::complete(Completion c) {
  {
    std::lock_guard lock(mu_);
    done_.push_back(std::move(c));
  }
  uint64_t one = 1;
  (void)!::write(wake_.get(), &one, sizeof one);  // a full counter still wakes the loop
}

int Worker::on_completions(sd_event_source*, int fd, uint32_t, void* userdata) {
  auto* self = static_cast<Worker*>(userdata);
  uint64_t n = 0;
  (void)!::read(fd, &n, sizeof n);
  std::deque<Completion> batch;
  {
    std::lock_guard lock(self->mu_);
    batch.swap(self->done_);
  }
  for (auto& c : batch) {
    try {
      c();
    } catch (const std::exception& e) {
      log_error("internal", fmt::format("internal error in a completion: {}", e.what()));
    }
  }
  return 0;
}

}  // namespace platformd::daemon
