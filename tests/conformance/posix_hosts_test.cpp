// SPDX-License-Identifier: MIT
// The conformance rules against the POSIX hosts: `resource_runner` and
// `monitor`, both on virtual time (a virtual_scheduler, stops run inline).
#include <pendop/posix/call_executor.hpp>
#include <pendop/posix/monitor.hpp>
#include <pendop/posix/resource_runner.hpp>
#include <pendop/posix/virtual_scheduler.hpp>

#include "rules.hpp"

#include <condition_variable>
#include <mutex>
#include <optional>

namespace {

using namespace pendop_conformance;
using pendop::posix::virtual_scheduler;

start_answer answer(const pendop::result<pendop::started_operation>& r) {
  if (!r) return {start_answer::kind::refused, r.error().message};
  return {pendop::is_pending(*r) ? start_answer::kind::pending : start_answer::kind::settled, {}};
}

// What a host's consumer has seen, awaitable.
class seen_log {
 public:
  void add(seen_report r, std::string error) {
    std::lock_guard lk(mu_);
    reports_.push_back(r);
    if (!error.empty()) last_error_ = std::move(error);
    cv_.notify_all();
  }
  std::vector<seen_report> reports() const {
    std::lock_guard lk(mu_);
    return reports_;
  }
  std::string last_error() const {
    std::lock_guard lk(mu_);
    return last_error_;
  }
  void await(std::size_t n) {
    std::unique_lock lk(mu_);
    cv_.wait_for(lk, std::chrono::seconds(30), [&] { return reports_.size() >= n; });
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<seen_report> reports_;
  std::string last_error_;
};

// The runner with its own timers: nobody polls PendingTimeout.
class runner_host {
 public:
  static constexpr host_traits traits{.virtual_time = true, .close = true};

  runner_host(std::shared_ptr<scripted_resource> res, host_config c) {
    pendop::posix::runner_options o;
    o.name = "conformance";
    o.properties.pending_timeout = c.pending_timeout;
    o.stop_wait = c.stop_wait;
    o.operation_limit = c.operation_limit;
    o.timers = clock_;
    o.tuning.stops = std::make_shared<pendop::posix::inline_executor>();
    auto made = pendop::posix::resource_runner::create(
        std::move(res),
        [this](const pendop::status_report& r) {
          log_.add({r.state, r.checkpoint}, r.error_text);
        },
        o);
    REQUIRE(made);
    runner_.emplace(std::move(*made));
  }

  start_answer online() { return answer(runner_->online()); }
  start_answer offline() { return answer(runner_->offline()); }
  void terminate() { runner_->terminate(); }
  void close() { runner_->close(); }
  void advance(duration d) { clock_->advance(d); }
  std::vector<seen_report> reports() const { return log_.reports(); }
  void await_reports(std::size_t n) { log_.await(n); }
  std::size_t zombies() const { return runner_->zombies(); }
  std::string last_error() const { return log_.last_error(); }

 private:
  std::shared_ptr<virtual_scheduler> clock_ = std::make_shared<virtual_scheduler>();
  seen_log log_;
  std::optional<pendop::posix::resource_runner> runner_;  // destroyed before the log
};

// The monitor: the consumer is a subscriber, reports are status events.
class monitor_host {
 public:
  static constexpr host_traits traits{.virtual_time = true, .close = true};

  monitor_host(std::shared_ptr<scripted_resource> res, host_config c) {
    auto m = pendop::posix::monitor::create(
        {.timers = clock_,
         .executor = std::make_shared<pendop::posix::inline_executor>(),
         .stop_wait = c.stop_wait});
    REQUIRE(m);
    monitor_.emplace(std::move(*m));
    sub_.emplace(monitor_->subscribe([this](const pendop::monitor_event& e) {
      if (e.kind == pendop::event_kind::status) {
        log_.add({e.to, e.checkpoint}, pendop::is_pending(e.to) ? std::string{} : e.detail);
      }
    }));
    pendop::resource_properties p;
    p.pending_timeout = c.pending_timeout;
    p.restart = pendop::restart_action::dont_restart;  // one operation at a time here
    if (c.operation_limit) {
      p.operation_limit = std::chrono::duration_cast<pendop::milliseconds>(*c.operation_limit);
    }
    REQUIRE(monitor_->add("conformance", std::move(res), p));
  }

  start_answer online() { return answer(monitor_->online("conformance")); }
  start_answer offline() { return answer(monitor_->offline("conformance")); }
  void terminate() { REQUIRE(monitor_->terminate("conformance")); }
  void close() { REQUIRE(monitor_->remove("conformance")); }
  void advance(duration d) { clock_->advance(d); }
  std::vector<seen_report> reports() const { return log_.reports(); }
  void await_reports(std::size_t n) { log_.await(n); }
  std::size_t zombies() const { return monitor_->diagnostics("conformance")->zombies; }
  std::string last_error() const { return monitor_->diagnostics("conformance")->last_error; }

 private:
  std::shared_ptr<virtual_scheduler> clock_ = std::make_shared<virtual_scheduler>();
  seen_log log_;
  std::optional<pendop::posix::monitor> monitor_;
  std::optional<pendop::posix::subscription> sub_;
};

}  // namespace

TYPE_TO_STRING(runner_host);
TYPE_TO_STRING(monitor_host);

TEST_SUITE("conformance") {
PENDOP_CONFORMANCE_SUITE(runner_host);
PENDOP_CONFORMANCE_TIMING(runner_host);
PENDOP_CONFORMANCE_CLOSE(runner_host);
PENDOP_CONFORMANCE_SUITE(monitor_host);
PENDOP_CONFORMANCE_TIMING(monitor_host);
PENDOP_CONFORMANCE_CLOSE(monitor_host);
}
