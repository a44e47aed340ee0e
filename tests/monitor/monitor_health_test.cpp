// SPDX-License-Identifier: MIT
// LooksAlive / IsAlive polling by the monitor, on virtual time.
#include <pendop/posix/monitor.hpp>
#include <pendop/posix/thread_pool_executor.hpp>

#include <doctest/doctest.h>

#include "monitor_fixture.hpp"

#include <thread>

using namespace std::chrono_literals;
using pendop::event_kind;
using pendop::resource_state;
using pendop_test::monitor_fixture;
using pendop_test::monitored_resource;
using trail = std::vector<std::string>;

namespace {

std::shared_ptr<monitored_resource> online_resource(monitor_fixture& f,
                                                    pendop::resource_properties p = {}) {
  auto res = f.add("db", std::make_shared<monitored_resource>(), p);
  REQUIRE(f.m.online("db"));
  f.clock->settle();
  REQUIRE(f.state("db") == resource_state::online);
  return res;
}

}  // namespace

TEST_SUITE("monitor/health") {

TEST_CASE("LooksAlive every 5 s and IsAlive every 60 s while Online") {
  monitor_fixture f;
  auto res = online_resource(f);
  f.clock->advance(4s);
  CHECK(res->looks_calls == 0);
  f.clock->advance(1s);
  CHECK(res->looks_calls == 1);
  f.clock->advance(55s);
  CHECK(res->looks_calls == 12);
  CHECK(res->is_calls == 1);
  f.clock->advance(60s);
  CHECK(res->looks_calls == 24);
  CHECK(res->is_calls == 2);
}

TEST_CASE("poll intervals come from the resource's properties") {
  monitor_fixture f;
  pendop::resource_properties p;
  p.looks_alive_poll_interval = 1000ms;
  p.is_alive_poll_interval = 2500ms;
  auto res = online_resource(f, p);
  f.clock->advance(10s);
  CHECK(res->looks_calls == 10);
  CHECK(res->is_calls == 4);
}

TEST_CASE("polls due within one slice run together: never early, at most one slice late") {
  monitor_fixture f;  // poll_slack 100 ms: LooksAlive every 5 s runs in 100 ms slices
  pendop::resource_properties p;
  p.is_alive_poll_interval = 1h;
  auto a = online_resource(f, p);  // Online at 0 s: due at 5.000 s, a slice's end
  f.clock->advance(10ms);
  auto b = f.add("b", std::make_shared<monitored_resource>(), p);
  REQUIRE(f.m.online("b"));
  f.clock->advance(20ms);
  auto c = f.add("c", std::make_shared<monitored_resource>(), p);
  REQUIRE(f.m.online("c"));
  f.clock->settle();  // b due at 5.010 s, c at 5.030 s: both in the slice ending at 5.1 s
  f.clock->advance(5s - 30ms - 1ns);
  CHECK(a->looks_calls == 0);
  f.clock->advance(1ns);  // 5.000 s
  CHECK(a->looks_calls == 1);
  CHECK(b->looks_calls == 0);  // never early
  f.clock->advance(100ms - 1ns);
  CHECK(b->looks_calls == 0);
  CHECK(c->looks_calls == 0);
  f.clock->advance(1ns);  // 5.100 s: the slice ends, one wake-up for both
  CHECK(b->looks_calls == 1);
  CHECK(c->looks_calls == 1);
  f.clock->advance(5s);
  CHECK(a->looks_calls == 2);
  CHECK(b->looks_calls == 2);
  CHECK(c->looks_calls == 2);
}

TEST_CASE("poll_slack 0: every poll at its exact time") {
  monitor_fixture f(std::make_shared<pendop::posix::inline_executor>(), 5s, 0ms);
  pendop::resource_properties p;
  p.is_alive_poll_interval = 1h;
  f.clock->advance(10ms);
  auto res = online_resource(f, p);
  f.clock->advance(5s - 1ns);
  CHECK(res->looks_calls == 0);
  f.clock->advance(1ns);
  CHECK(res->looks_calls == 1);
}

TEST_CASE("a negative poll_slack is refused by name") {
  pendop::posix::monitor_options o;
  o.poll_slack = -1ms;
  auto m = pendop::posix::monitor::create(o);
  REQUIRE_FALSE(m);
  CHECK(m.error().code == pendop::errc::invalid_argument);
  CHECK(m.error().message == "monitor: poll_slack is negative");
}

TEST_CASE("a check stuck in resource code does not hold up the checks batched with it") {
  pendop_test::gate stuck;  // outlives the monitor, whose pool thread waits on it
  auto pool = std::make_shared<pendop::posix::thread_pool_executor>();
  monitor_fixture f(pool);
  pendop::resource_properties p;
  p.is_alive_poll_interval = 1h;
  auto a = std::make_shared<monitored_resource>();
  a->looks_gate = &stuck;
  f.add("a", a, p);
  auto b = f.add("b", std::make_shared<monitored_resource>(), p);
  pendop::resource_properties fast = p;
  fast.looks_alive_poll_interval = 1s;  // its polls keep the ticks coming
  auto ticker = f.add("ticker", std::make_shared<monitored_resource>(), fast);
  for (const char* name : {"a", "b", "ticker"}) {
    REQUIRE(f.m.online(name));
    f.clock->settle();  // Online one after another: a's check comes first in the batch
  }
  f.clock->advance(5s);  // a and b in one batch: a blocks first
  // The next ticks find the batch stalled and give b another thread.
  for (int i = 0; i < 3 && b->looks_calls == 0; ++i) {
    f.clock->advance(1s);
    for (int spin = 0; spin < 2000 && b->looks_calls == 0; ++spin) {
      std::this_thread::sleep_for(1ms);
    }
  }
  CHECK(b->looks_calls == 1);
  CHECK(a->looks_calls == 1);  // called, and still stuck
  CHECK(f.state("a") == resource_state::online);
  stuck.open();
  (void)f.m.shutdown(5s);
}

TEST_CASE("no polling while Offline") {
  monitor_fixture f;
  auto res = online_resource(f);
  REQUIRE(f.m.offline("db"));
  f.clock->settle();
  f.clock->advance(10min);
  CHECK(res->looks_calls == 0);
  CHECK(res->is_calls == 0);
}

TEST_CASE("LooksAlive false calls IsAlive at once") {
  monitor_fixture f;
  auto res = online_resource(f);
  res->looks = false;
  f.clock->advance(5s);
  CHECK(res->looks_calls == 1);
  CHECK(res->is_calls == 1);  // at 5 s, not at 60 s
  CHECK(f.state("db") == resource_state::online);  // IsAlive said it is fine
  CHECK(f.log.count(event_kind::looks_alive_failed) == 1);
  CHECK(f.log.count(event_kind::is_alive_failed) == 0);
}

TEST_CASE("IsAlive false: Failed, then Terminate, then a restart after RestartDelay") {
  monitor_fixture f;
  auto res = online_resource(f);
  res->is = false;
  f.clock->advance(60s);
  CHECK(f.state("db") == resource_state::failed);
  CHECK(res->terminates == 1);
  res->is = true;
  f.clock->advance(500ms);
  CHECK(f.state("db") == resource_state::online);
  CHECK(res->onlines == 2);
  const auto t = f.log.trail("db");
  const trail tail(t.end() - 7, t.end());
  CHECK(tail == trail{"is_alive_failed", "status:Failed", "restart_scheduled", "terminated",
                      "restart", "status:OnlinePending", "status:Online"});
  auto d = f.m.diagnostics("db");
  CHECK(d->terminates == 1);  // the Terminate after IsAlive failed is counted
  CHECK(d->is_alive_failures == 1);
  CHECK(d->failures == 1);
  CHECK(d->restarts == 1);
  CHECK(d->last_error == "IsAlive returned FALSE");
  // Health events belong to the Online that brought the resource up.
  const auto is_failed = f.log.first(event_kind::is_alive_failed);
  REQUIRE(is_failed);
  CHECK(is_failed->operation == 1);
  CHECK(is_failed->error == pendop::make_error_code(pendop::errc::health_check_failed));
  const auto terminated = f.log.first(event_kind::terminated);
  REQUIRE(terminated);
  CHECK(terminated->operation == 0);  // it stopped no operation: the Online had ended
  CHECK(terminated->error == pendop::make_error_code(pendop::errc::health_check_failed));
}

TEST_CASE("a failure the resource signals between polls: Failed, Terminate, restart") {
  monitor_fixture f;
  pendop::failure_signal signal;
  auto res = f.add("db", std::make_shared<monitored_resource>([&](pendop::operation& op, int) {
    signal = op.failure_reporter();  // kept, as a watcher thread would keep it
    return pendop::ok();
  }));
  REQUIRE(f.m.online("db"));
  f.clock->settle();
  REQUIRE(signal);
  const pendop::failure_signal first = signal;
  first.fail("the disk went away");
  f.clock->settle();
  CHECK(f.state("db") == resource_state::failed);  // at once: no poll needed
  CHECK(res->looks_calls == 0);
  CHECK(res->terminates == 1);
  const auto reported = f.log.first(event_kind::failure_reported);
  REQUIRE(reported);
  CHECK(reported->detail == "the disk went away; Failed, then Terminate");
  CHECK(reported->operation == 1);
  f.clock->advance(500ms);  // RestartDelay
  CHECK(f.state("db") == resource_state::online);
  CHECK(f.m.diagnostics("db")->last_error == "reported by the resource: the disk went away");
  // The first Online has ended: its signal changes nothing now.
  first.fail("late");
  f.clock->settle();
  CHECK(f.state("db") == resource_state::online);
  CHECK(f.log.count(event_kind::failure_reported) == 1);
}

TEST_CASE("LooksAlive false then IsAlive false fails the resource at the LooksAlive tick") {
  monitor_fixture f;
  auto res = online_resource(f);
  res->looks = false;
  res->is = false;
  f.clock->advance(5s);
  CHECK(f.state("db") == resource_state::failed);
  CHECK(f.log.first(event_kind::status, resource_state::failed)->at == f.m.epoch() + 5s);
}

TEST_CASE("polling restarts after the resource comes back Online") {
  monitor_fixture f;
  auto res = online_resource(f);
  res->is = false;
  f.clock->advance(60s);
  res->is = true;
  const int before = res->looks_calls;
  f.clock->advance(500ms);  // restarted
  f.clock->advance(5s);
  CHECK(res->looks_calls == before + 1);
}

TEST_CASE("health checks that throw count as failures and keep the exception's text") {
  monitor_fixture f;
  auto res = online_resource(f);
  res->throw_in_health = true;
  f.clock->advance(5s);
  CHECK(f.state("db") == resource_state::failed);
  CHECK(f.log.first(event_kind::looks_alive_failed)->detail ==
        "LooksAlive threw: health probe crashed; calling IsAlive now");
  CHECK(f.m.diagnostics("db")->last_error == "IsAlive threw: health probe crashed");
}

TEST_CASE("a terminate() that throws does not stop the Terminate") {
  monitor_fixture f;
  auto res = f.add("db", std::make_shared<monitored_resource>([](pendop::operation& op, int) {
    (void)op.wait_for(1h);
    return pendop::ok();
  }));
  res->throw_in_terminate = true;
  REQUIRE(f.m.online("db"));
  f.clock->settle();
  REQUIRE(f.m.terminate("db"));
  CHECK(res->terminates == 1);
  CHECK(f.state("db") == resource_state::offline);
}

}  // TEST_SUITE
