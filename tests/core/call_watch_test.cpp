// SPDX-License-Identifier: MIT
// The DeadlockTimeout watch (pendop::call_watch), on made-up times.
#include <pendop/detail/call_watch.hpp>

#include <doctest/doctest.h>

using namespace std::chrono_literals;
using pendop::call_watch;

namespace {
const pendop::time_point t0{};
}

TEST_SUITE("core/call_watch") {

TEST_CASE("a call that returns in time is forgotten and never expires") {
  call_watch w;
  const auto id = w.begin("db", "IsAlive", t0 + 300s);
  CHECK(id != 0);
  CHECK(w.next_deadline() == t0 + 300s);
  const auto r = w.end(id);
  REQUIRE(r);
  CHECK(r->entry_point == "IsAlive");
  CHECK_FALSE(r->deadlocked);
  CHECK(w.expire(t0 + 1h).empty());
  CHECK_FALSE(w.next_deadline());
  CHECK(w.size() == 0);
}

TEST_CASE("calls expire once each, in deadline order, and return late afterwards") {
  call_watch w;
  const auto late = w.begin("db", "Terminate", t0 + 200s);
  const auto early = w.begin("web", "LooksAlive", t0 + 100s);
  const auto later = w.begin("db", "Online", t0 + 500s);
  CHECK(w.next_deadline() == t0 + 100s);
  CHECK(w.expire(t0 + 99s).empty());
  const auto first = w.expire(t0 + 200s);
  REQUIRE(first.size() == 2);
  CHECK(first[0].id == early);
  CHECK(first[0].resource == "web");
  CHECK(first[1].id == late);
  CHECK(first[1].entry_point == "Terminate");
  CHECK(w.expire(t0 + 200s).empty());  // reported once
  CHECK(w.next_deadline() == t0 + 500s);
  const auto r = w.end(late);
  REQUIRE(r);
  CHECK(r->deadlocked);  // a late return
  CHECK_FALSE(w.end(late));  // unknown now
  CHECK(w.end(later).has_value());
  CHECK(w.size() == 1);  // `early` is still stuck
}

TEST_CASE("calls with the same deadline are told apart") {
  call_watch w;
  const auto a = w.begin("a", "IsAlive", t0 + 10s);
  const auto b = w.begin("b", "IsAlive", t0 + 10s);
  CHECK(w.end(a).has_value());
  const auto expired = w.expire(t0 + 10s);
  REQUIRE(expired.size() == 1);
  CHECK(expired[0].id == b);
}

}  // TEST_SUITE
