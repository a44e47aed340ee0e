// SPDX-License-Identifier: MIT
// PendingTimeout enforcement by the monitor, on virtual time.
#include <pendop/posix/monitor.hpp>

#include <doctest/doctest.h>

#include "monitor_fixture.hpp"

using namespace std::chrono_literals;
using pendop::event_kind;
using pendop::exit_state;
using pendop::resource_state;
using pendop::stop_reason;
using pendop_test::monitor_fixture;
using pendop_test::monitored_resource;
using trail = std::vector<std::string>;

namespace {

// Online reports every `every` for `reports` times, then completes.
monitored_resource::body reporter(pendop::duration every, int reports) {
  return [every, reports](pendop::operation& op, int) {
    for (int i = 0; i < reports; ++i) {
      if (!op.wait_for(every)) return pendop::ok();
      if (op.report({.stage = "copy", .percent = (i + 1) * 100 / reports}) == exit_state::terminate)
        return pendop::ok();
    }
    return pendop::ok();
  };
}

// Online that never reports: it waits to be stopped, then claims success.
monitored_resource::body silent() {
  return [](pendop::operation& op, int) {
    (void)op.wait_for(24h);
    return pendop::ok();
  };
}

pendop::resource_properties no_restart() {
  pendop::resource_properties p;
  p.restart = pendop::restart_action::dont_restart;
  return p;
}

}  // namespace

TEST_SUITE("monitor/pending_timeout") {

TEST_CASE("pending with reports every 60 s never times out at PendingTimeout 180 s") {
  monitor_fixture f;
  f.add("db", std::make_shared<monitored_resource>(reporter(60s, 10)));
  REQUIRE(f.m.online("db"));
  f.clock->advance(599s);
  CHECK(f.state("db") == resource_state::online_pending);
  f.clock->advance(1s);
  CHECK(f.state("db") == resource_state::online);
  CHECK(f.log.count(event_kind::terminated) == 0);
  CHECK(f.log.first(event_kind::status, resource_state::online)->checkpoint == 11);
}

TEST_CASE("no report for 180 s: Terminate, Failed, restart after RestartDelay, Online") {
  monitor_fixture f;
  auto res = f.add("db", std::make_shared<monitored_resource>([](pendop::operation& op, int n) {
    if (n == 1) (void)op.wait_for(24h);  // the first attempt hangs silently
    return pendop::ok();
  }));
  REQUIRE(f.m.online("db"));
  f.clock->advance(180s);
  CHECK(f.state("db") == resource_state::failed);
  CHECK(res->terminates == 1);
  const auto failed = f.log.first(event_kind::status, resource_state::failed);
  REQUIRE(failed);
  CHECK(failed->reason == stop_reason::pending_timeout);
  CHECK(failed->at == f.m.epoch() + 180s);
  f.clock->advance(499ms);
  CHECK(f.state("db") == resource_state::failed);
  f.clock->advance(1ms);
  CHECK(f.state("db") == resource_state::online);
  CHECK(f.log.trail("db") ==
        trail{"added", "request", "status:OnlinePending", "terminated", "status:Failed",
              "restart_scheduled", "restart", "status:OnlinePending", "status:Online"});
  CHECK(f.log.first(event_kind::restart)->at == f.m.epoch() + 180500ms);
}

TEST_CASE("the timeout fires at exactly the deadline, not a tick before") {
  monitor_fixture f;
  f.add("db", std::make_shared<monitored_resource>(silent()), no_restart());
  REQUIRE(f.m.online("db"));
  f.clock->advance(180s - 1ns);
  CHECK(f.state("db") == resource_state::online_pending);
  f.clock->advance(1ns);
  CHECK(f.state("db") == resource_state::failed);
}

TEST_CASE("a report at 170 s moves the deadline to 350 s") {
  monitor_fixture f;
  f.add("db", std::make_shared<monitored_resource>([](pendop::operation& op, int) {
    (void)op.wait_for(170s);
    (void)op.report({.stage = "still-here"});
    (void)op.wait_for(24h);
    return pendop::ok();
  }), no_restart());
  REQUIRE(f.m.online("db"));
  f.clock->advance(349s);
  CHECK(f.state("db") == resource_state::online_pending);
  CHECK(f.m.diagnostics("db")->pending_deadline == f.m.epoch() + 350s);
  f.clock->advance(1s);
  CHECK(f.state("db") == resource_state::failed);
}

TEST_CASE("a late success after a pending timeout is never reported as Online") {
  monitor_fixture f;
  f.add("db", std::make_shared<monitored_resource>(silent()), no_restart());
  REQUIRE(f.m.online("db"));
  f.clock->advance(181s);
  CHECK(f.state("db") == resource_state::failed);
  CHECK_FALSE(f.log.first(event_kind::status, resource_state::online).has_value());
}

TEST_CASE("the body sees reason pending_timeout and its late report is answered terminate") {
  monitor_fixture f;
  std::atomic<int> reason{-1};
  std::atomic<int> answer{-1};
  f.add("db", std::make_shared<monitored_resource>([&](pendop::operation& op, int) {
    (void)op.wait_for(24h);
    reason = static_cast<int>(op.reason());
    answer = static_cast<int>(op.report({.stage = "late"}));
    return pendop::ok();
  }), no_restart());
  REQUIRE(f.m.online("db"));
  f.clock->advance(180s);
  CHECK(reason == static_cast<int>(stop_reason::pending_timeout));
  CHECK(answer == static_cast<int>(exit_state::terminate));
}

TEST_CASE("an Offline that stops reporting times out the same way") {
  monitor_fixture f;
  pendop::resource_properties p = no_restart();
  p.pending_timeout = 30s;
  f.add("db", std::make_shared<monitored_resource>(nullptr, [](pendop::operation& op, int) {
    (void)op.wait_for(24h);
    return pendop::ok();
  }), p);
  REQUIRE(f.m.online("db"));
  f.clock->settle();
  REQUIRE(f.m.offline("db"));
  f.clock->advance(30s);
  CHECK(f.state("db") == resource_state::failed);
  CHECK(f.log.first(event_kind::status, resource_state::failed)->reason ==
        stop_reason::pending_timeout);
}

TEST_CASE("a custom PendingTimeout of 10 ms is honoured") {
  monitor_fixture f;
  pendop::resource_properties p = no_restart();
  p.pending_timeout = 10ms;
  f.add("db", std::make_shared<monitored_resource>(silent()), p);
  REQUIRE(f.m.online("db"));
  f.clock->advance(10ms);
  CHECK(f.state("db") == resource_state::failed);
}

TEST_CASE("no polling while an operation is pending") {
  monitor_fixture f;
  auto res = f.add("db", std::make_shared<monitored_resource>(reporter(30s, 10)));
  REQUIRE(f.m.online("db"));
  f.clock->advance(299s);
  CHECK(res->looks_calls == 0);
  CHECK(res->is_calls == 0);
}

}  // TEST_SUITE
