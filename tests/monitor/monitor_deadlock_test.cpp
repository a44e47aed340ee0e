// SPDX-License-Identifier: MIT
// Deadlock detection, zombies and shutdown: calls into resource code run on
// a thread pool, so a stuck call never holds up the monitor's own thread
// (here the virtual clock's).
#include <pendop/posix/monitor.hpp>
#include <pendop/posix/thread_pool_executor.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "monitor_fixture.hpp"

using namespace std::chrono_literals;
using pendop::event_kind;
using pendop::resource_state;
using pendop::stop_reason;
using pendop::posix::thread_pool_executor;
using pendop_test::gate;
using pendop_test::monitor_fixture;
using pendop_test::monitored_resource;

namespace {

std::shared_ptr<thread_pool_executor> pool() {
  return std::make_shared<thread_pool_executor>(8, 2s);
}

void bring_online(monitor_fixture& f) {
  REQUIRE(f.m.online("db"));
  f.clock->settle();
  f.log.await(event_kind::status, 2);
  REQUIRE(f.state("db") == resource_state::online);
}

}  // namespace

TEST_SUITE("monitor/deadlock") {

TEST_CASE("a LooksAlive that never returns is reported as a deadlock after DeadlockTimeout") {
  gate stuck;
  monitor_fixture f(pool());
  auto res = std::make_shared<monitored_resource>();
  res->looks_gate = &stuck;
  f.add("db", res);
  bring_online(f);
  f.clock->advance(5s);          // LooksAlive starts and blocks on its pool thread
  f.clock->advance(300s - 1ms);  // the monitor keeps running its timers meanwhile
  CHECK(f.log.count(event_kind::deadlock) == 0);
  f.clock->advance(1ms);
  f.log.await(event_kind::deadlock);
  const auto d = f.log.first(event_kind::deadlock);
  CHECK(d->at == f.m.epoch() + 305s);
  CHECK(d->detail ==
        "LooksAlive did not return within DeadlockTimeout 300000ms; quarantined until an admin "
        "Online");
  f.log.await(event_kind::status, 3);  // Failed
  CHECK(f.state("db") == resource_state::failed);
  auto diag = f.m.diagnostics("db");
  CHECK(diag->deadlocks == 1);
  CHECK(diag->quarantined);
  CHECK_FALSE(diag->next_restart);
  stuck.open();
  f.log.await(event_kind::late_return);
  f.clock->advance(1h);
  CHECK(res->looks_calls == 1);  // quarantined: no more polling, no restart
  CHECK(res->onlines == 1);
}

TEST_CASE("in a batch of checks due together only the one that hangs is named and the rest go on") {
  gate stuck;
  monitor_fixture f(pool());
  pendop::resource_properties p;
  p.deadlock_timeout = 10s;
  p.looks_alive_poll_interval = 1s;
  p.is_alive_poll_interval = 3600s;
  std::vector<std::shared_ptr<monitored_resource>> res;
  for (int i = 0; i < 5; ++i) {
    res.push_back(std::make_shared<monitored_resource>());
    if (i == 2) res.back()->looks_gate = &stuck;  // the third of five hangs
    f.add("r" + std::to_string(i), res.back(), p);
    REQUIRE(f.m.online("r" + std::to_string(i)));
  }
  f.clock->settle();
  f.log.await(event_kind::status, 10);  // five OnlinePending, five Online
  // One poll tick makes one batch of five; then seven more ticks. A check
  // that passed is settled at the next tick (or when its thread leaves the
  // batch), and the stuck batch is taken over by another thread at the
  // second tick without progress: each of the others is polled again and
  // again (at least three times in eight ticks, however the threads race).
  for (int s = 0; s < 8; ++s) {
    f.clock->advance(1s);
    for (int i : {0, 1, 3, 4}) {
      const auto& r = *res[static_cast<std::size_t>(i)];
      const int expected = std::min(3, std::max(0, s - 1));
      for (int spin = 0; spin < 2000 && r.looks_calls < expected; ++spin) {
        std::this_thread::sleep_for(1ms);
      }
    }
  }
  for (int i : {0, 1, 3, 4}) {
    INFO("r" << i << ": " << res[static_cast<std::size_t>(i)]->looks_calls << " LooksAlive calls");
    CHECK(res[static_cast<std::size_t>(i)]->looks_calls >= 3);
  }
  CHECK(res[2]->looks_calls == 1);
  CHECK(f.log.count(event_kind::deadlock) == 0);  // 8 s of the 10 s DeadlockTimeout
  // r2's DeadlockTimeout counts from when its batch fell due (9 s from now),
  // or, if a slow machine let another thread take it over, from then: step
  // until it is named.
  for (int step = 0; step < 20 && f.log.count(event_kind::deadlock) == 0; ++step) {
    f.clock->advance(1s);
    for (int spin = 0; spin < 100 && f.log.count(event_kind::deadlock) == 0; ++spin) {
      std::this_thread::sleep_for(1ms);
    }
  }
  REQUIRE(f.log.count(event_kind::deadlock) == 1);
  const auto d = f.log.first(event_kind::deadlock);
  CHECK(d->at >= f.m.epoch() + 11s);
  CHECK(d->resource == "r2");
  CHECK(d->detail.starts_with("LooksAlive did not return within DeadlockTimeout 10000ms"));
  CHECK(f.log.count(event_kind::deadlock) == 1);
  stuck.open();
  f.log.await(event_kind::late_return);
  CHECK(f.log.first(event_kind::late_return)->resource == "r2");
  CHECK(f.log.count(event_kind::deadlock) == 1);
}

TEST_CASE("an IsAlive that never returns is named in the deadlock report") {
  gate stuck;
  monitor_fixture f(pool());
  pendop::resource_properties p;
  p.deadlock_timeout = 1000ms;
  p.looks_alive_poll_interval = 3600s;
  p.is_alive_poll_interval = 1s;
  auto res = std::make_shared<monitored_resource>();
  res->is_gate = &stuck;
  f.add("db", res, p);
  bring_online(f);
  f.clock->advance(2s);
  f.log.await(event_kind::deadlock);
  CHECK(f.log.first(event_kind::deadlock)->detail.starts_with(
      "IsAlive did not return within DeadlockTimeout 1000ms"));
  stuck.open();
  f.log.await(event_kind::late_return);
}

TEST_CASE("a Terminate that blocks after a pending timeout is reported: the monitor goes on") {
  gate stuck;
  monitor_fixture f(pool());
  pendop::resource_properties p;
  p.pending_timeout = 10s;
  p.deadlock_timeout = 20s;
  auto res = std::make_shared<monitored_resource>([](pendop::operation& op, int) {
    (void)op.wait_for(24h);
    return pendop::ok();
  });
  res->terminate_gate = &stuck;
  f.add("db", res, p);
  f.add("other", std::make_shared<monitored_resource>());
  REQUIRE(f.m.online("db"));
  f.clock->advance(10s);  // PendingTimeout: Terminate starts on a pool thread and blocks
  f.clock->advance(20s);
  f.log.await(event_kind::deadlock);
  CHECK(f.log.first(event_kind::deadlock)->detail.starts_with(
      "Terminate did not return within DeadlockTimeout 20000ms"));
  REQUIRE(f.m.online("other"));  // the monitor still serves other resources
  f.clock->settle();
  f.log.await(event_kind::status, 3);  // db OnlinePending; other OnlinePending, Online
  CHECK(f.state("other") == resource_state::online);
  stuck.open();
  f.log.await(event_kind::late_return);
  f.log.await(event_kind::terminated);
  CHECK(f.state("db") == resource_state::failed);
}

TEST_CASE("a body that ignores terminate is counted as a zombie and shown in diagnostics") {
  gate body;
  monitor_fixture f(std::make_shared<pendop::posix::inline_executor>(), 20ms);
  auto res = std::make_shared<monitored_resource>([&](pendop::operation&, int) {
    body.arrive();
    body.wait();  // ignores the stop flag
    return pendop::ok();
  });
  f.add("db", res);
  REQUIRE(f.m.online("db"));
  body.await_arrival();
  REQUIRE(f.m.terminate("db"));  // waits 20 ms, then abandons the body
  CHECK(f.state("db") == resource_state::offline);
  const auto diag = f.m.diagnostics("db");
  CHECK(diag->zombies == 1);
  CHECK(f.log.count(event_kind::zombie) == 1);
  CHECK(f.log.first(event_kind::zombie)->detail ==
        "the body ignored terminate for 20ms; its thread was abandoned (zombie)");
  body.open();
  f.clock->settle();  // the zombie ends and reports nothing
  CHECK(f.state("db") == resource_state::offline);
}

TEST_CASE("shutdown stops every pending operation with reason shutdown") {
  monitor_fixture f(pool());
  for (const char* name : {"a", "b", "c"}) {
    f.add(name, std::make_shared<monitored_resource>([](pendop::operation& op, int) {
      (void)op.wait_for(24h);
      return pendop::ok();
    }));
    REQUIRE(f.m.online(name));
  }
  f.add("idle", std::make_shared<monitored_resource>());
  f.clock->settle();
  const auto report = f.m.shutdown(10s);
  CHECK(report.complete());
  CHECK(report.stopped.size() == 4);
  CHECK(report.zombies == 0);
  for (const char* name : {"a", "b", "c"}) {
    CAPTURE(name);
    CHECK(f.state(name) == resource_state::offline);
  }
  std::size_t shutdown_stops = 0;
  for (const auto& e : f.log.events()) {
    shutdown_stops += (e.kind == event_kind::terminated && e.reason == stop_reason::shutdown);
  }
  CHECK(shutdown_stops == 3);
}

TEST_CASE("shutdown takes Online resources offline, terminates the rest, and says how each ended") {
  monitor_fixture f(pool());
  auto up = std::make_shared<monitored_resource>();
  auto slow = std::make_shared<monitored_resource>(nullptr, [](pendop::operation& op, int) {
    (void)op.wait_for(24h);  // an Offline that would take a day
    return pendop::ok();
  });
  f.add("up", up);
  f.add("slow", slow);
  f.add("busy", std::make_shared<monitored_resource>([](pendop::operation& op, int) {
    (void)op.wait_for(24h);
    return pendop::ok();
  }));
  f.add("idle", std::make_shared<monitored_resource>());
  for (const char* name : {"up", "slow", "busy"}) REQUIRE(f.m.online(name));
  f.clock->settle();
  f.clock->advance(1ms);  // up and slow Online; busy still pending
  REQUIRE(f.state("up") == resource_state::online);
  REQUIRE(f.state("slow") == resource_state::online);
  REQUIRE(f.state("busy") == resource_state::online_pending);
  const auto report = f.m.shutdown(400ms);
  CHECK(report.complete());
  CHECK(report.stopped.size() == 4);
  CHECK(report.taken_offline == std::vector<std::string>{"up"});
  auto terminated = report.terminated;
  std::sort(terminated.begin(), terminated.end());
  CHECK(terminated == std::vector<std::string>{"busy", "slow"});
  CHECK(up->offlines == 1);
  CHECK(up->terminates == 0);
  CHECK(slow->terminates == 1);
  for (const char* name : {"up", "slow", "busy", "idle"}) {
    CAPTURE(name);
    CHECK(f.state(name) == resource_state::offline);
  }
  std::size_t shutdown_events = 0;
  for (const auto& e : f.log.events()) {
    if (e.kind == event_kind::shutdown) {
      ++shutdown_events;
      CHECK(e.resource != "idle");  // nothing to stop: no event
    }
  }
  CHECK(shutdown_events == 3);
}

TEST_CASE("shutdown reports a resource whose terminate does not return in time") {
  gate stuck;
  monitor_fixture f(pool());
  auto res = std::make_shared<monitored_resource>([](pendop::operation& op, int) {
    (void)op.wait_for(24h);
    return pendop::ok();
  });
  res->terminate_gate = &stuck;
  f.add("stuck", res);
  f.add("fine", std::make_shared<monitored_resource>([](pendop::operation& op, int) {
    (void)op.wait_for(24h);
    return pendop::ok();
  }));
  REQUIRE(f.m.online("stuck"));
  REQUIRE(f.m.online("fine"));
  f.clock->settle();
  const auto report = f.m.shutdown(50ms);
  CHECK_FALSE(report.complete());
  CHECK(report.not_stopped == std::vector<std::string>{"stuck"});
  CHECK(report.stopped == std::vector<std::string>{"fine"});
  CHECK(f.log.count(event_kind::shutdown_incomplete) == 1);
  stuck.open();
}

TEST_CASE("after shutdown requests are refused: shutdown is idempotent") {
  monitor_fixture f;
  f.add("db", std::make_shared<monitored_resource>());
  (void)f.m.shutdown();
  auto r = f.m.online("db");
  REQUIRE_FALSE(r);
  CHECK(r.error().code == pendop::errc::shutting_down);
  CHECK(r.error().message == "Online of \"db\" refused: the monitor is shutting down");
  CHECK(f.m.add("x", std::make_shared<monitored_resource>()).error().code ==
        pendop::errc::shutting_down);
  CHECK(f.m.shutdown().complete());
}

}  // TEST_SUITE
