// SPDX-License-Identifier: MIT
#include <pendop/posix/manual_time_source.hpp>

namespace pendop::posix {

time_point manual_time_source::now() const noexcept {
  std::lock_guard lk(mu_);
  return now_;
}

bool manual_time_source::wait_until(std::stop_token stop, time_point deadline) noexcept {
  std::unique_lock lk(mu_);
  ++sleepers_;
  cv_.notify_all();  // await_sleepers() watches the count
  const bool reached = cv_.wait(lk, stop, [&] { return now_ >= deadline; });
  --sleepers_;
  return reached;
}

void manual_time_source::advance(duration d) {
  {
    std::lock_guard lk(mu_);
    now_ += d;
  }
  cv_.notify_all();
}

std::size_t manual_time_source::sleepers() const {
  std::lock_guard lk(mu_);
  return sleepers_;
}

void manual_time_source::await_sleepers(std::size_t n) const {
  std::unique_lock lk(mu_);
  cv_.wait(lk, [&] { return sleepers_ >= n; });
}

}  // namespace pendop::posix
