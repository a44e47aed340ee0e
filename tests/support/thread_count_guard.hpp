// SPDX-License-Identifier: MIT
// Checks that a test leaves as many threads as it found. A joined thread may
// linger in /proc for a moment, so the check polls briefly before failing.
#pragma once

#include <pendop/platform/thread_count.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <thread>

namespace pendop_test {

class thread_count_guard {
 public:
  thread_count_guard() {
    // Sanitizer runtimes start a helper thread with the first thread the
    // process creates; create one first so it is in the starting count.
    std::thread([] {}).join();
    start_ = pendop::platform::process_thread_count();
  }
  ~thread_count_guard() {
    if (!start_) return;
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    auto now = pendop::platform::process_thread_count();
    while (now != start_ && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      now = pendop::platform::process_thread_count();
    }
    CHECK_MESSAGE(now == start_, "threads left running by the test");
  }
  thread_count_guard(const thread_count_guard&) = delete;
  thread_count_guard& operator=(const thread_count_guard&) = delete;

 private:
  std::optional<int> start_;
};

}  // namespace pendop_test
