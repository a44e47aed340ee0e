// SPDX-License-Identifier: MIT
// The OS tuning of pendop's own threads (Linux): a thread leaving a lot
// gives way, a reused one keeps its priority, call threads wake on time, a
// lot of many threads sizes the futex hash for them, and the process fence
// the engine's delivery turns pair with works, in a forked child as well.
#include <pendop/platform/futex_hash.hpp>
#include <pendop/platform/process_fence.hpp>
#include <pendop/posix/thread_lot.hpp>
#include <pendop/posix/thread_pool_executor.hpp>
#include <pendop/platform/thread_priority.hpp>
#include <pendop/platform/timer_slack.hpp>

#include <doctest/doctest.h>

#include "await_parked.hpp"

#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <latch>
#include <memory>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using pendop_test::await_parked;
using pendop::posix::thread_lot;

namespace {

int my_nice() { return ::getpriority(PRIO_PROCESS, 0); }
long my_timer_slack() { return ::prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0); }

}  // namespace

TEST_CASE("a thread that lowers its priority runs at nice 19 and the others keep theirs") {
  const int mine = my_nice();
  int lowered = 0;
  std::thread([&] {
    pendop::platform::lower_current_thread_priority();
    lowered = my_nice();
  }).join();
  CHECK(lowered == 19);
  CHECK(my_nice() == mine);  // per thread, not per process
}

TEST_CASE("a thread with precise timers has the minimum timer slack") {
  const long mine = my_timer_slack();
  long precise = 0;
  std::thread([&] {
    pendop::platform::make_current_thread_timers_precise();
    precise = my_timer_slack();
  }).join();
  CHECK(precise == 1);
  CHECK(my_timer_slack() == mine);
}

TEST_CASE("a call on a thread pool runs with the minimum timer slack") {
  pendop::posix::thread_pool_executor pool(2, 2s);
  std::promise<long> slack;
  pool.execute([&] { slack.set_value(my_timer_slack()); });
  auto got = slack.get_future();
  REQUIRE(got.wait_for(5s) == std::future_status::ready);
  CHECK(got.get() == 1);
}

TEST_CASE("a job on a lot's parked thread keeps the normal priority") {
  const int mine = my_nice();
  auto lot = std::make_shared<thread_lot>(1, 10s);
  std::promise<std::thread::id> first_id;
  lot->start([&] { first_id.set_value(std::this_thread::get_id()); });
  const auto first = first_id.get_future().get();
  REQUIRE(await_parked(*lot, 1));
  std::promise<std::pair<std::thread::id, int>> second;
  lot->start([&] { second.set_value({std::this_thread::get_id(), my_nice()}); });
  const auto [id, nice] = second.get_future().get();
  CHECK(id == first);  // the same thread, reused ...
  CHECK(nice == mine);  // ... at the priority it started with
}

TEST_CASE("the futex hash only grows and is rounded up to a power of two") {
  // One thread started: the kernel has given the process its private hash.
  std::thread([] {}).join();
  const std::size_t before = pendop::platform::futex_hash_slots();
  if (before == 0) {
    MESSAGE("no private futex hash here (Linux before 6.16): nothing to size");
    CHECK(pendop::platform::reserve_futex_hash(4096) == 0);
    return;
  }
  CHECK(pendop::platform::reserve_futex_hash(3000) == 4096);
  CHECK(pendop::platform::futex_hash_slots() == 4096);
  CHECK(pendop::platform::reserve_futex_hash(64) == 4096);  // never shrinks
  CHECK(pendop::platform::futex_hash_slots() == 4096);
}

TEST_CASE("a lot asked to grow the futex hash to two buckets per thread as its threads double") {
  std::thread([] {}).join();
  if (pendop::platform::futex_hash_slots() == 0) {
    MESSAGE("no private futex hash here (Linux before 6.16): nothing to size");
    return;
  }
  REQUIRE(pendop::platform::futex_hash_slots() < 256);  // the kernel's default for a few CPUs
  constexpr int threads = 128;
  std::latch started(threads);
  std::latch release(1);
  {
    auto lot = std::make_shared<thread_lot>(threads, 10s, 0ms, 0ms, /*grow_futex_hash=*/true);
    for (int i = 0; i < threads; ++i) {
      lot->start([&] {
        started.count_down();
        release.wait();
      });
    }
    started.wait();  // 128 threads, each blocked at once
    CHECK(pendop::platform::futex_hash_slots() >= 2 * threads);
    release.count_down();
    REQUIRE(await_parked(*lot, threads));
  }
}

TEST_CASE("a lot leaves the process's futex hash alone unless asked") {
  std::thread([] {}).join();
  const std::size_t before = pendop::platform::futex_hash_slots();
  if (before == 0) {
    MESSAGE("no private futex hash here (Linux before 6.16): nothing to size");
    return;
  }
  constexpr int threads = 128;
  std::latch started(threads);
  std::latch release(1);
  {
    auto lot = std::make_shared<thread_lot>(threads, 10s);
    for (int i = 0; i < threads; ++i) {
      lot->start([&] {
        started.count_down();
        release.wait();
      });
    }
    started.wait();
    CHECK(pendop::platform::futex_hash_slots() == before);
    release.count_down();
    REQUIRE(await_parked(*lot, threads));
  }
}

TEST_CASE("the process fence is ready on Linux, and a forked child registers it again") {
  if (!pendop::platform::process_fence_ready()) {
    MESSAGE("membarrier's private expedited command is not available here: engines pair full fences");
    return;
  }
  pendop::platform::process_fence();  // returns: the registration took
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    pendop::platform::process_fence();  // aborts if it cannot register again
    ::_exit(0);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}
