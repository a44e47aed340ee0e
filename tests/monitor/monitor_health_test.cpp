// SPDX-License-Identifier: MIT
// LooksAlive / IsAlive polling by the monitor, on virtual time.
#include <pendop/posix/monitor.hpp>

#include <doctest/doctest.h>

#include "monitor_fixture.hpp"

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
