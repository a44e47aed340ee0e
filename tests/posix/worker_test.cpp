// SPDX-License-Identifier: MIT
// ClusWorker parity of pendop::posix::worker (docs/resapi.md, "ClusWorker").
#include <pendop/posix/worker.hpp>

#include <pendop/posix/steady_time_source.hpp>
#include <pendop/posix/thread_lot.hpp>

#include <doctest/doctest.h>

#include "await_parked.hpp"
#include "scripted_resource.hpp"
#include "thread_count_guard.hpp"

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using pendop_test::await_parked;
using pendop::posix::worker;
using pendop_test::gate;
using pendop_test::thread_count_guard;

namespace {

// A body that sleeps "forever" but wakes at once on terminate.
worker::body sleeper(std::atomic<bool>& woke) {
  return [&woke](std::stop_token token) {
    pendop::posix::steady_time_source clock;
    const bool reached = clock.wait_until(token, clock.now() + 1h);
    woke = !reached;
  };
}

// A body that ignores terminate until the gate opens.
worker::body stubborn(gate& g) {
  return [&g](std::stop_token) {
    g.arrive();
    g.wait();
  };
}

}  // namespace

TEST_SUITE("posix/worker") {

TEST_CASE("create runs the body and terminate joins it") {
  thread_count_guard threads;
  worker w;
  std::atomic<bool> ran{false};
  gate g;
  REQUIRE(w.create([&](std::stop_token) {
    ran = true;
    g.arrive();
  }));
  g.await_arrival();
  w.terminate();
  CHECK(ran);
  CHECK_FALSE(w.running());
}

TEST_CASE("check_terminate is false until terminate is requested") {
  thread_count_guard threads;
  worker w;
  gate g;
  std::atomic<bool> seen_before{true};
  REQUIRE(w.create([&](std::stop_token token) {
    seen_before = token.stop_requested();
    g.arrive();
    g.wait();
  }));
  g.await_arrival();
  CHECK_FALSE(w.check_terminate());
  w.request_stop();
  CHECK(w.check_terminate());
  g.open();
  w.terminate();
  CHECK_FALSE(seen_before);
}

TEST_CASE("stop is observed within one interruptible wait") {
  thread_count_guard threads;
  worker w;
  std::atomic<bool> woke{false};
  REQUIRE(w.create(sleeper(woke)));
  w.terminate();  // would hang for an hour if the wait ignored the stop
  CHECK(woke);
}

TEST_CASE("the first terminate waits: a concurrent one returns without waiting") {
  thread_count_guard threads;
  worker w;
  gate body;
  REQUIRE(w.create(stubborn(body)));
  body.await_arrival();

  std::mutex mu;
  std::condition_variable cv;
  int returned = 0;
  auto call = [&] {
    w.terminate();
    std::lock_guard lk(mu);
    ++returned;
    cv.notify_all();
  };
  std::jthread a(call);
  std::jthread b(call);
  {
    std::unique_lock lk(mu);
    cv.wait(lk, [&] { return returned >= 1; });  // one caller gave up waiting
    CHECK(returned == 1);
  }
  CHECK(w.running());  // ... while the body still runs
  body.open();
  a.join();
  b.join();
  CHECK(returned == 2);
  CHECK_FALSE(w.running());
}

TEST_CASE("a worker that terminates itself does not deadlock") {
  thread_count_guard threads;
  worker w;
  std::atomic<bool> flag_after{false};
  gate done;
  REQUIRE(w.create([&](std::stop_token) {
    w.terminate();  // ClusWorkerTerminate from the worker thread itself
    flag_after = w.check_terminate();
    auto timed = w.terminate_for(1s);
    CHECK(timed.error().code == pendop::errc::invalid_state);
    done.arrive();
  }));
  done.await_arrival();
  w.terminate();
  CHECK(flag_after);
}

TEST_CASE("terminate_for reports a timed-out wait, then succeeds once the body ends") {
  thread_count_guard threads;
  worker w;
  gate body;
  REQUIRE(w.create(stubborn(body)));
  body.await_arrival();
  auto timed_out = w.terminate_for(20ms);
  REQUIRE_FALSE(timed_out);
  CHECK(timed_out.error().code == pendop::errc::wait_timeout);
  CHECK(timed_out.error().message == "worker still running after terminate and 20ms");
  CHECK(w.check_terminate());
  body.open();
  CHECK(w.terminate_for(30s));
  CHECK_FALSE(w.running());
}

TEST_CASE("terminate_for with wait_only does not set the terminate flag") {
  thread_count_guard threads;
  worker w;
  gate body;
  REQUIRE(w.create(stubborn(body)));
  body.await_arrival();
  auto r = w.terminate_for(10ms, /*wait_only=*/true);
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "worker still running after waiting 10ms");
  CHECK_FALSE(w.check_terminate());
  body.open();
  CHECK(w.terminate_for(30s, /*wait_only=*/true));
}

TEST_CASE("terminate_all stops many workers within one timeout") {
  thread_count_guard threads;
  worker a, b, c;
  std::atomic<bool> wa{false}, wb{false}, wc{false};
  REQUIRE(a.create(sleeper(wa)));
  REQUIRE(b.create(sleeper(wb)));
  REQUIRE(c.create(sleeper(wc)));
  worker* all[] = {&a, &b, &c};
  CHECK(worker::terminate_all(all, 30s));
  CHECK((wa && wb && wc));
}

TEST_CASE("terminate_all names how many workers are still running") {
  thread_count_guard threads;
  worker a, b;
  std::atomic<bool> wa{false};
  gate body;
  REQUIRE(a.create(sleeper(wa)));
  REQUIRE(b.create(stubborn(body)));
  body.await_arrival();
  worker* all[] = {&a, &b, nullptr};
  auto r = worker::terminate_all(all, 20ms);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == pendop::errc::wait_timeout);
  CHECK(r.error().message == "1 of 3 workers still running after 20ms");
  body.open();
  CHECK(worker::terminate_all(all, 30s));
}

TEST_CASE("a worker can be created again after it was terminated") {
  thread_count_guard threads;
  worker w;
  for (int i = 0; i < 5; ++i) {
    std::atomic<bool> woke{false};
    REQUIRE(w.create(sleeper(woke)));
    CHECK_FALSE(w.check_terminate());  // a fresh flag for every thread
    w.terminate();
    CHECK(woke);
  }
}

TEST_CASE("create refuses while the previous thread still runs") {
  thread_count_guard threads;
  worker w;
  gate body;
  REQUIRE(w.create(stubborn(body)));
  body.await_arrival();
  auto again = w.create([](std::stop_token) {});
  REQUIRE_FALSE(again);
  CHECK(again.error().code == pendop::errc::operation_pending);
  body.open();
  w.terminate();
}

TEST_CASE("create rejects an empty body") {
  worker w;
  auto r = w.create(worker::body{});
  REQUIRE_FALSE(r);
  CHECK(r.error().code == pendop::errc::invalid_argument);
  CHECK(r.error().message == "worker::create: the body is empty");
}

TEST_CASE("an exception escaping the body is caught and kept") {
  thread_count_guard threads;
  worker w;
  REQUIRE(w.create([](std::stop_token) { throw std::runtime_error("boom"); }));
  REQUIRE(w.terminate_for(30s, true));
  CHECK(w.last_exception() == "boom");
}

TEST_CASE("a detached zombie does not block its owner") {
  gate body;
  std::atomic<bool> finished{false};
  {
    worker w;
    REQUIRE(w.create([&](std::stop_token) {
      body.arrive();
      body.wait();
      finished = true;
    }));
    body.await_arrival();
    CHECK_FALSE(w.terminate_for(5ms));
    w.detach();
    CHECK_FALSE(w.terminate_for(0ms));  // still running: reported, not waited for
  }  // destroying the worker does not wait for the zombie
  CHECK_FALSE(finished);
  body.open();
  while (!finished) std::this_thread::yield();
}

}  // TEST_SUITE

TEST_SUITE("posix/worker") {

TEST_CASE("a worker destroyed on its own thread detaches instead of joining itself") {
  pendop_test::gate done;
  auto holder = std::make_shared<std::unique_ptr<worker>>(std::make_unique<worker>());
  worker* w = holder->get();
  REQUIRE(w->create([holder, &done](std::stop_token) mutable {
    holder->reset();  // the last owner lets go on the worker's own thread
    done.arrive();
  }));
  holder.reset();
  done.await_arrival();  // no std::terminate from a self-join
}

}  // TEST_SUITE

TEST_SUITE("posix/thread_lot") {

using pendop::posix::thread_lot;

TEST_CASE("a worker with a lot runs its next body on the parked thread of the last") {
  thread_count_guard threads;
  auto lot = std::make_shared<thread_lot>(1, 10s);
  worker w(lot);
  std::thread::id first, second;
  REQUIRE(w.create([&](std::stop_token) { first = std::this_thread::get_id(); }));
  REQUIRE(w.terminate_for(5s));
  REQUIRE(await_parked(*lot, 1));
  REQUIRE(w.create([&](std::stop_token) { second = std::this_thread::get_id(); }));
  REQUIRE(w.terminate_for(5s));
  CHECK(first == second);
  CHECK(first != std::this_thread::get_id());
}

TEST_CASE("a lot parks at most its capacity and the rest exit and destroying it frees all") {
  thread_count_guard threads;
  auto lot = std::make_shared<thread_lot>(2, 10s);
  std::vector<std::unique_ptr<worker>> workers;
  gate release;
  for (int i = 0; i < 4; ++i) {
    workers.push_back(std::make_unique<worker>(lot));
    REQUIRE(workers.back()->create([&](std::stop_token) { release.wait(); }));
  }
  release.open();
  for (auto& w : workers) REQUIRE(w->terminate_for(5s));
  CHECK(await_parked(*lot, 2));
  workers.clear();
  lot.reset();  // the parked threads exit; the guard sees the count back
}

TEST_CASE("a parked thread exits after the lot's linger") {
  thread_count_guard threads;
  auto lot = std::make_shared<thread_lot>(1, 20ms);
  worker w(lot);
  REQUIRE(w.create([](std::stop_token) {}));
  REQUIRE(w.terminate_for(5s));
  CHECK(await_parked(*lot, 0));  // parked, then gone after 20 ms
}

TEST_CASE("a body that ignores terminate on a lot's thread is abandoned and parks when done") {
  thread_count_guard threads;
  auto lot = std::make_shared<thread_lot>(1, 10s);
  worker w(lot);
  gate body;
  REQUIRE(w.create([&](std::stop_token) {
    body.arrive();
    body.wait();
  }));
  body.await_arrival();
  CHECK_FALSE(w.terminate_for(20ms));
  w.detach();
  REQUIRE(w.create([](std::stop_token) {}));  // a fresh thread: the zombie holds the other
  REQUIRE(w.terminate_for(5s));
  body.open();
  CHECK(await_parked(*lot, 1));  // the lot has one place: the zombie's thread or the other
}

}  // TEST_SUITE
