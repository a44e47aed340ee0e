// SPDX-License-Identifier: MIT
#include <pendop/posix/manual_time_source.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <thread>

using namespace std::chrono_literals;
using pendop::posix::manual_time_source;

TEST_SUITE("posix/manual_time_source") {

TEST_CASE("time moves only when advanced") {
  manual_time_source clock;
  const auto t = clock.now();
  CHECK(clock.now() == t);
  clock.advance(180s);
  CHECK(clock.now() == t + 180s);
}

TEST_CASE("a sleeper wakes when its deadline is reached, not before") {
  manual_time_source clock;
  std::atomic<int> result{-1};
  std::jthread sleeper([&](std::stop_token token) {
    result = clock.wait_until(token, clock.now() + 60s) ? 1 : 0;
  });
  clock.await_sleepers(1);
  clock.advance(59s);
  CHECK(clock.sleepers() == 1);  // still asleep: an advance short of the deadline wakes nobody for good
  clock.advance(1s);
  sleeper.join();
  CHECK(result == 1);
  CHECK(clock.sleepers() == 0);
}

TEST_CASE("a stop request wakes a sleeper with false") {
  manual_time_source clock;
  std::atomic<int> result{-1};
  std::jthread sleeper([&](std::stop_token token) {
    result = clock.wait_until(token, clock.now() + 1h) ? 1 : 0;
  });
  clock.await_sleepers(1);
  sleeper.request_stop();
  sleeper.join();
  CHECK(result == 0);
}

}  // TEST_SUITE
