// SPDX-License-Identifier: MIT
// Test doubles for monitor tests: a resource whose bodies and health answers
// a test controls, an event log that can be awaited, and a fixture that
// builds a monitor on virtual time.
#pragma once

#include <pendop/posix/call_executor.hpp>
#include <pendop/posix/monitor.hpp>
#include <pendop/posix/virtual_scheduler.hpp>

#include <doctest/doctest.h>

#include "scripted_resource.hpp"

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace pendop_test {

/// A resource for monitor tests. `online_body(op, attempt)` runs each Online
/// (attempt counts from 1); health answers and blocking points are set by the test.
class monitored_resource final : public pendop::resource {
 public:
  using body = std::function<pendop::result<void>(pendop::operation&, int attempt)>;

  explicit monitored_resource(body on = nullptr, body off = nullptr)
      : online_(std::move(on)), offline_(std::move(off)) {}

  pendop::result<void> online(pendop::operation& op) override {
    const int attempt = ++onlines;
    return online_ ? online_(op, attempt) : pendop::ok();
  }
  pendop::result<void> offline(pendop::operation& op) override {
    const int attempt = ++offlines;
    return offline_ ? offline_(op, attempt) : pendop::ok();
  }
  bool looks_alive() override {
    ++looks_calls;
    if (looks_gate) looks_gate->wait();
    if (throw_in_health) throw std::runtime_error("health probe crashed");
    return looks.load();
  }
  bool is_alive() override {
    ++is_calls;
    if (is_gate) is_gate->wait();
    if (throw_in_health) throw std::runtime_error("health probe crashed");
    return is.load();
  }
  void terminate() override {
    if (on_terminate) on_terminate();
    ++terminates;
    if (terminate_gate) terminate_gate->wait();
    if (throw_in_terminate) throw std::runtime_error("cleanup failed");
  }

  std::atomic<bool> looks{true};
  std::atomic<bool> is{true};
  std::atomic<bool> throw_in_health{false};
  std::atomic<bool> throw_in_terminate{false};
  std::atomic<int> onlines{0};
  std::atomic<int> offlines{0};
  std::atomic<int> looks_calls{0};
  std::atomic<int> is_calls{0};
  std::atomic<int> terminates{0};
  gate* looks_gate = nullptr;      // set before the monitor can call
  gate* is_gate = nullptr;
  gate* terminate_gate = nullptr;
  std::function<void()> on_terminate;  // set before the monitor can call

 private:
  body online_;
  body offline_;
};

/// Records monitor events; thread-safe and awaitable.
class event_log {
 public:
  pendop::event_sink sink() {
    return [this](const pendop::monitor_event& e) {
      std::lock_guard lk(mu_);
      events_.push_back(e);
      cv_.notify_all();
    };
  }

  std::vector<pendop::monitor_event> events() const {
    std::lock_guard lk(mu_);
    return events_;
  }

  /// "kind" or "status:State", one per event of `resource`.
  std::vector<std::string> trail(const std::string& resource) const {
    std::vector<std::string> out;
    for (const auto& e : events()) {
      if (e.resource != resource) continue;
      std::string s(pendop::to_string(e.kind));
      if (e.kind == pendop::event_kind::status) s += ":" + std::string(pendop::to_string(e.to));
      out.push_back(std::move(s));
    }
    return out;
  }

  std::size_t count(pendop::event_kind k) const {
    std::lock_guard lk(mu_);
    std::size_t n = 0;
    for (const auto& e : events_) n += e.kind == k ? 1 : 0;
    return n;
  }

  /// Blocks until `n` events of kind `k` have arrived.
  void await(pendop::event_kind k, std::size_t n = 1) {
    std::unique_lock lk(mu_);
    cv_.wait(lk, [&] {
      std::size_t c = 0;
      for (const auto& e : events_) c += e.kind == k ? 1 : 0;
      return c >= n;
    });
  }

  /// The first event of kind `k` (and `to` state for status events), if any.
  std::optional<pendop::monitor_event> first(pendop::event_kind k,
                                             std::optional<pendop::resource_state> to = {}) const {
    for (const auto& e : events()) {
      if (e.kind == k && (!to || e.to == *to)) return e;
    }
    return std::nullopt;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<pendop::monitor_event> events_;
};

/// A monitor on virtual time. Calls run inline (deterministic) unless the
/// test passes another executor.
struct monitor_fixture {
  explicit monitor_fixture(std::shared_ptr<pendop::posix::call_executor> exec =
                               std::make_shared<pendop::posix::inline_executor>(),
                           pendop::duration stop_wait = std::chrono::seconds(5),
                           pendop::duration poll_slack = pendop::posix::monitor_options{}.poll_slack)
      : clock(std::make_shared<pendop::posix::virtual_scheduler>()),
        m(make(clock, std::move(exec), stop_wait, poll_slack)) {
    events = m.subscribe(log.sink());
  }

  static pendop::posix::monitor make(std::shared_ptr<pendop::posix::virtual_scheduler> clock,
                                     std::shared_ptr<pendop::posix::call_executor> exec,
                                     pendop::duration stop_wait, pendop::duration poll_slack) {
    pendop::posix::monitor_options o;
    o.timers = std::move(clock);
    o.executor = std::move(exec);
    o.stop_wait = stop_wait;
    o.poll_slack = poll_slack;
    auto m = pendop::posix::monitor::create(std::move(o));
    REQUIRE(m);
    return std::move(*m);
  }

  std::shared_ptr<monitored_resource> add(const std::string& name,
                                          std::shared_ptr<monitored_resource> res,
                                          pendop::resource_properties p = {}) {
    REQUIRE(m.add(name, res, p));
    return res;
  }

  pendop::resource_state state(const std::string& name) const { return m.state(name).value(); }

  /// Virtual seconds since the monitor started.
  double now_s() const {
    return std::chrono::duration<double>(clock->now() - m.epoch()).count();
  }

  std::shared_ptr<pendop::posix::virtual_scheduler> clock;
  event_log log;
  pendop::posix::monitor m;
  pendop::posix::subscription events;  // log gets every event while the fixture lives
};

}  // namespace pendop_test
