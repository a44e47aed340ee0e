// SPDX-License-Identifier: MIT
// Admin requests, bad input and the event log of pendop::posix::monitor.
#include <pendop/posix/monitor.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "monitor_fixture.hpp"

using namespace std::chrono_literals;
using pendop::errc;
using pendop::event_kind;
using pendop::resource_state;
using pendop_test::monitor_fixture;
using pendop_test::monitored_resource;
using trail = std::vector<std::string>;

TEST_SUITE("monitor/requests") {

TEST_CASE("a resource is added Offline and brought Online") {
  monitor_fixture f;
  f.add("db", std::make_shared<monitored_resource>());
  CHECK(f.state("db") == resource_state::offline);
  auto r = f.m.online("db");
  REQUIRE(r);
  CHECK(*r == resource_state::online_pending);
  f.clock->settle();
  CHECK(f.state("db") == resource_state::online);
  CHECK(f.log.trail("db") ==
        trail{"added", "request", "status:OnlinePending", "status:Online"});
}

TEST_CASE("a line the body logs is a log event, in order with its reports") {
  monitor_fixture f;
  f.add("db", std::make_shared<monitored_resource>([](pendop::operation& op, int) {
    op.log(pendop::log_level::warning, "replaying the journal");
    return pendop::ok();
  }));
  REQUIRE(f.m.online("db"));
  f.clock->settle();
  CHECK(f.log.trail("db") ==
        trail{"added", "request", "status:OnlinePending", "log", "status:Online"});
  for (const auto& e : f.log.events()) {
    if (e.kind == event_kind::log) CHECK(e.detail == "warning: replaying the journal");
  }
}

TEST_CASE("an unknown resource id is named, with the known ones") {
  monitor_fixture f;
  f.add("db", std::make_shared<monitored_resource>());
  f.add("web", std::make_shared<monitored_resource>());
  for (const pendop::error& e : {f.m.online("dv").error(), f.m.offline("dv").error(),
                                  f.m.state("dv").error(), f.m.wait("dv", 1, 1s).error()}) {
    CHECK(e.code == errc::unknown_resource);
    CHECK(e.message == "unknown resource \"dv\" (known: db, web)");
  }
  CHECK(f.m.terminate("dv").error().code == errc::unknown_resource);
  CHECK(f.m.diagnostics("dv").error().code == errc::unknown_resource);
}

TEST_CASE("a duplicate name is refused") {
  monitor_fixture f;
  f.add("db", std::make_shared<monitored_resource>());
  auto again = f.m.add("db", std::make_shared<monitored_resource>());
  REQUIRE_FALSE(again);
  CHECK(again.error().code == errc::duplicate_resource);
  CHECK(again.error().message == "monitor::add: a resource named \"db\" exists already");
}

TEST_CASE("out-of-range properties are refused with the resource and field named") {
  monitor_fixture f;
  pendop::resource_properties p;
  p.deadlock_timeout = 10ms;
  auto r = f.m.add("db", std::make_shared<monitored_resource>(), p);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::property_out_of_range);
  CHECK(r.error().message ==
        "resource \"db\": DeadlockTimeout: 10 is out of range, allowed 1000..4294967295");
  CHECK(f.m.resources().empty());
}

TEST_CASE("an empty name or a null resource is refused") {
  monitor_fixture f;
  CHECK(f.m.add("", std::make_shared<monitored_resource>()).error().message ==
        "monitor::add: the name is empty");
  CHECK(f.m.add("db", nullptr).error().message == "monitor::add: resource \"db\" is null");
}

TEST_CASE("Online of an Online resource is invalid_state and changes nothing") {
  monitor_fixture f;
  f.add("db", std::make_shared<monitored_resource>());
  REQUIRE(f.m.online("db"));
  f.clock->settle();
  auto again = f.m.online("db");
  REQUIRE_FALSE(again);
  CHECK(again.error().code == errc::invalid_state);
  CHECK(again.error().message == "Online rejected: resource \"db\" is Online");
  CHECK(f.state("db") == resource_state::online);
  CHECK(f.log.count(event_kind::rejected) == 1);
}

TEST_CASE("Offline of an Offline resource succeeds at once and runs nothing") {
  monitor_fixture f;
  auto res = std::make_shared<monitored_resource>();
  f.add("db", res);
  auto r = f.m.offline("db");
  REQUIRE(r);
  CHECK(*r == resource_state::offline);
  CHECK(f.state("db") == resource_state::offline);
  CHECK(res->offlines == 0);
  CHECK(res->terminates == 0);
}

TEST_CASE("a request while an operation is pending is operation_pending") {
  monitor_fixture f;
  f.add("db", std::make_shared<monitored_resource>([](pendop::operation& op, int) {
    (void)op.wait_for(60s);
    return pendop::ok();
  }));
  REQUIRE(f.m.online("db"));
  CHECK(f.m.online("db").error().code == errc::operation_pending);
  CHECK(f.m.offline("db").error().code == errc::operation_pending);
  f.clock->advance(60s);
  CHECK(f.state("db") == resource_state::online);
}

TEST_CASE("Online then Offline walks the full event sequence") {
  monitor_fixture f;
  f.add("db", std::make_shared<monitored_resource>(
                  [](pendop::operation& op, int) {
                    (void)op.report({.stage = "start", .percent = 50});
                    return pendop::ok();
                  },
                  [](pendop::operation&, int) { return pendop::ok(); }));
  REQUIRE(f.m.online("db"));
  f.clock->settle();
  REQUIRE(f.m.offline("db"));
  f.clock->settle();
  CHECK(f.log.trail("db") == trail{"added", "request", "status:OnlinePending",
                                   "status:OnlinePending", "status:Online", "request",
                                   "status:OfflinePending", "status:Offline"});
  const auto events = f.log.events();
  CHECK(events[3].checkpoint == 1);
  CHECK(events[3].progress.stage == "start");
  CHECK(events[3].from == resource_state::online_pending);
}

TEST_CASE("admin Terminate while pending ends Offline with no restart") {
  monitor_fixture f;
  auto res = f.add("db", std::make_shared<monitored_resource>([](pendop::operation& op, int) {
    (void)op.wait_for(1h);
    return pendop::ok();
  }));
  REQUIRE(f.m.online("db"));
  f.clock->settle();
  REQUIRE(f.m.terminate("db"));
  CHECK(f.state("db") == resource_state::offline);
  CHECK(res->terminates == 1);
  f.clock->advance(1h);
  CHECK(f.log.count(event_kind::restart) == 0);
  CHECK(f.log.first(event_kind::terminated)->reason == pendop::stop_reason::terminate_called);
}

TEST_CASE("every event renders as one JSON line with the documented fields") {
  monitor_fixture f;
  f.add("db", std::make_shared<monitored_resource>([](pendop::operation& op, int) {
    (void)op.report({.stage = "mount", .percent = 40, .text = "mounting \"/data\""});
    return pendop::ok();
  }));
  REQUIRE(f.m.online("db"));
  f.clock->advance(1s);
  const auto events = f.log.events();
  REQUIRE(events.size() >= 4);
  for (const auto& e : events) {
    const std::string line = pendop::to_json_line(e, f.m.epoch());
    CHECK(line.find('\n') == std::string::npos);
    const auto j = nlohmann::json::parse(line);
    for (const char* key : {"t_ms", "resource", "event", "from", "to", "operation", "checkpoint",
                            "reason", "stage", "percent", "text", "detail", "error"}) {
      CAPTURE(key);
      CHECK(j.contains(key));
    }
  }
  const auto progress = nlohmann::json::parse(pendop::to_json_line(events[3], f.m.epoch()));
  CHECK(progress["event"] == "status");
  CHECK(progress["to"] == "OnlinePending");
  CHECK(progress["checkpoint"] == 1);
  CHECK(progress["percent"] == 40);
  CHECK(progress["text"] == "mounting \"/data\"");
  CHECK(progress["error"].is_null());
}

TEST_CASE("a failure's event carries its error code, also in the JSON line") {
  monitor_fixture f;
  f.add("db", std::make_shared<monitored_resource>([](pendop::operation&, int) {
    return pendop::result<void>(pendop::make_error(errc::invalid_argument, "port in use"));
  }), {.restart = pendop::restart_action::dont_restart});
  REQUIRE(f.m.online("db"));
  f.clock->advance(1s);
  const auto failed = f.log.first(event_kind::status, resource_state::failed);
  REQUIRE(failed);
  CHECK(failed->error == pendop::make_error_code(errc::invalid_argument));
  const auto j = nlohmann::json::parse(pendop::to_json_line(*failed, f.m.epoch()));
  CHECK(j["error"]["category"] == "pendop");
  CHECK(j["error"]["value"] == static_cast<int>(errc::invalid_argument));
  const auto refused = f.m.offline("nope");
  REQUIRE_FALSE(refused);
}

TEST_CASE("unsubscribed sinks get nothing more: a subscriber may query the monitor") {
  monitor_fixture f;
  std::vector<resource_state> seen;
  auto sub = f.m.subscribe([&](const pendop::monitor_event& e) {
    if (e.kind == event_kind::status) seen.push_back(f.m.state(e.resource).value());
  });
  f.add("db", std::make_shared<monitored_resource>());
  REQUIRE(f.m.online("db"));
  f.clock->settle();
  CHECK(seen.size() == 2);
  f.m.unsubscribe(sub.id());
  REQUIRE(f.m.offline("db"));
  f.clock->settle();
  CHECK(seen.size() == 2);
}

TEST_CASE("a subscription lasts as long as its handle, and a handle may outlive its monitor") {
  pendop::posix::subscription outliving;  // declared before the monitor: destroyed after it
  int kept = 0, dropped = 0, moved = 0;
  {
    monitor_fixture f;
    f.add("db", std::make_shared<monitored_resource>());
    { auto gone = f.m.subscribe([&](const pendop::monitor_event&) { ++dropped; }); }
    auto first = f.m.subscribe([&](const pendop::monitor_event&) { ++moved; });
    auto second = std::move(first);
    CHECK_FALSE(first);
    CHECK(second);
    outliving = f.m.subscribe([&](const pendop::monitor_event&) { ++kept; });
    REQUIRE(f.m.online("db"));
    f.clock->settle();
    second.reset();
    CHECK_FALSE(second);
    const int moved_before = moved;
    REQUIRE(f.m.offline("db"));
    f.clock->settle();
    CHECK(moved == moved_before);  // reset: nothing more
    CHECK(moved_before > 0);
  }  // the monitor is gone; `outliving` is still a handle
  CHECK(dropped == 0);  // a discarded handle unsubscribes at once
  CHECK(kept > 0);
  CHECK(outliving);
  outliving.reset();  // does nothing harmful with the monitor gone
  CHECK_FALSE(outliving);
}

TEST_CASE("wait_settled returns the final state, or wait_timeout naming the state it is still in") {
  monitor_fixture f;
  f.add("db", std::make_shared<monitored_resource>([](pendop::operation& op, int) {
    (void)op.wait_for(std::chrono::seconds(30));
    return pendop::ok();
  }));
  CHECK(f.m.wait_settled("db", std::chrono::milliseconds(1)).value() == resource_state::offline);
  REQUIRE(f.m.online("db"));
  auto late = f.m.wait_settled("db", std::chrono::milliseconds(20));  // virtual time stands still
  REQUIRE_FALSE(late);
  CHECK(late.error().code == errc::wait_timeout);
  CHECK(late.error().message == "resource \"db\" is still OnlinePending after waiting 20 ms");
  f.clock->advance(std::chrono::seconds(31));
  CHECK(f.m.wait_settled("db", std::chrono::milliseconds(1)).value() == resource_state::online);
  CHECK(f.m.wait_settled("nosuch", std::chrono::milliseconds(1)).error().code ==
        errc::unknown_resource);
}

TEST_CASE("a hundred resources come online side by side on virtual time") {
  monitor_fixture f;
  for (int i = 0; i < 100; ++i) {
    f.add("r" + std::to_string(i), std::make_shared<monitored_resource>(
                                       [i](pendop::operation& op, int) {
                                         (void)op.wait_for(std::chrono::seconds(1 + i % 7));
                                         return pendop::ok();
                                       }));
  }
  for (int i = 0; i < 100; ++i) REQUIRE(f.m.online("r" + std::to_string(i)));
  f.clock->advance(6s);
  CHECK(f.state("r6") == resource_state::online_pending);
  f.clock->advance(1s);
  for (int i = 0; i < 100; ++i) CHECK(f.state("r" + std::to_string(i)) == resource_state::online);
}

TEST_CASE("diagnostics show the pending deadline and the counters") {
  monitor_fixture f;
  pendop::resource_properties p;
  p.pending_timeout = 30s;
  f.add("db", std::make_shared<monitored_resource>([](pendop::operation& op, int) {
    (void)op.wait_for(10s);
    (void)op.report({});
    (void)op.wait_for(1h);
    return pendop::ok();
  }), p);
  REQUIRE(f.m.online("db"));
  f.clock->advance(10s);
  auto d = f.m.diagnostics("db");
  REQUIRE(d);
  CHECK(d->state == resource_state::online_pending);
  REQUIRE(d->pending_deadline);
  CHECK(*d->pending_deadline == f.m.epoch() + 40s);
  CHECK(d->properties.pending_timeout == 30s);
  CHECK(d->terminates == 0);
  REQUIRE(f.m.terminate("db"));
  d = f.m.diagnostics("db");
  CHECK(d->terminates == 1);
  CHECK_FALSE(d->pending_deadline);
}

}  // TEST_SUITE

TEST_SUITE("monitor/outcomes") {

TEST_CASE("online returns the operation's id, wait and a completion give its final report") {
  monitor_fixture f;
  f.add("db", std::make_shared<monitored_resource>([](pendop::operation& op, int) {
    (void)op.wait_for(30s);
    (void)op.report({.stage = "recover"});
    (void)op.wait_for(30s);
    return pendop::ok();
  }));
  std::optional<pendop::status_report> completed;
  auto started = f.m.online("db", [&](const pendop::status_report& r) { completed = r; });
  REQUIRE(started);
  CHECK(started->id == 1);
  CHECK(*started == resource_state::online_pending);
  CHECK(f.m.wait("db", started->id, 0ms).error().code == errc::wait_timeout);
  f.clock->advance(60s);
  auto fin = f.m.wait("db", started->id, 30s);
  REQUIRE(fin);
  CHECK(fin->state == resource_state::online);
  CHECK(fin->checkpoint == 2);
  REQUIRE(completed);
  CHECK(completed->operation == 1);
  CHECK(completed->state == resource_state::online);
  CHECK(f.m.wait("db", 7, 0ms).error().code == errc::invalid_argument);
}

}  // TEST_SUITE

TEST_SUITE("monitor/live configuration") {

TEST_CASE("set_properties: new poll intervals at once, a new PendingTimeout from the next Online") {
  monitor_fixture f;
  auto res = f.add("db", std::make_shared<monitored_resource>([](pendop::operation& op, int n) {
    if (n == 2) (void)op.wait_for(1h);  // the second Online never reports
    return pendop::ok();
  }));
  REQUIRE(f.m.online("db"));
  f.clock->advance(1s);
  REQUIRE(f.state("db") == resource_state::online);
  pendop::resource_properties p;
  p.looks_alive_poll_interval = 1s;
  p.pending_timeout = 20s;
  REQUIRE(f.m.set_properties("db", p));
  const int before = res->looks_calls;
  f.clock->advance(3s);
  CHECK(res->looks_calls == before + 3);  // every second now, not every 5 s
  CHECK(f.m.diagnostics("db")->properties == p);
  const auto reconfigured = f.log.first(event_kind::reconfigured);
  REQUIRE(reconfigured);
  CHECK(reconfigured->detail == pendop::to_json(p));

  REQUIRE(f.m.offline("db"));
  f.clock->advance(1s);
  REQUIRE(f.m.online("db"));
  f.clock->advance(20s);  // the new PendingTimeout, not 180 s
  CHECK(f.state("db") == resource_state::failed);
}

TEST_CASE("set_properties refuses a bad value, names it, and changes nothing") {
  monitor_fixture f;
  f.add("db", std::make_shared<monitored_resource>());
  pendop::resource_properties p;
  p.deadlock_timeout = 10ms;
  const auto r = f.m.set_properties("db", p);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::property_out_of_range);
  CHECK(r.error().message ==
        "resource \"db\": DeadlockTimeout: 10 is out of range, allowed 1000..4294967295");
  CHECK(f.m.diagnostics("db")->properties == pendop::resource_properties{});
  CHECK_FALSE(f.log.first(event_kind::reconfigured));
  CHECK(f.m.set_properties("nope", {}).error().code == errc::unknown_resource);
}

TEST_CASE("remove terminates an Online resource, forgets it, and its name can be added again") {
  monitor_fixture f;
  auto res = f.add("db", std::make_shared<monitored_resource>());
  REQUIRE(f.m.online("db"));
  f.clock->advance(1s);
  REQUIRE(f.state("db") == resource_state::online);
  REQUIRE(f.m.remove("db"));
  CHECK(res->terminates == 1);
  CHECK(f.m.resources().empty());
  CHECK(f.m.state("db").error().code == errc::unknown_resource);
  CHECK(f.log.trail("db").back() == "removed");
  const int polls = res->looks_calls;
  f.clock->advance(1min);
  CHECK(res->looks_calls == polls);  // no timers left behind
  CHECK(f.m.remove("db").error().code == errc::unknown_resource);
  f.add("db", std::make_shared<monitored_resource>());
  CHECK(f.m.resources() == std::vector<std::string>{"db"});
}

TEST_CASE("remove stops a pending operation first") {
  monitor_fixture f;
  auto res = f.add("db", std::make_shared<monitored_resource>([](pendop::operation& op, int) {
    (void)op.wait_for(1h);
    return pendop::ok();
  }));
  REQUIRE(f.m.online("db"));
  f.clock->settle();
  REQUIRE(f.m.remove("db"));
  CHECK(res->terminates == 1);
  const auto t = f.log.trail("db");
  CHECK(trail(t.end() - 3, t.end()) == trail{"terminated", "status:Offline", "removed"});
}

}  // TEST_SUITE
