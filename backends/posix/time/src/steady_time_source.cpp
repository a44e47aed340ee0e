// SPDX-License-Identifier: MIT
#include <pendop/posix/steady_time_source.hpp>

#include <condition_variable>
#include <mutex>

namespace pendop::posix {

time_point steady_time_source::now() const noexcept { return std::chrono::steady_clock::now(); }

bool steady_time_source::wait_until(std::stop_token stop, time_point deadline) noexcept {
  // A condition variable per sleep: a stop request wakes exactly this sleeper.
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock lk(mu);
  // The predicate is never true: only the deadline or the stop ends the wait.
  (void)cv.wait_until(lk, stop, deadline, [] { return false; });
  return !stop.stop_requested();
}

std::shared_ptr<time_source> make_steady_time_source() {
  return std::make_shared<steady_time_source>();
}

}  // namespace pendop::posix
