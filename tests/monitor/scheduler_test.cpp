// SPDX-License-Identifier: MIT
// The monitor's building blocks: virtual_scheduler and thread_pool_executor.
#include <pendop/posix/asio_scheduler.hpp>
#include <pendop/posix/thread_pool_executor.hpp>
#include <pendop/posix/virtual_scheduler.hpp>

#include <doctest/doctest.h>

#include "scripted_resource.hpp"

#include <atomic>
#include <future>
#include <memory>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using pendop::posix::thread_pool_executor;
using pendop::posix::virtual_scheduler;

TEST_SUITE("monitor/scheduler") {

TEST_CASE("virtual timers run in deadline order, same deadlines in scheduling order") {
  virtual_scheduler s;
  const auto t0 = s.now();
  std::vector<int> order;
  (void)s.schedule_at(t0 + 3s, [&] { order.push_back(3); });
  (void)s.schedule_at(t0 + 1s, [&] { order.push_back(1); });
  (void)s.schedule_at(t0 + 1s, [&] { order.push_back(2); });
  s.advance(2s);
  CHECK(order == std::vector<int>{1, 2});
  CHECK(s.now() == t0 + 2s);
  s.advance(1s);
  CHECK(order == std::vector<int>{1, 2, 3});
}

TEST_CASE("a cancelled virtual timer never runs") {
  virtual_scheduler s;
  bool ran = false;
  const auto id = s.schedule_at(s.now() + 1s, [&] { ran = true; });
  CHECK(s.cancel(id));
  CHECK_FALSE(s.cancel(id));
  s.advance(1h);
  CHECK_FALSE(ran);
  CHECK(s.pending_timers() == 0);
}

TEST_CASE("a timer scheduled by a timer for the same instant runs in the same advance") {
  virtual_scheduler s;
  int runs = 0;
  (void)s.schedule_at(s.now() + 1s, [&] {
    ++runs;
    (void)s.post([&] { ++runs; });
  });
  s.advance(1s);
  CHECK(runs == 2);
}

TEST_CASE("advance steps through sleepers: each wakes at its own deadline") {
  virtual_scheduler s;
  const auto t0 = s.now();
  std::vector<pendop::time_point> woke(2);
  auto sleeper = [&](int i, pendop::duration d) {
    s.begin_activity();  // before the thread starts, as a runner does: advance() waits for it
    return std::jthread([&, i, d](std::stop_token token) {
      (void)s.wait_until(token, t0 + d);
      woke[i] = s.now();
      s.end_activity();
    });
  };
  auto a = sleeper(0, 10s);
  auto b = sleeper(1, 25s);
  s.advance(60s);  // settles before each step: each thread reads the time it woke at
  a.join();
  b.join();
  CHECK(woke[0] == t0 + 10s);
  CHECK(woke[1] == t0 + 25s);
}

TEST_CASE("a stop request wakes a virtual sleeper without moving time") {
  virtual_scheduler s;
  const auto t0 = s.now();
  std::atomic<int> reached{-1};
  std::jthread t([&](std::stop_token token) {
    reached = s.wait_until(token, t0 + 1h) ? 1 : 0;
  });
  while (s.sleepers() == 0) std::this_thread::yield();
  t.request_stop();
  t.join();
  CHECK(reached == 0);
  CHECK(s.now() == t0);
}

TEST_CASE("the pool runs calls and grows past a call that blocks") {
  pendop_test::gate stuck;
  std::atomic<int> done{0};
  {
    thread_pool_executor pool(4, 2s);
    pool.execute([&] { stuck.wait(); });
    for (int i = 0; i < 10; ++i) pool.execute([&] { ++done; });
    while (done < 10) std::this_thread::yield();  // not held up by the blocked call
    CHECK(pool.threads() >= 2);
    CHECK(pool.threads() <= 4);
    stuck.open();
  }
  CHECK(done == 10);
}

TEST_CASE("the pool abandons a call stuck past join_wait instead of hanging") {
  pendop_test::gate stuck;
  std::atomic<bool> finished{false};
  {
    thread_pool_executor pool(2, 20ms);
    pool.execute([&] {
      stuck.wait();
      finished = true;
    });
    while (pool.busy() == 0) std::this_thread::yield();
  }  // returns after ~20 ms
  CHECK_FALSE(finished);
  stuck.open();
  while (!finished) std::this_thread::yield();
}

// A monitor's last reference can be dropped by one of its own timer
// callbacks; the scheduler then ends on its own thread and must not join it
// (that threw std::system_error out of a destructor: std::terminate).
TEST_CASE("an asio_scheduler released inside its own callback lets its thread go") {
  auto sched = std::make_shared<pendop::posix::asio_scheduler>();
  auto holder = std::make_shared<std::shared_ptr<pendop::posix::asio_scheduler>>(sched);
  std::promise<void> released;
  auto done = released.get_future();
  (void)sched->post([holder, &released] {
    holder->reset();  // the last reference: ~asio_scheduler on its own thread
    released.set_value();
  });
  sched.reset();
  REQUIRE(done.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
}

}  // TEST_SUITE
