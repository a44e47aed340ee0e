// SPDX-License-Identifier: MIT
// A few end-to-end runs on real time: the production asio_scheduler and
// thread pool with real workers. Deadlines are generous; a slow machine only
// makes them take longer, never fail.
#include <pendop/posix/asio_executor.hpp>
#include <pendop/posix/asio_scheduler.hpp>
#include <pendop/posix/monitor.hpp>

#include <doctest/doctest.h>

#include "monitor_fixture.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <chrono>
#include <thread>

using namespace std::chrono_literals;
using pendop::event_kind;
using pendop::resource_state;
using pendop_test::event_log;
using pendop_test::monitored_resource;

TEST_SUITE("monitor/realtime") {

TEST_CASE("a monitor on the caller's io_context and thread pool: timers and calls run there") {
  boost::asio::io_context io;
  auto work = boost::asio::make_work_guard(io);
  std::atomic<std::thread::id> io_thread{};
  std::thread loop([&] {
    io_thread = std::this_thread::get_id();
    io.run();
  });
  boost::asio::thread_pool calls(2);
  {
    event_log log;
    auto m = pendop::posix::monitor::create(
        {.timers = pendop::posix::make_asio_scheduler(io.get_executor()),
         .executor = pendop::posix::make_asio_call_executor(calls.get_executor())});
    REQUIRE(m);
    auto events = m->subscribe(log.sink());
    std::atomic<std::thread::id> looks_thread{};
    auto res = std::make_shared<monitored_resource>([](pendop::operation& op, int attempt) {
      if (attempt == 1) (void)op.wait_for(1h);  // silent: the PendingTimeout timer must fire
      return pendop::ok();
    });
    pendop::resource_properties p;
    p.pending_timeout = 50ms;
    p.looks_alive_poll_interval = 10ms;
    p.restart_delay = 10ms;
    REQUIRE(m->add("db", res, p));
    REQUIRE(m->online("db"));
    log.await(event_kind::restart);                        // timed out on io's timer, restarted
    while (res->looks_calls == 0) std::this_thread::yield();  // polled on the pool
    CHECK(m->state("db").value() == resource_state::online);
    CHECK(log.first(event_kind::terminated)->reason == pendop::stop_reason::pending_timeout);
    const auto report = m->shutdown(5s);
    CHECK(report.complete());
  }
  work.reset();
  loop.join();
  calls.join();
}

TEST_CASE("shutdown returns once every event it caused has reached the subscribers") {
  pendop::posix::monitor_options o;
  o.stop_wait = 5s;
  auto m = pendop::posix::monitor::create(o);
  REQUIRE(m);
  // The first subscriber is slow to take the Offline that the shutdown's
  // Offline ends with; the second records what has reached it.
  std::atomic<bool> held{false};
  auto slow = m->subscribe([&](const pendop::monitor_event& e) {
    if (e.kind == event_kind::status && e.to == resource_state::offline && !held.exchange(true)) {
      std::this_thread::sleep_for(300ms);
    }
  });
  event_log log;
  auto events = m->subscribe(log.sink());
  REQUIRE(m->add("db", std::make_shared<monitored_resource>()));
  REQUIRE(m->online("db"));
  while (m->state("db").value() != resource_state::online) std::this_thread::sleep_for(1ms);
  const auto report = m->shutdown(10s);
  CHECK(report.complete());
  CHECK(held);
  const auto trail = log.trail("db");
  REQUIRE_FALSE(trail.empty());
  CHECK(trail.back() == "status:Offline");  // delivered before shutdown returned
}

TEST_CASE("asio timers fire in order and a cancelled one does not") {
  pendop::posix::asio_scheduler s;
  std::mutex mu;
  std::condition_variable cv;
  std::vector<int> order;
  auto push = [&](int v) {
    std::lock_guard lk(mu);
    order.push_back(v);
    cv.notify_all();
  };
  const auto t0 = s.now();
  (void)s.schedule_at(t0 + 20ms, [&] { push(2); });
  (void)s.schedule_at(t0 + 5ms, [&] { push(1); });
  const auto cancelled = s.schedule_at(t0 + 10ms, [&] { push(99); });
  CHECK(s.cancel(cancelled));
  (void)s.schedule_at(t0 + 40ms, [&] { push(3); });
  std::unique_lock lk(mu);
  cv.wait(lk, [&] { return order.size() >= 3; });
  CHECK(order == std::vector<int>{1, 2, 3});
}

TEST_CASE("real workers: a pending timeout, a restart, then Online") {
  event_log log;
  pendop::posix::monitor_options o;
  o.stop_wait = 5s;
  auto m = pendop::posix::monitor::create(o);
  REQUIRE(m);
  auto events = m->subscribe(log.sink());
  pendop::resource_properties p;
  p.pending_timeout = 100ms;
  p.restart_delay = 10ms;
  auto res = std::make_shared<monitored_resource>([](pendop::operation& op, int attempt) {
    if (attempt == 1) (void)op.wait_for(1h);  // silent: timed out after 100 ms
    (void)op.report({.stage = "up"});
    return pendop::ok();
  });
  REQUIRE(m->add("db", res, p));
  const auto start = std::chrono::steady_clock::now();
  REQUIRE(m->online("db"));
  log.await(event_kind::restart);
  while (m->state("db").value() != resource_state::online) std::this_thread::yield();
  const auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(elapsed >= 100ms);  // never before PendingTimeout + RestartDelay
  CHECK(res->terminates == 1);
  CHECK(res->onlines == 2);
  const auto failed = log.first(event_kind::status, resource_state::failed);
  REQUIRE(failed);
  CHECK(failed->reason == pendop::stop_reason::pending_timeout);
  CHECK(m->shutdown(5s).complete());
}

TEST_CASE("real workers: a timed-out body that ignores the stop is a zombie stop_wait later") {
  event_log log;
  pendop::posix::monitor_options o;
  o.stop_wait = 50ms;
  auto m = pendop::posix::monitor::create(o);
  REQUIRE(m);
  auto events = m->subscribe(log.sink());
  pendop::resource_properties p;
  p.pending_timeout = 50ms;
  p.restart = pendop::restart_action::dont_restart;
  pendop_test::gate stubborn;
  std::atomic<bool> reported_late{false};
  std::atomic<bool> returned{false};
  auto res = std::make_shared<monitored_resource>([&](pendop::operation& op, int) {
    stubborn.arrive();
    stubborn.wait();  // ignores the stop
    reported_late = op.report({.stage = "late"}) == pendop::exit_state::proceed;
    returned = true;
    return pendop::ok();
  });
  REQUIRE(m->add("db", res, p));
  REQUIRE(m->online("db"));
  stubborn.await_arrival();
  // Terminate was called on a call thread, which did not wait for the body:
  // the stop_wait watch abandons it and the operation ends Failed.
  log.await(event_kind::zombie);
  CHECK(res->terminates == 1);
  CHECK(m->state("db").value() == resource_state::failed);
  CHECK(m->diagnostics("db")->zombies == 1);
  const auto failed = log.first(event_kind::status, resource_state::failed);
  REQUIRE(failed);
  CHECK(failed->reason == pendop::stop_reason::pending_timeout);
  CHECK(failed->detail == "the body ignored terminate for 50ms; its thread was abandoned (zombie)");
  stubborn.open();
  while (!returned) std::this_thread::yield();
  CHECK_FALSE(reported_late);  // the abandoned body is told to terminate
  CHECK(m->state("db").value() == resource_state::failed);
  CHECK(m->shutdown(5s).complete());
}

// The stop is never early and follows a deadline that a report moved while
// the stop was already being prepared.
void check_stop_follows_moved_deadline(pendop::posix::monitor_options o) {
  event_log log;
  auto m = pendop::posix::monitor::create(std::move(o));
  REQUIRE(m);
  auto events = m->subscribe(log.sink());
  pendop::resource_properties p;
  p.pending_timeout = 300ms;
  p.restart = pendop::restart_action::dont_restart;
  using clock = std::chrono::steady_clock;
  std::atomic<bool> accepted{false};
  std::atomic<clock::time_point::rep> reported{0};
  std::atomic<clock::time_point::rep> terminated{0};
  auto res = std::make_shared<monitored_resource>([&](pendop::operation& op, int) {
    // A report inside the lead (after a 200 ms lead's timer at 100 ms,
    // before the deadline at 300 ms) moves the deadline while a call thread
    // waits for the old one.
    (void)op.wait_for(150ms);
    reported = clock::now().time_since_epoch().count();  // the deadline moves after this
    accepted = op.report({.stage = "late"}) == pendop::exit_state::proceed;
    (void)op.wait_for(1h);
    return pendop::ok();
  });
  res->on_terminate = [&] { terminated = clock::now().time_since_epoch().count(); };
  REQUIRE(m->add("db", res, p));
  REQUIRE(m->online("db"));
  log.await(event_kind::terminated);
  REQUIRE(reported != 0);
  if (accepted) {
    const auto silence = clock::duration(terminated.load() - reported.load());
    CHECK(silence >= 300ms);  // a full PendingTimeout after the report, not the old deadline
  } else {
    MESSAGE("the machine was too slow to report before the first deadline");
  }
  CHECK(log.first(event_kind::terminated)->reason == pendop::stop_reason::pending_timeout);
  CHECK(m->shutdown(5s).complete());
}

TEST_CASE("real workers: the call pool waits for a deadline itself, never early, and follows a moved one") {
  check_stop_follows_moved_deadline({});
}

TEST_CASE("real workers: with a stop lead the stop is never early and follows a moved deadline") {
  // Calls on an executor that cannot wait for a deadline: the monitor's
  // timer fires 200 ms early and a call thread waits out the rest.
  boost::asio::thread_pool calls(2);
  pendop::posix::monitor_options o;
  o.stop_lead = 200ms;
  o.executor = pendop::posix::make_asio_call_executor(calls.get_executor());
  check_stop_follows_moved_deadline(std::move(o));
  calls.join();
}

TEST_CASE("real workers: a Terminate stuck in resource code does not hold up another timeout") {
  auto m = pendop::posix::monitor::create();
  REQUIRE(m);
  pendop::resource_properties p;
  p.restart = pendop::restart_action::dont_restart;
  const auto silent = [](pendop::operation& op, int) {
    (void)op.wait_for(1h);
    return pendop::ok();
  };
  auto stuck = std::make_shared<monitored_resource>(silent);
  auto other = std::make_shared<monitored_resource>(silent);
  pendop_test::gate release;
  std::atomic<bool> stuck_called{false};
  stuck->on_terminate = [&] {
    stuck_called = true;
    release.wait();
  };
  p.pending_timeout = 50ms;
  REQUIRE(m->add("stuck", stuck, p));
  p.pending_timeout = 100ms;
  REQUIRE(m->add("other", other, p));
  REQUIRE(m->online("stuck"));
  REQUIRE(m->online("other"));
  const auto give_up = std::chrono::steady_clock::now() + 10s;
  while (other->terminates == 0 && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(1ms);
  }
  CHECK(stuck_called);
  CHECK(other->terminates == 1);  // while the first Terminate is still stuck
  CHECK(stuck->terminates == 0);
  release.open();
  CHECK(m->shutdown(5s).complete());
}

TEST_CASE("real workers: a Terminate the call pool waited for is watched for DeadlockTimeout") {
  event_log log;
  auto m = pendop::posix::monitor::create();
  REQUIRE(m);
  auto events = m->subscribe(log.sink());
  pendop::resource_properties p;
  p.pending_timeout = 50ms;
  p.deadlock_timeout = 1s;  // the shortest allowed
  p.restart = pendop::restart_action::dont_restart;
  auto res = std::make_shared<monitored_resource>([](pendop::operation& op, int) {
    (void)op.wait_for(1h);
    return pendop::ok();
  });
  pendop_test::gate release;
  res->on_terminate = [&] { release.wait(); };
  REQUIRE(m->add("db", res, p));
  REQUIRE(m->online("db"));
  log.await(event_kind::deadlock);
  const auto deadlock = log.first(event_kind::deadlock);
  REQUIRE(deadlock);
  CHECK(deadlock->detail.find("Terminate did not return within DeadlockTimeout 1000ms") == 0);
  release.open();
  CHECK(m->shutdown(5s).complete());
}

TEST_CASE("real workers: an Online that settles before its deadline leaves no Terminate watched") {
  // The pool's wait for the deadline is cancelled, and with it the
  // DeadlockTimeout watch of the Terminate it would have called.
  event_log log;
  auto m = pendop::posix::monitor::create();
  REQUIRE(m);
  auto events = m->subscribe(log.sink());
  pendop::resource_properties p;
  p.pending_timeout = 50ms;
  p.deadlock_timeout = 1s;
  auto res = std::make_shared<monitored_resource>([](pendop::operation&, int) {
    return pendop::ok();
  });
  REQUIRE(m->add("db", res, p));
  REQUIRE(m->online("db"));
  while (m->state("db").value() != resource_state::online) std::this_thread::yield();
  std::this_thread::sleep_for(1500ms);  // past the deadline and DeadlockTimeout after it
  CHECK(log.count(event_kind::deadlock) == 0);
  CHECK(res->terminates == 0);
  CHECK(m->state("db").value() == resource_state::online);
  CHECK(m->shutdown(5s).complete());
}

TEST_CASE("a negative stop_lead is refused by name") {
  pendop::posix::monitor_options o;
  o.stop_lead = -1ms;
  auto m = pendop::posix::monitor::create(o);
  REQUIRE_FALSE(m);
  CHECK(m.error().message == "monitor: stop_lead is negative");
}

TEST_CASE("real workers: IsAlive false fails and restarts a resource") {
  event_log log;
  auto m = pendop::posix::monitor::create();
  REQUIRE(m);
  auto events = m->subscribe(log.sink());
  pendop::resource_properties p;
  p.looks_alive_poll_interval = 10ms;
  p.is_alive_poll_interval = 20ms;
  p.restart_delay = 10ms;
  auto res = std::make_shared<monitored_resource>();
  res->looks = false;
  res->is = false;
  REQUIRE(m->add("db", res, p));
  REQUIRE(m->online("db"));
  log.await(event_kind::is_alive_failed);
  res->is = true;
  res->looks = true;
  log.await(event_kind::restart);
  log.await(event_kind::status, 5);  // OnlinePending, Online, Failed, OnlinePending, Online
  CHECK(m->diagnostics("db")->restarts >= 1);
  CHECK(m->shutdown(5s).complete());
}

}  // TEST_SUITE
