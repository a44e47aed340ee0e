// SPDX-License-Identifier: MIT
#include <pendop/detail/pending_watchdog.hpp>

#include <doctest/doctest.h>

using namespace std::chrono_literals;
using pendop::pending_watchdog;
using status = pending_watchdog::status;

namespace {
const pendop::time_point t0 = pendop::time_point{} + 1000h;  // any made-up instant
}

TEST_SUITE("core/pending_watchdog") {

TEST_CASE("the default PendingTimeout is 180000 ms") {
  pending_watchdog w;
  CHECK(w.timeout() == 180'000ms);
  CHECK(pending_watchdog::default_timeout == 180'000ms);
}

TEST_CASE("an unarmed watchdog is idle and has no deadline") {
  pending_watchdog w(10s);
  CHECK(w.poll(t0) == status::idle);
  CHECK_FALSE(w.deadline().has_value());
  CHECK(w.time_left(t0) == pendop::duration::zero());
}

TEST_CASE("expiry happens at exactly the deadline, not a tick before") {
  pending_watchdog w(180s);
  w.arm(t0);
  REQUIRE(w.deadline() == t0 + 180s);
  CHECK(w.poll(t0 + 180s - 1ns) == status::running);
  CHECK(w.time_left(t0 + 180s - 1ns) == 1ns);
  CHECK(w.poll(t0 + 180s) == status::expired);
}

TEST_CASE("expired is answered once, then the watchdog is idle") {
  pending_watchdog w(10s);
  w.arm(t0);
  CHECK(w.poll(t0 + 11s) == status::expired);
  CHECK(w.poll(t0 + 12s) == status::idle);
  CHECK_FALSE(w.armed());
}

TEST_CASE("each report restarts the inactivity window") {
  pending_watchdog w(180s);
  w.arm(t0);
  // Reports every 60 s keep a 10-minute operation alive under a 3-minute PendingTimeout.
  for (int i = 1; i <= 10; ++i) {
    const auto now = t0 + i * 60s;
    CHECK(w.poll(now) == status::running);
    w.on_report(now);
    CHECK(w.deadline() == now + 180s);
  }
  CHECK(w.poll(t0 + 600s + 179s) == status::running);
  CHECK(w.poll(t0 + 600s + 180s) == status::expired);
}

TEST_CASE("no expiry after completion") {
  pending_watchdog w(10s);
  w.arm(t0);
  w.disarm();
  CHECK(w.poll(t0 + 1h) == status::idle);
}

TEST_CASE("a report after expiry does not revive the timer") {
  pending_watchdog w(10s);
  w.arm(t0);
  REQUIRE(w.poll(t0 + 10s) == status::expired);
  w.on_report(t0 + 11s);
  CHECK_FALSE(w.armed());
  CHECK(w.poll(t0 + 100s) == status::idle);
}

TEST_CASE("a new timeout applies from the next report") {
  pending_watchdog w(10s);
  w.arm(t0);
  w.set_timeout(30s);
  CHECK(w.deadline() == t0 + 10s);
  w.on_report(t0 + 5s);
  CHECK(w.deadline() == t0 + 35s);
}

}  // TEST_SUITE
