// SPDX-License-Identifier: MIT
// The restart policy as the monitor applies it, on virtual time.
#include <pendop/posix/monitor.hpp>

#include <doctest/doctest.h>

#include <stdexcept>

#include "monitor_fixture.hpp"

using namespace std::chrono_literals;
using pendop::event_kind;
using pendop::resource_state;
using pendop_test::monitor_fixture;
using pendop_test::monitored_resource;

namespace {

// Online that fails for attempts listed as failing, succeeds otherwise.
monitored_resource::body fails_until(int first_good) {
  return [first_good](pendop::operation&, int attempt) -> pendop::result<void> {
    if (attempt < first_good) {
      return pendop::make_error(pendop::errc::operation_failed,
                                "attempt " + std::to_string(attempt) + " failed");
    }
    return pendop::ok();
  };
}

}  // namespace

TEST_SUITE("monitor/restart") {

TEST_CASE("an Online that returns an error is restarted after RestartDelay") {
  monitor_fixture f;
  auto res = f.add("db", std::make_shared<monitored_resource>(fails_until(2)));
  REQUIRE(f.m.online("db"));
  f.clock->settle();
  CHECK(f.state("db") == resource_state::failed);
  CHECK(f.m.diagnostics("db")->last_error == "Online failed: attempt 1 failed");
  f.clock->advance(500ms);
  CHECK(f.state("db") == resource_state::online);
  CHECK(res->onlines == 2);
}

TEST_CASE("an Online that throws is Failed with the text, then restarted") {
  monitor_fixture f;
  auto res = f.add("db", std::make_shared<monitored_resource>(
                             [](pendop::operation&, int attempt) -> pendop::result<void> {
                               if (attempt == 1) throw std::runtime_error("config missing");
                               return pendop::ok();
                             }));
  REQUIRE(f.m.online("db"));
  f.clock->settle();
  CHECK(f.log.first(event_kind::status, resource_state::failed)->detail ==
        "Online threw: config missing");
  f.clock->advance(500ms);
  CHECK(f.state("db") == resource_state::online);
}

TEST_CASE("the 4th failure within RestartPeriod stops restarts until RetryPeriodOnFailure") {
  monitor_fixture f;
  auto res = f.add("db", std::make_shared<monitored_resource>(fails_until(6)));
  REQUIRE(f.m.online("db"));
  f.clock->settle();                   // failure 1 at 0 s
  f.clock->advance(500ms);             // restart 1 -> failure 2
  f.clock->advance(500ms);             // restart 2 -> failure 3
  f.clock->advance(500ms);             // restart 3 -> failure 4: threshold 3 exceeded
  CHECK(res->onlines == 4);
  CHECK(f.log.count(event_kind::escalated) == 1);
  auto d = f.m.diagnostics("db");
  REQUIRE(d->next_restart);
  CHECK(*d->next_restart == f.m.epoch() + 1500ms + 3600s);
  f.clock->advance(3600s - 1ms);
  CHECK(res->onlines == 4);            // nothing for an hour
  f.clock->advance(1ms);
  CHECK(res->onlines == 5);            // the retry, which fails too: an admin is needed
  CHECK(f.state("db") == resource_state::failed);
  CHECK(f.log.count(event_kind::gave_up) == 1);
  f.clock->advance(24h);
  CHECK(res->onlines == 5);
  REQUIRE(f.m.online("db"));           // an admin Online starts afresh
  f.clock->settle();
  CHECK(f.state("db") == resource_state::online);
}

TEST_CASE("RestartAction dont_restart leaves the resource Failed") {
  monitor_fixture f;
  pendop::resource_properties p;
  p.restart = pendop::restart_action::dont_restart;
  auto res = f.add("db", std::make_shared<monitored_resource>(fails_until(2)), p);
  REQUIRE(f.m.online("db"));
  f.clock->advance(1h);
  CHECK(res->onlines == 1);
  CHECK(f.log.first(event_kind::gave_up)->detail == "RestartAction is dont_restart");
}

TEST_CASE("restart_no_notify restarts but never escalates") {
  monitor_fixture f;
  pendop::resource_properties p;
  p.restart = pendop::restart_action::restart_no_notify;
  p.restart_threshold = 1;
  auto res = f.add("db", std::make_shared<monitored_resource>(fails_until(10)), p);
  REQUIRE(f.m.online("db"));
  f.clock->advance(1s);
  CHECK(res->onlines == 2);
  CHECK(f.log.count(event_kind::escalated) == 0);
  CHECK(f.log.count(event_kind::restart_scheduled) == 2);  // one restart, then the retry
}

TEST_CASE("a successful retry after RetryPeriodOnFailure gives a fresh start") {
  monitor_fixture f;
  pendop::resource_properties p;
  p.restart_threshold = 0;
  p.restart_period = 60s;
  p.retry_period_on_failure = 60s;
  auto res = f.add("db", std::make_shared<monitored_resource>(fails_until(2)), p);
  REQUIRE(f.m.online("db"));
  f.clock->advance(60s);
  CHECK(f.state("db") == resource_state::online);
  res->is = false;  // fails again later: the policy restarts as normal (retry again)
  f.clock->advance(60s);
  CHECK(f.state("db") == resource_state::failed);
  CHECK(f.m.diagnostics("db")->next_restart.has_value());
}

TEST_CASE("an admin Offline of a Failed resource cancels the scheduled restart") {
  monitor_fixture f;
  auto res = f.add("db", std::make_shared<monitored_resource>(fails_until(2)));
  REQUIRE(f.m.online("db"));
  f.clock->settle();
  REQUIRE(f.m.diagnostics("db")->next_restart);
  REQUIRE(f.m.offline("db"));
  f.clock->advance(1h);
  CHECK(f.state("db") == resource_state::offline);
  CHECK(res->onlines == 1);
  CHECK(res->offlines == 1);
}

TEST_CASE("failures spread wider than RestartPeriod are restarted every time") {
  monitor_fixture f;
  pendop::resource_properties p;
  p.restart_threshold = 1;
  p.restart_period = 60s;
  p.retry_period_on_failure = 3600s;
  auto res = f.add("db", std::make_shared<monitored_resource>(), p);
  REQUIRE(f.m.online("db"));
  f.clock->settle();
  for (int i = 0; i < 3; ++i) {
    res->is = false;
    f.clock->advance(60s);  // IsAlive fails
    res->is = true;
    f.clock->advance(500ms);  // restarted
    CHECK(f.state("db") == resource_state::online);
  }
  CHECK(f.log.count(event_kind::escalated) == 0);
}

}  // TEST_SUITE
