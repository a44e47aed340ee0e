// SPDX-License-Identifier: MIT
#include "answer_deadline.hpp"

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <utility>

namespace pendop::ocf::detail {

void answer_deadline::arm(std::chrono::steady_clock::time_point at, expiry on_expiry) {
  watcher_ = std::jthread([this, at, on_expiry = std::move(on_expiry)](std::stop_token token) {
    std::unique_lock lk(mu_);
    if (cv_.wait_until(lk, token, at, [&] { return answered_; })) return;  // claimed
    if (token.stop_requested()) return;
    answered_ = true;
    int code = 1;  // OCF_ERR_GENERIC, should on_expiry itself fail
    try {
      code = on_expiry();
    } catch (...) {
      // The process exits now either way; OCF_ERR_GENERIC is the answer.
    }
    std::cout.flush();
    std::cerr.flush();
    std::fflush(nullptr);
    std::_Exit(code);  // the lock stays held: claim() never returns now
  });
}

void answer_deadline::claim() {
  {
    std::lock_guard lk(mu_);
    answered_ = true;
  }
  cv_.notify_all();
}

}  // namespace pendop::ocf::detail
