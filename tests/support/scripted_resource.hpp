// SPDX-License-Identifier: MIT
// Test doubles for hosts: a resource whose bodies are lambdas, a sink that
// records every report and lets a test wait for the n-th final one, and a
// gate a body can block on until the test opens it.
#pragma once

#include <pendop/resource.hpp>
#include <pendop/status_report.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <vector>

namespace pendop_test {

/// A resource whose online()/offline() run the given functions.
class scripted_resource final : public pendop::resource {
 public:
  using body = std::function<pendop::result<void>(pendop::operation&)>;

  explicit scripted_resource(body on = ok_body(), body off = ok_body())
      : online_(std::move(on)), offline_(std::move(off)) {}

  static body ok_body() {
    return [](pendop::operation&) { return pendop::ok(); };
  }

  pendop::result<void> online(pendop::operation& op) override { return online_(op); }
  pendop::result<void> offline(pendop::operation& op) override { return offline_(op); }
  void terminate() noexcept override { terminates.fetch_add(1); }

  std::atomic<int> terminates{0};

 private:
  body online_;
  body offline_;
};

/// Records reports; thread-safe.
class report_log {
 public:
  pendop::status_sink sink() {
    return [this](const pendop::status_report& r) {
      std::lock_guard lk(mu_);
      reports_.push_back(r);
      cv_.notify_all();
    };
  }

  /// Blocks until `n` final reports have arrived.
  void await_finals(std::size_t n) {
    std::unique_lock lk(mu_);
    cv_.wait(lk, [&] { return finals_locked() >= n; });
  }

  /// Blocks until `n` reports have arrived.
  void await_count(std::size_t n) {
    std::unique_lock lk(mu_);
    cv_.wait(lk, [&] { return reports_.size() >= n; });
  }

  std::vector<pendop::status_report> reports() const {
    std::lock_guard lk(mu_);
    return reports_;
  }

  std::size_t finals() const {
    std::lock_guard lk(mu_);
    return finals_locked();
  }

 private:
  std::size_t finals_locked() const {
    std::size_t n = 0;
    for (const auto& r : reports_) n += r.final ? 1 : 0;
    return n;
  }

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<pendop::status_report> reports_;
};

/// A one-shot gate: wait() blocks until open(). Notifies under the lock, so
/// a waiter may destroy the gate as soon as it wakes. Destroyed by another
/// thread, it first lets every waiter leave wait() (bounded: a gate never
/// opened does not hang the test), since a thread of a pool may still be
/// on its way out when the test's scope ends.
class gate {
 public:
  gate() = default;
  gate(const gate&) = delete;
  gate& operator=(const gate&) = delete;
  ~gate() {
    std::unique_lock lk(mu_);
    (void)cv_.wait_for(lk, std::chrono::seconds(10), [&] { return waiters_ == 0; });
  }

  void open() {
    std::lock_guard lk(mu_);
    open_ = true;
    cv_.notify_all();
  }
  void wait() {
    std::unique_lock lk(mu_);
    ++waiters_;
    cv_.wait(lk, [&] { return open_; });
    --waiters_;
    cv_.notify_all();  // a destructor may wait for the last waiter to leave
  }
  /// Marks that a waiter has arrived (for "the body is inside" handshakes).
  void arrive() {
    std::lock_guard lk(mu_);
    arrived_ = true;
    cv_.notify_all();
  }
  void await_arrival() {
    std::unique_lock lk(mu_);
    cv_.wait(lk, [&] { return arrived_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
  bool arrived_ = false;
  int waiters_ = 0;  // guarded by mu_: threads inside wait()
};

}  // namespace pendop_test
