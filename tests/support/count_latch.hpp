// SPDX-License-Identifier: MIT
// A single-use latch on a mutex and a condition variable, for the tests that
// also run on Windows: MinGW's libstdc++ builds std::latch on a
// std::atomic::wait without a platform wait, which can lose a wake-up and
// leave a test waiting for good.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <mutex>

namespace pendop_test {

class count_latch {
 public:
  explicit count_latch(std::ptrdiff_t count) : count_(count) {}
  count_latch(const count_latch&) = delete;
  count_latch& operator=(const count_latch&) = delete;

  void count_down() {
    std::lock_guard lk(mu_);
    if (count_ > 0 && --count_ == 0) cv_.notify_all();
  }
  void wait() {
    std::unique_lock lk(mu_);
    cv_.wait(lk, [&] { return count_ == 0; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::ptrdiff_t count_;
};

}  // namespace pendop_test
