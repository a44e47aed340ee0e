// SPDX-License-Identifier: MIT
#include <pendop/detail/restart_policy.hpp>

#include <doctest/doctest.h>

using namespace std::chrono_literals;
using pendop::restart_action;
using pendop::restart_decision;
using pendop::restart_policy;
using action = restart_decision::action;

namespace {
const pendop::time_point t0 = pendop::time_point{} + 100h;

pendop::resource_properties props(restart_action a, std::uint32_t threshold,
                                  pendop::milliseconds period, pendop::milliseconds delay = 500ms,
                                  pendop::milliseconds retry = 3'600'000ms) {
  pendop::resource_properties p;
  p.restart = a;
  p.restart_threshold = threshold;
  p.restart_period = period;
  p.restart_delay = delay;
  p.retry_period_on_failure = retry;
  return p;
}
}  // namespace

TEST_SUITE("core/restart_policy") {

TEST_CASE("dont_restart leaves the resource Failed") {
  restart_policy p(props(restart_action::dont_restart, 3, 900s));
  auto d = p.on_failure(t0);
  CHECK(d.what == action::stay_failed);
  CHECK(d.why == "RestartAction is dont_restart");
}

TEST_CASE("failures up to the threshold restart after RestartDelay") {
  restart_policy p(props(restart_action::restart_notify, 3, 900s, 500ms));
  for (int i = 0; i < 3; ++i) {
    const auto now = t0 + i * 60s;
    auto d = p.on_failure(now);
    CHECK(d.what == action::restart);
    CHECK(d.at == now + 500ms);
    CHECK(d.failures_in_period == static_cast<std::size_t>(i + 1));
    CHECK_FALSE(d.escalate);
  }
}

TEST_CASE("the 4th failure within RestartPeriod escalates and waits RetryPeriodOnFailure") {
  restart_policy p(props(restart_action::restart_notify, 3, 900s, 500ms, 3'600s));
  for (int i = 0; i < 3; ++i) REQUIRE(p.on_failure(t0 + i * 1s).what == action::restart);
  auto d = p.on_failure(t0 + 3s);
  CHECK(d.what == action::retry_later);
  CHECK(d.escalate);
  CHECK(d.at == t0 + 3s + 3'600s);
  CHECK(d.failures_in_period == 4);
  CHECK(d.why ==
        "failure 4 exceeds RestartThreshold 3 within RestartPeriod 900000ms (fail over); one more "
        "attempt after RetryPeriodOnFailure 3600000ms");
}

TEST_CASE("restart_no_notify restarts the same way but never escalates") {
  restart_policy p(props(restart_action::restart_no_notify, 1, 900s));
  CHECK(p.on_failure(t0).what == action::restart);
  auto d = p.on_failure(t0 + 1s);
  CHECK(d.what == action::retry_later);
  CHECK_FALSE(d.escalate);
}

TEST_CASE("a failure exactly RestartPeriod old has left the window (the documented 200 ms example)") {
  SUBCASE("0, 100, 199 ms: the third failure is inside the window and escalates") {
    restart_policy p(props(restart_action::restart_notify, 2, 200ms));
    CHECK(p.on_failure(t0).what == action::restart);
    CHECK(p.on_failure(t0 + 100ms).what == action::restart);
    CHECK(p.on_failure(t0 + 199ms).what == action::retry_later);
  }
  SUBCASE("0, 100, 200 ms: the first failure has left the window") {
    restart_policy p(props(restart_action::restart_notify, 2, 200ms));
    CHECK(p.on_failure(t0).what == action::restart);
    CHECK(p.on_failure(t0 + 100ms).what == action::restart);
    auto d = p.on_failure(t0 + 200ms);
    CHECK(d.what == action::restart);
    CHECK(d.failures_in_period == 2);
  }
}

TEST_CASE("failures spread wider than RestartPeriod always restart") {
  restart_policy p(props(restart_action::restart_notify, 1, 60s));
  for (int i = 0; i < 10; ++i) CHECK(p.on_failure(t0 + i * 61s).what == action::restart);
}

TEST_CASE("threshold 0 escalates on the first failure") {
  restart_policy p(props(restart_action::restart_notify, 0, 900s));
  CHECK(p.on_failure(t0).what == action::retry_later);
}

TEST_CASE("a failed retry leaves the resource Failed until an admin acts") {
  restart_policy p(props(restart_action::restart_notify, 0, 900s));
  REQUIRE(p.on_failure(t0).what == action::retry_later);
  auto d = p.on_failure(t0 + 3'600s);
  CHECK(d.what == action::stay_failed);
  CHECK(d.why == "the retry after RetryPeriodOnFailure failed too; an admin Online is needed");
  p.reset();
  CHECK(p.on_failure(t0 + 3'700s).what == action::retry_later);
}

TEST_CASE("a retry that reached Online gives the resource a fresh start") {
  restart_policy p(props(restart_action::restart_notify, 1, 60s, 500ms, 120s));
  REQUIRE(p.on_failure(t0).what == action::restart);
  REQUIRE(p.on_failure(t0 + 1s).what == action::retry_later);
  p.on_online();  // the retry at t0 + 121 s succeeded
  CHECK(p.on_failure(t0 + 200s).what == action::restart);
}

TEST_CASE("RetryPeriodOnFailure 0xFFFFFFFF means never retry") {
  restart_policy p(props(restart_action::restart_notify, 0, 900s, 500ms,
                         pendop::milliseconds(pendop::dword_max)));
  auto d = p.on_failure(t0);
  CHECK(d.what == action::stay_failed);
  CHECK(d.escalate);
  CHECK(d.why.ends_with("RetryPeriodOnFailure is infinite"));
}

TEST_CASE("failures_in_period counts only the window") {
  restart_policy p(props(restart_action::restart_notify, 10, 60s));
  (void)p.on_failure(t0);
  (void)p.on_failure(t0 + 30s);
  CHECK(p.failures_in_period(t0 + 30s) == 2);
  CHECK(p.failures_in_period(t0 + 60s) == 1);
  CHECK(p.failures_in_period(t0 + 90s) == 0);
}

}  // TEST_SUITE
