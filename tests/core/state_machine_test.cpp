// SPDX-License-Identifier: MIT
#include <pendop/detail/state_machine.hpp>

#include <doctest/doctest.h>

#include <string>

using pendop::errc;
using pendop::resource_event;
using pendop::resource_state;
using pendop::verdict;

namespace {

using rs = resource_state;
using ev = resource_event;

struct row {
  rs from;
  ev event;
  verdict outcome;
  rs next;
  errc reason;
};

constexpr auto A = verdict::accepted;
constexpr auto I = verdict::ignored;
constexpr auto R = verdict::rejected;
constexpr errc none{};

// The whole table, written out independently of the implementation (docs/resapi.md, "States").
constexpr row k_table[] = {
    // online_requested: accepted from Offline, Failed, Initializing (MS-CMRP); busy while pending.
    {rs::unknown, ev::online_requested, R, rs::unknown, errc::invalid_state},
    {rs::initializing, ev::online_requested, A, rs::online_pending, none},
    {rs::online, ev::online_requested, R, rs::online, errc::invalid_state},
    {rs::offline, ev::online_requested, A, rs::online_pending, none},
    {rs::failed, ev::online_requested, A, rs::online_pending, none},
    {rs::online_pending, ev::online_requested, R, rs::online_pending, errc::operation_pending},
    {rs::offline_pending, ev::online_requested, R, rs::offline_pending, errc::operation_pending},
    // offline_requested
    {rs::unknown, ev::offline_requested, R, rs::unknown, errc::invalid_state},
    {rs::initializing, ev::offline_requested, A, rs::offline, none},
    {rs::online, ev::offline_requested, A, rs::offline_pending, none},
    {rs::offline, ev::offline_requested, A, rs::offline, none},  // settled at once
    {rs::failed, ev::offline_requested, A, rs::offline_pending, none},
    {rs::online_pending, ev::offline_requested, R, rs::online_pending, errc::operation_pending},
    {rs::offline_pending, ev::offline_requested, R, rs::offline_pending, errc::operation_pending},
    // progress_reported: only while pending (SetResourceStatus only after ERROR_IO_PENDING).
    {rs::unknown, ev::progress_reported, R, rs::unknown, errc::no_pending_operation},
    {rs::initializing, ev::progress_reported, R, rs::initializing, errc::no_pending_operation},
    {rs::online, ev::progress_reported, R, rs::online, errc::no_pending_operation},
    {rs::offline, ev::progress_reported, R, rs::offline, errc::no_pending_operation},
    {rs::failed, ev::progress_reported, R, rs::failed, errc::no_pending_operation},
    {rs::online_pending, ev::progress_reported, A, rs::online_pending, none},
    {rs::offline_pending, ev::progress_reported, A, rs::offline_pending, none},
    // completed
    {rs::unknown, ev::completed, R, rs::unknown, errc::no_pending_operation},
    {rs::initializing, ev::completed, R, rs::initializing, errc::no_pending_operation},
    {rs::online, ev::completed, R, rs::online, errc::no_pending_operation},
    {rs::offline, ev::completed, R, rs::offline, errc::no_pending_operation},
    {rs::failed, ev::completed, R, rs::failed, errc::no_pending_operation},
    {rs::online_pending, ev::completed, A, rs::online, none},
    {rs::offline_pending, ev::completed, A, rs::offline, none},
    // failed: a pending operation or a health check of an Online resource.
    {rs::unknown, ev::failed, R, rs::unknown, errc::invalid_state},
    {rs::initializing, ev::failed, R, rs::initializing, errc::invalid_state},
    {rs::online, ev::failed, A, rs::failed, none},
    {rs::offline, ev::failed, R, rs::offline, errc::invalid_state},
    {rs::failed, ev::failed, I, rs::failed, none},
    {rs::online_pending, ev::failed, A, rs::failed, none},
    {rs::offline_pending, ev::failed, A, rs::failed, none},
    // terminate_requested: "the resource goes offline at once" (Terminate's page); Failed stays Failed.
    {rs::unknown, ev::terminate_requested, A, rs::offline, none},
    {rs::initializing, ev::terminate_requested, I, rs::initializing, none},
    {rs::online, ev::terminate_requested, A, rs::offline, none},
    {rs::offline, ev::terminate_requested, I, rs::offline, none},
    {rs::failed, ev::terminate_requested, I, rs::failed, none},
    {rs::online_pending, ev::terminate_requested, A, rs::offline, none},
    {rs::offline_pending, ev::terminate_requested, A, rs::offline, none},
    // pending_timeout: Failed while pending; a stale timer elsewhere.
    {rs::unknown, ev::pending_timeout, I, rs::unknown, none},
    {rs::initializing, ev::pending_timeout, I, rs::initializing, none},
    {rs::online, ev::pending_timeout, I, rs::online, none},
    {rs::offline, ev::pending_timeout, I, rs::offline, none},
    {rs::failed, ev::pending_timeout, I, rs::failed, none},
    {rs::online_pending, ev::pending_timeout, A, rs::failed, none},
    {rs::offline_pending, ev::pending_timeout, A, rs::failed, none},
    // forced_down: a host leaves the resource Offline whatever it was, Failed included;
    // a pending operation must be stopped first.
    {rs::unknown, ev::forced_down, A, rs::offline, none},
    {rs::initializing, ev::forced_down, A, rs::offline, none},
    {rs::online, ev::forced_down, A, rs::offline, none},
    {rs::offline, ev::forced_down, I, rs::offline, none},
    {rs::failed, ev::forced_down, A, rs::offline, none},
    {rs::online_pending, ev::forced_down, R, rs::online_pending, errc::operation_pending},
    {rs::offline_pending, ev::forced_down, R, rs::offline_pending, errc::operation_pending},
};

}  // namespace

TEST_SUITE("core/state_machine") {

TEST_CASE("the table covers every (state, event) pair exactly once") {
  for (rs s : pendop::all_resource_states) {
    for (ev e : pendop::all_resource_events) {
      int rows = 0;
      for (const row& r : k_table) rows += (r.from == s && r.event == e) ? 1 : 0;
      CAPTURE(std::string(pendop::to_string(s)));
      CAPTURE(std::string(pendop::to_string(e)));
      CHECK(rows == 1);
    }
  }
}

TEST_CASE("every (state, event) pair matches the table") {
  for (const row& r : k_table) {
    CAPTURE(std::string(pendop::to_string(r.from)));
    CAPTURE(std::string(pendop::to_string(r.event)));
    const pendop::transition t = pendop::next(r.from, r.event);
    CHECK(pendop::to_string(t.outcome) == pendop::to_string(r.outcome));
    CHECK(pendop::to_string(t.next) == pendop::to_string(r.next));
    CHECK(t.reason == r.reason);
  }
}

TEST_CASE("a non-accepted event never changes the state") {
  for (rs s : pendop::all_resource_states) {
    for (ev e : pendop::all_resource_events) {
      const auto t = pendop::next(s, e);
      if (t.outcome != verdict::accepted) CHECK(t.next == s);
    }
  }
}

TEST_CASE("a full online/offline cycle walks the documented path") {
  rs s = rs::offline;
  for (ev e : {ev::online_requested, ev::progress_reported, ev::progress_reported, ev::completed,
               ev::offline_requested, ev::progress_reported, ev::completed}) {
    const auto t = pendop::next(s, e);
    REQUIRE(t.outcome == verdict::accepted);
    s = t.next;
  }
  CHECK(s == rs::offline);
}

TEST_CASE("a pending timeout fails, and the resource can be brought online again") {
  auto t = pendop::next(rs::online_pending, ev::pending_timeout);
  CHECK(t.next == rs::failed);
  t = pendop::next(t.next, ev::online_requested);
  CHECK(t.outcome == verdict::accepted);
  CHECK(t.next == rs::online_pending);
}

}  // TEST_SUITE
