// SPDX-License-Identifier: MIT
#include <pendop/detail/resource_tracker.hpp>

#include <doctest/doctest.h>

using namespace std::chrono_literals;
using pendop::exit_state;
using pendop::operation_kind;
using pendop::resource_state;
using pendop::resource_tracker;
using pendop::stop_reason;
using stop_outcome = resource_tracker::stop_outcome;

namespace {
const pendop::time_point t0 = pendop::time_point{} + 24h;
}

TEST_SUITE("core/resource_tracker") {

TEST_CASE("begin returns the pending report with checkpoint 0 and arms the watchdog") {
  resource_tracker t("db", 180s);
  auto r = t.begin(operation_kind::online, t0);
  REQUIRE(r);
  CHECK(r->resource == "db");
  CHECK(r->state == resource_state::online_pending);
  CHECK(r->checkpoint == 0);
  CHECK(r->operation == 1);
  CHECK_FALSE(r->final);
  CHECK(t.pending());
  CHECK(t.deadline() == t0 + 180s);
}

TEST_CASE("every report increments the checkpoint and restarts the window") {
  resource_tracker t("db", 180s);
  REQUIRE(t.begin(operation_kind::online, t0));
  for (std::uint32_t i = 1; i <= 5; ++i) {
    auto o = t.report(1, {.stage = "step", .percent = static_cast<int>(i * 20)}, t0 + i * 60s);
    CHECK(o.answer == exit_state::proceed);
    REQUIRE(o.report);
    CHECK(o.report->checkpoint == i);
    CHECK(o.report->state == resource_state::online_pending);
    CHECK(t.deadline() == t0 + i * 60s + 180s);
  }
  auto fin = t.finish(1, pendop::ok(), t0 + 400s);
  REQUIRE(fin);
  CHECK(fin->checkpoint == 6);
  CHECK(fin->final);
  CHECK(fin->state == resource_state::online);
}

TEST_CASE("percent is clamped to 0..100") {
  resource_tracker t("db");
  REQUIRE(t.begin(operation_kind::online, t0));
  CHECK(t.report(1, {.percent = 250}, t0).report->progress.percent == 100);
  CHECK(t.report(1, {.percent = -3}, t0).report->progress.percent == 0);
}

TEST_CASE("a second Online while one is pending is refused with a clear error") {
  resource_tracker t("db");
  REQUIRE(t.begin(operation_kind::online, t0));
  auto again = t.begin(operation_kind::online, t0);
  REQUIRE_FALSE(again);
  CHECK(again.error().code == pendop::errc::operation_pending);
  CHECK(again.error().message ==
        "Online rejected: resource \"db\" is OnlinePending (operation 1 is still pending)");
  auto off = t.begin(operation_kind::offline, t0);
  REQUIRE_FALSE(off);
  CHECK(off.error().code == pendop::errc::operation_pending);
}

TEST_CASE("Online of an Online resource is invalid_state") {
  resource_tracker t("web", 180s, resource_state::online);
  auto on = t.begin(operation_kind::online, t0);
  REQUIRE_FALSE(on);
  CHECK(on.error().code == pendop::errc::invalid_state);
  CHECK(on.error().message == "Online rejected: resource \"web\" is Online");
}

TEST_CASE("Offline of an Offline resource settles at once, with one final report") {
  resource_tracker off("web");
  auto r = off.begin(operation_kind::offline, t0);
  REQUIRE(r);
  CHECK(r->final);
  CHECK(r->state == resource_state::offline);
  CHECK_FALSE(off.pending());
}

TEST_CASE("Offline of an Initializing resource settles at once") {
  resource_tracker t("x", 180s, resource_state::initializing);
  auto r = t.begin(operation_kind::offline, t0);
  REQUIRE(r);
  CHECK(r->final);
  CHECK(r->state == resource_state::offline);
  CHECK_FALSE(t.pending());
}

TEST_CASE("a failed body ends in Failed with the error kept") {
  resource_tracker t("db");
  REQUIRE(t.begin(operation_kind::online, t0));
  auto fin = t.finish(1, pendop::make_error(pendop::errc::operation_failed, "disk missing"), t0);
  REQUIRE(fin);
  CHECK(fin->state == resource_state::failed);
  CHECK(fin->error == pendop::errc::operation_failed);
  CHECK(fin->error_text == "disk missing");
  CHECK_FALSE(t.deadline().has_value());
}

TEST_CASE("after a stop every report answers terminate and changes nothing") {
  resource_tracker t("db");
  REQUIRE(t.begin(operation_kind::online, t0));
  REQUIRE(t.report(1, {}, t0).report);
  CHECK(t.request_stop(stop_reason::terminate_called) == stop_outcome::started);
  CHECK(t.stop_requested(1));
  CHECK(t.reason(1) == stop_reason::terminate_called);
  for (int i = 0; i < 3; ++i) {
    auto o = t.report(1, {.stage = "late"}, t0 + 1s);
    CHECK(o.answer == exit_state::terminate);
    CHECK_FALSE(o.report.has_value());
  }
  CHECK(t.state() == resource_state::online_pending);
  CHECK_FALSE(t.deadline().has_value());
}

TEST_CASE("a late success after terminate is not reported as Online") {
  resource_tracker t("db");
  REQUIRE(t.begin(operation_kind::online, t0));
  REQUIRE(t.request_stop(stop_reason::terminate_called) == stop_outcome::started);
  CHECK_FALSE(t.finish(1, pendop::ok(), t0 + 1s).has_value());
  auto fin = t.settle(stop_reason::terminate_called, t0 + 2s);
  REQUIRE(fin);
  CHECK(fin->final);
  CHECK(fin->state == resource_state::offline);
  CHECK(fin->reason == stop_reason::terminate_called);
  CHECK(fin->checkpoint == 1);
  CHECK(fin->error == pendop::errc::stopped);
  CHECK(fin->error_text == "Online stopped: terminate_called");
  CHECK_FALSE(t.settle(stop_reason::terminate_called, t0 + 3s).has_value());
}

TEST_CASE("a second stop request is told another caller owns it") {
  resource_tracker t("db");
  REQUIRE(t.begin(operation_kind::offline, t0));  // Offline of Offline: settled at once
  REQUIRE(t.begin(operation_kind::online, t0));
  CHECK(t.request_stop(stop_reason::shutdown) == stop_outcome::started);
  CHECK(t.request_stop(stop_reason::terminate_called) == stop_outcome::already_stopping);
  auto fin = t.settle(stop_reason::terminate_called, t0);
  REQUIRE(fin);
  CHECK(fin->reason == stop_reason::shutdown);  // the latched reason wins
  CHECK(t.request_stop(stop_reason::terminate_called) == stop_outcome::nothing_pending);
}

TEST_CASE("a pending timeout is detected once at the deadline and ends in Failed") {
  resource_tracker t("db", 180s);
  REQUIRE(t.begin(operation_kind::online, t0));
  CHECK_FALSE(t.poll_timeout(t0 + 179s));
  CHECK(t.poll_timeout(t0 + 180s));
  CHECK_FALSE(t.poll_timeout(t0 + 181s));
  REQUIRE(t.request_stop(stop_reason::pending_timeout) == stop_outcome::started);
  auto fin = t.settle(stop_reason::pending_timeout, t0 + 181s);
  REQUIRE(fin);
  CHECK(fin->state == resource_state::failed);
  CHECK(fin->reason == stop_reason::pending_timeout);
}

TEST_CASE("no timeout after completion") {
  resource_tracker t("db", 10s);
  REQUIRE(t.begin(operation_kind::online, t0));
  REQUIRE(t.finish(1, pendop::ok(), t0 + 1s));
  CHECK_FALSE(t.poll_timeout(t0 + 1h));
}

TEST_CASE("a stale worker of an earlier operation is told to terminate") {
  resource_tracker t("db");
  REQUIRE(t.begin(operation_kind::online, t0));
  REQUIRE(t.request_stop(stop_reason::terminate_called) == stop_outcome::started);
  REQUIRE(t.settle(stop_reason::terminate_called, t0));
  REQUIRE(t.begin(operation_kind::online, t0 + 1s));  // operation 2
  CHECK(t.report(1, {}, t0 + 2s).answer == exit_state::terminate);
  CHECK_FALSE(t.finish(1, pendop::ok(), t0 + 2s).has_value());
  CHECK(t.report(2, {}, t0 + 2s).answer == exit_state::proceed);
  CHECK(t.state() == resource_state::online_pending);
}

TEST_CASE("terminate with nothing pending forces an Online resource Offline, once") {
  resource_tracker t("db", 180s, resource_state::online);
  REQUIRE(t.request_stop(stop_reason::terminate_called) == stop_outcome::nothing_pending);
  auto r = t.settle(stop_reason::terminate_called, t0);
  REQUIRE(r);
  CHECK(r->state == resource_state::offline);
  CHECK(r->operation == 0);
  CHECK_FALSE(t.settle(stop_reason::terminate_called, t0).has_value());
}

TEST_CASE("checkpoints restart at 0 for each operation") {
  resource_tracker t("db");
  REQUIRE(t.begin(operation_kind::online, t0));
  (void)t.report(1, {}, t0);
  REQUIRE(t.finish(1, pendop::ok(), t0));
  auto off = t.begin(operation_kind::offline, t0);
  REQUIRE(off);
  CHECK(off->checkpoint == 0);
  CHECK(off->operation == 2);
  CHECK(off->kind == operation_kind::offline);
  CHECK(t.report(2, {}, t0).report->checkpoint == 1);
}

TEST_CASE("an operation limit times out a busy operation however often it reports") {
  resource_tracker t("db", 180s);
  t.set_operation_limit(60s);
  REQUIRE(t.begin(operation_kind::online, t0));
  CHECK(t.deadline() == t0 + 60s);
  CHECK(t.time_left(t0 + 20s) == 40s);
  for (int i = 1; i <= 5; ++i) {
    (void)t.report(1, {}, t0 + i * 10s);
    CHECK(t.deadline() == t0 + 60s);  // reports do not move the limit
  }
  CHECK_FALSE(t.poll_timeout(t0 + 60s - 1ns));
  CHECK(t.poll_timeout(t0 + 60s));
}

TEST_CASE("without an operation limit the deadline is PendingTimeout's") {
  resource_tracker t("db", 30s);
  REQUIRE(t.begin(operation_kind::online, t0));
  CHECK(t.deadline() == t0 + 30s);
  (void)t.report(1, {}, t0 + 20s);
  CHECK(t.deadline() == t0 + 50s);
}

}  // TEST_SUITE
