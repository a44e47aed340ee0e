// SPDX-License-Identifier: MIT
// The monitor's building blocks: virtual_scheduler and thread_pool_executor.
#include <pendop/posix/asio_executor.hpp>
#include <pendop/posix/asio_scheduler.hpp>
#include <pendop/posix/thread_pool_executor.hpp>
#include <pendop/posix/virtual_scheduler.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <doctest/doctest.h>

#include "scripted_resource.hpp"

#include <atomic>
#include <future>
#include <memory>
#include <mutex>
#include <utility>
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

// Timed calls (execute_at): a thread of the pool waits for each itself.
namespace {
using steady = std::chrono::steady_clock;

// Waits up to 10 s for `done`; a slow machine only makes it take longer.
bool await_flag(const std::atomic<bool>& done) {
  const auto give_up = steady::now() + 10s;
  while (!done && steady::now() < give_up) std::this_thread::sleep_for(1ms);
  return done;
}
}  // namespace

TEST_CASE("timed calls run at their time, earliest first") {
  thread_pool_executor pool(4, 2s);
  std::mutex mu;
  std::vector<std::pair<char, steady::time_point>> ran;
  std::atomic<bool> last{false};
  const auto t0 = steady::now() + 200ms;  // all three added before the first is due
  const auto at = [&](char name, steady::duration after) {
    return pool.execute_at(t0 + after, [&, name] {
      std::lock_guard lk(mu);
      ran.emplace_back(name, steady::now());
      if (name == 'c') last = true;
    });
  };
  const auto c = at('c', 60ms);
  const auto a = at('a', 20ms);
  const auto b = at('b', 40ms);
  CHECK(a != 0);
  CHECK(b != 0);
  CHECK(c != 0);
  CHECK(a != b);
  REQUIRE(await_flag(last));
  std::lock_guard lk(mu);
  REQUIRE(ran.size() == 3);
  CHECK(ran[0].first == 'a');
  CHECK(ran[1].first == 'b');
  CHECK(ran[2].first == 'c');
  CHECK(ran[0].second >= t0 + 20ms);  // never early
  CHECK(ran[1].second >= t0 + 40ms);
  CHECK(ran[2].second >= t0 + 60ms);
}

TEST_CASE("a cancelled timed call never runs, and one that has started cannot be cancelled") {
  thread_pool_executor pool(4, 2s);
  std::atomic<bool> cancelled_ran{false};
  std::atomic<bool> started{false};
  std::atomic<bool> sentinel{false};
  pendop_test::gate hold;
  // Cancelled long before its time, however slow the machine (sanitizers).
  const auto t0 = steady::now() + 500ms;
  const auto dropped = pool.execute_at(t0, [&] { cancelled_ran = true; });
  CHECK(pool.timed() == 1);
  CHECK(pool.cancel(dropped));
  CHECK(pool.timed() == 0);
  CHECK_FALSE(pool.cancel(dropped));  // gone already
  const auto running = pool.execute_at(steady::now(), [&] {
    started = true;
    hold.wait();
  });
  REQUIRE(await_flag(started));
  CHECK_FALSE(pool.cancel(running));
  hold.open();
  (void)pool.execute_at(t0 + 50ms, [&] { sentinel = true; });  // due after the dropped one
  REQUIRE(await_flag(sentinel));
  CHECK_FALSE(cancelled_ran);
  CHECK_FALSE(pool.cancel(12345));  // never one of the pool's
}

TEST_CASE("a timed call stuck in resource code does not hold up the next one") {
  pendop_test::gate stuck;
  std::atomic<bool> first{false};
  std::atomic<bool> second{false};
  {
    thread_pool_executor pool(4, 2s);
    const auto t0 = steady::now() + 200ms;  // both added before the first is due
    // Both are waited for: the thread that waited for the first runs it
    // and gets stuck there.
    (void)pool.execute_at(t0 + 30ms, [&] {
      first = true;
      stuck.wait();
    });
    (void)pool.execute_at(t0 + 40ms, [&] { second = true; });
    REQUIRE(await_flag(first));
    // Another thread takes the second call over (after at most 100 ms).
    CHECK(await_flag(second));
    stuck.open();
  }
}

// The deputy takes a due call over only once that call has waited its
// grace; the thread running the previous call takes it when it returns.
// (It used to take any due call once its own wait, set by an earlier call,
// ran out, while a short call was running: the pool then had no idle thread
// and started one, which in a storm of stops became a thread per stop.)
TEST_CASE("a due timed call waits for the thread running the previous one, within the grace") {
  constexpr auto grace = 400ms;
  thread_pool_executor pool(4, 2s, grace);
  std::mutex mu;
  std::thread::id first_thread, second_thread;
  steady::time_point first_done{}, second_started{};
  std::atomic<bool> second{false};
  const auto t0 = steady::now() + 200ms;  // both added before the first is due
  // The deputy's wait, set while the first is the earliest, ends at
  // t0 + grace: the second is due by then (for 200 ms, under its grace) and
  // the first still runs (until t0 + 520 ms).
  (void)pool.execute_at(t0, [&] {
    std::this_thread::sleep_for(grace + 120ms);
    std::lock_guard lk(mu);
    first_thread = std::this_thread::get_id();
    first_done = steady::now();
  });
  (void)pool.execute_at(t0 + 200ms, [&] {
    {
      std::lock_guard lk(mu);
      second_thread = std::this_thread::get_id();
      second_started = steady::now();
    }
    second = true;
  });
  const auto threads = pool.threads();  // two idle ones, at least
  REQUIRE(await_flag(second));
  std::lock_guard lk(mu);
  CHECK(second_thread == first_thread);  // not a second thread ...
  CHECK(second_started >= first_done);   // ... after the first returned
  CHECK(pool.threads() == threads);      // and no helper started
}

TEST_CASE("a pool counts the threads it has started but that are not waiting yet") {
  // A timed call added right after construction finds the two threads that
  // were started up front still on their way to their first wait. They are
  // the leader and the deputy it needs: no more threads start for it, nor
  // for a call queued at the same moment.
  for (int round = 0; round < 20; ++round) {
    CAPTURE(round);
    thread_pool_executor pool(8, 2s);
    (void)pool.execute_at(steady::now() + 1h, [] {});
    std::atomic<bool> ran{false};
    pool.execute([&] { ran = true; });
    REQUIRE(await_flag(ran));
    CHECK(pool.threads() == 2);
  }
}

TEST_CASE("a pool destroyed with timed calls pending drops them at once") {
  std::atomic<bool> ran{false};
  const auto t0 = steady::now();
  {
    thread_pool_executor pool(2, 2s);
    REQUIRE(pool.execute_at(t0 + 1h, [&] { ran = true; }) != 0);
  }
  CHECK(steady::now() - t0 < 30s);  // not an hour
  CHECK_FALSE(ran);
}

TEST_CASE("an executor that cannot wait for a time says so") {
  pendop::posix::inline_executor inline_calls;
  bool ran = false;
  CHECK(inline_calls.execute_at(steady::now(), [&] { ran = true; }) == 0);
  CHECK_FALSE(ran);
  CHECK_FALSE(inline_calls.cancel(1));
}

// asio_scheduler: one Asio timer, armed for the earliest task.
TEST_CASE("an asio_scheduler runs a task added before the one it waits for at its own time") {
  pendop::posix::asio_scheduler sched;
  std::mutex mu;
  std::vector<std::pair<char, steady::time_point>> ran;
  std::atomic<bool> last{false};
  const auto t0 = steady::now();
  const auto record = [&](char name) {
    return [&, name] {
      std::lock_guard lk(mu);
      ran.emplace_back(name, steady::now());
      if (name == 'b') last = true;
    };
  };
  REQUIRE(sched.schedule_at(t0 + 600ms, record('b')) != 0);
  REQUIRE(sched.schedule_at(t0 + 100ms, record('a')) != 0);  // earlier than the armed one
  REQUIRE(await_flag(last));
  std::lock_guard lk(mu);
  REQUIRE(ran.size() == 2);
  CHECK(ran[0].first == 'a');
  CHECK(ran[0].second >= t0 + 100ms);  // never early ...
  CHECK(ran[0].second < t0 + 600ms);   // ... and not held until the later one
  CHECK(ran[1].second >= t0 + 600ms);
}

TEST_CASE("an asio_scheduler whose earliest task is cancelled runs the next at its time") {
  pendop::posix::asio_scheduler sched;
  std::atomic<bool> cancelled_ran{false};
  std::atomic<bool> next_ran{false};
  steady::time_point next_at{};
  const auto t0 = steady::now();
  const auto first = sched.schedule_at(t0 + 100ms, [&] { cancelled_ran = true; });
  REQUIRE(sched.schedule_at(t0 + 250ms, [&] {
    next_at = steady::now();
    next_ran = true;
  }) != 0);
  CHECK(sched.cancel(first));
  CHECK_FALSE(sched.cancel(first));  // once
  REQUIRE(await_flag(next_ran));
  CHECK(next_at >= t0 + 250ms);
  CHECK_FALSE(cancelled_ran);
}

TEST_CASE("an asio_scheduler runs tasks due together in the order added, and tasks they add") {
  pendop::posix::asio_scheduler sched;
  std::vector<int> order;  // touched only by tasks, which run one at a time
  std::atomic<bool> done{false};
  const auto at = steady::now() + 50ms;
  for (int i = 0; i < 5; ++i) {
    (void)sched.schedule_at(at, [&, i] {
      order.push_back(i);
      if (i == 4) {
        (void)sched.schedule_at(steady::now(), [&] {
          order.push_back(5);
          done = true;
        });
      }
    });
  }
  REQUIRE(await_flag(done));
  CHECK(order == std::vector<int>{0, 1, 2, 3, 4, 5});
}

TEST_CASE("timers on an io_context run by several threads run one at a time") {
  boost::asio::io_context io;
  auto guard = boost::asio::make_work_guard(io);
  std::vector<std::thread> threads;
  for (int i = 0; i < 3; ++i) threads.emplace_back([&] { io.run(); });
  std::atomic<int> inside{0};
  std::atomic<int> overlaps{0};
  std::atomic<int> ran{0};
  {
    auto sched = pendop::posix::make_asio_scheduler(io.get_executor());
    const auto t0 = steady::now() + 20ms;
    for (int i = 0; i < 200; ++i) {
      (void)sched->schedule_at(t0 + std::chrono::microseconds(i * 250 % 7000), [&] {
        if (inside.fetch_add(1) != 0) overlaps.fetch_add(1);
        std::this_thread::sleep_for(50us);
        inside.fetch_sub(1);
        ran.fetch_add(1);
      });
    }
    const auto give_up = steady::now() + 10s;
    while (ran < 200 && steady::now() < give_up) std::this_thread::sleep_for(1ms);
  }
  guard.reset();
  for (auto& t : threads) t.join();
  CHECK(ran == 200);
  CHECK(overlaps == 0);
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
