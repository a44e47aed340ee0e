// SPDX-License-Identifier: MIT
// Waits (real time, generously: 5 s) until a thread lot has `n` threads
// parked, for the tests that watch a lot's threads come and go.
#pragma once

#include <pendop/posix/thread_lot.hpp>

#include <chrono>
#include <cstddef>
#include <thread>

namespace pendop_test {

inline bool await_parked(const pendop::posix::thread_lot& lot, std::size_t n) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (lot.parked() != n && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return lot.parked() == n;
}

}  // namespace pendop_test
