// SPDX-License-Identifier: MIT
// The thread lot's lingers, gaps and calm, on the real clock: who leaves
// when, to within tens of milliseconds. Linux only: those margins hold on a
// busy Linux machine, not under Wine with two test jobs beside it. The lot
// itself is the same on Windows, where the runner and monitor tests use it
// and tests/posix/win32_threads_test.cpp reuses a parked thread.
#include <pendop/posix/thread_lot.hpp>

#include <doctest/doctest.h>

#include "await_parked.hpp"
#include "count_latch.hpp"
#include "scripted_resource.hpp"
#include "thread_count_guard.hpp"

#include <chrono>
#include <future>
#include <memory>
#include <thread>

using namespace std::chrono_literals;
using pendop_test::await_parked;
using pendop::posix::thread_lot;
using pendop_test::gate;
using pendop_test::thread_count_guard;

TEST_SUITE("posix/thread_lot") {

TEST_CASE("threads whose linger is over leave a gap apart and stay reusable until their turn") {
  thread_count_guard threads;
  constexpr auto gap = 400ms;
  auto lot = std::make_shared<thread_lot>(3, 10ms, gap);
  pendop_test::count_latch started(3);
  gate release;
  for (int i = 0; i < 3; ++i) {
    lot->start([&] {
      started.count_down();
      release.wait();
    });
  }
  started.wait();  // three threads, so three park
  const auto released = std::chrono::steady_clock::now();
  release.open();
  REQUIRE(await_parked(*lot, 2));  // the first leaves once the lot is a gap quiet ...
  REQUIRE(await_parked(*lot, 1));  // ... the next one a gap later
  CHECK(std::chrono::steady_clock::now() - released >= gap);
  // The last is waiting for its turn, and still takes a job meanwhile.
  std::promise<void> ran;
  lot->start([&] { ran.set_value(); });
  CHECK(ran.get_future().wait_for(5s) == std::future_status::ready);
  lot.reset();
}

namespace {

// Parks two threads in `lot` (started at once, so both park).
void park_two(thread_lot& lot) {
  pendop_test::count_latch started(2);
  gate release;
  for (int i = 0; i < 2; ++i) {
    lot.start([&] {
      started.count_down();
      release.wait();
    });
  }
  started.wait();
  release.open();
  REQUIRE(await_parked(lot, 2));
}

// Keeps `lot` busy until `until`: a short job every `pause`, which the newest
// parked thread takes and parks again. False as soon as one of the two
// parked threads has left (after a job, they are not both back within
// 300 ms).
bool busy_keeps_both(thread_lot& lot, std::chrono::steady_clock::time_point until,
                     std::chrono::milliseconds pause = 10ms) {
  while (std::chrono::steady_clock::now() < until) {
    std::promise<void> ran;
    lot.start([&] { ran.set_value(); });
    REQUIRE(ran.get_future().wait_for(5s) == std::future_status::ready);
    const auto give_up = std::chrono::steady_clock::now() + 300ms;
    while (lot.parked() != 2 && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(1ms);
    }
    if (lot.parked() != 2) return false;
    std::this_thread::sleep_for(pause);
  }
  return true;
}

}  // namespace

TEST_CASE("a lot's threads do not leave while threads start and park, and leave once it is quiet") {
  thread_count_guard threads;
  // The linger ends 400 ms after parking; a busy lot would shed the oldest
  // only 400 ms after that. Traffic until 700 ms: past the linger by two
  // gaps, and no thread may leave meanwhile.
  auto lot = std::make_shared<thread_lot>(3, 400ms, 150ms);
  park_two(*lot);
  CHECK(busy_keeps_both(*lot, std::chrono::steady_clock::now() + 700ms));
  CHECK(await_parked(*lot, 0));  // quiet: both leave
}

TEST_CASE("each parked thread lingers from its own parking, not from becoming the oldest") {
  thread_count_guard threads;
  auto lot = std::make_shared<thread_lot>(2, 600ms);  // no gap: each leaves once its linger ends
  const auto t0 = std::chrono::steady_clock::now();
  gate first_release, second_release;
  lot->start([&] { first_release.wait(); });
  lot->start([&] { second_release.wait(); });
  first_release.open();
  REQUIRE(await_parked(*lot, 1));  // the first parks at about t0
  std::this_thread::sleep_for(300ms);
  second_release.open();
  REQUIRE(await_parked(*lot, 2));  // the second at about t0 + 300 ms
  const auto second_parked = std::chrono::steady_clock::now();
  REQUIRE(await_parked(*lot, 1));  // the first leaves at about t0 + 600 ms ...
  const auto first_left = std::chrono::steady_clock::now();
  CHECK(first_left >= t0 + 600ms);
  REQUIRE(await_parked(*lot, 0));  // ... and the second 300 ms later, not 600 ms
  const auto second_left = std::chrono::steady_clock::now();
  CHECK(second_left >= second_parked + 600ms - 50ms);  // lingered (it parked just before)
  CHECK(second_left < first_left + 550ms);
}

TEST_CASE("a lot's calm is no start or park for its calm time, however long its gap") {
  thread_count_guard threads;
  // Traffic every ~60 ms: longer than the gap (20 ms), shorter than the
  // calm (400 ms). Past the linger (1 s; the busy pace would shed one only
  // a second after that), a lot that waited only for a gap without traffic
  // would let the oldest leave; this one keeps both until the traffic stops.
  auto lot = std::make_shared<thread_lot>(3, 1s, 20ms, 400ms);
  park_two(*lot);
  CHECK(busy_keeps_both(*lot, std::chrono::steady_clock::now() + 1500ms, 60ms));
  CHECK(await_parked(*lot, 0));  // calm: both leave
}

TEST_CASE("a lot that is never quiet still sheds its idle threads, slowly") {
  thread_count_guard threads;
  auto lot = std::make_shared<thread_lot>(3, 100ms, 1s);
  park_two(*lot);
  // Never a gap (1 s) without traffic: the oldest leaves by the busy pace,
  // a second after its linger ended, while the newest keeps working.
  const auto begun = std::chrono::steady_clock::now();
  CHECK_FALSE(busy_keeps_both(*lot, begun + 10s));
  CHECK(std::chrono::steady_clock::now() - begun >= 1s);
}

}  // TEST_SUITE
