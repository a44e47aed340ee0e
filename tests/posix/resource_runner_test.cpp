// SPDX-License-Identifier: MIT
// The resource-side rules of docs/design.md, on pendop::posix::resource_runner.
// Timing rules run on a virtual_scheduler; no test sleeps.
#include <pendop/posix/resource_runner.hpp>

#include <pendop/posix/asio_scheduler.hpp>
#include <pendop/posix/call_executor.hpp>
#include <pendop/posix/thread_pool_executor.hpp>
#include <pendop/posix/virtual_scheduler.hpp>

#include <doctest/doctest.h>

#include "scripted_resource.hpp"
#include "thread_count_guard.hpp"

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using pendop::exit_state;
using pendop::resource_state;
using pendop::stop_reason;
using pendop::posix::virtual_scheduler;
using pendop::posix::resource_runner;
using pendop::posix::runner_options;
using pendop_test::gate;
using pendop_test::report_log;
using pendop_test::scripted_resource;
using pendop_test::thread_count_guard;

namespace {

runner_options named_on(std::shared_ptr<virtual_scheduler> clock) {
  runner_options o;
  o.name = "db";
  o.clock = std::move(clock);
  return o;
}

struct fixture {
  std::shared_ptr<virtual_scheduler> clock = std::make_shared<virtual_scheduler>();
  report_log log;

  resource_runner make(std::shared_ptr<scripted_resource> res, runner_options o = {}) {
    o.name = "db";
    o.clock = clock;
    auto r = resource_runner::create(std::move(res), log.sink(), std::move(o));
    REQUIRE(r);
    return std::move(*r);
  }
};

// A runner on real time and threads, reporting to `sink`.
template <typename Sink>
resource_runner real_time_runner(std::shared_ptr<scripted_resource> res, Sink& sink) {
  runner_options o;
  o.name = "db";
  auto runner = resource_runner::create(std::move(res), std::ref(sink), std::move(o));
  REQUIRE(runner);
  return std::move(*runner);
}

// Checks the per-operation invariants over a whole report log: checkpoints
// count up from 0, exactly one final report, nothing after it.
void check_invariants(const std::vector<pendop::status_report>& reports) {
  std::map<std::uint64_t, std::vector<pendop::status_report>> by_op;
  for (const auto& r : reports) {
    if (r.operation != 0) by_op[r.operation].push_back(r);
  }
  for (const auto& [id, rs] : by_op) {
    CAPTURE(id);
    REQUIRE_FALSE(rs.empty());
    for (std::size_t i = 0; i < rs.size(); ++i) CHECK(rs[i].checkpoint == i);
    for (std::size_t i = 0; i + 1 < rs.size(); ++i) CHECK_FALSE(rs[i].final);
    CHECK(rs.back().final);
  }
}

}  // namespace

TEST_SUITE("posix/resource_runner") {

TEST_CASE("progress reports arrive in order with rising checkpoints") {
  thread_count_guard threads;
  fixture f;
  auto res = std::make_shared<scripted_resource>([](pendop::operation& op) {
    for (int i = 1; i <= 4; ++i) {
      if (op.report({.stage = "step", .percent = i * 25, .text = "working"}) ==
          exit_state::terminate) {
        return pendop::ok();
      }
    }
    return pendop::ok();
  });
  auto runner = f.make(res);
  REQUIRE(runner.online());
  f.log.await_finals(1);
  const auto reports = f.log.reports();
  REQUIRE(reports.size() == 6);
  check_invariants(reports);
  CHECK(reports[4].progress.percent == 100);
  CHECK(reports[4].progress.stage == "step");
  CHECK(reports[5].state == resource_state::online);
}

TEST_CASE("a terminate racing a stream of reports: each delivered alone and in order, the final last") {
  // The sink lingers inside some deliveries, so the stop often comes while
  // a report is in the channel.
  for (int round = 0; round < 200; ++round) {
    CAPTURE(round);
    std::mutex mu;
    std::vector<pendop::status_report> seen;
    std::atomic<int> inside{0};
    std::atomic<bool> overlapped{false};
    auto sink = [&](const pendop::status_report& r) {
      if (inside.fetch_add(1) != 0) overlapped = true;
      if (r.checkpoint % 3 == 1) {
        for (int i = 0; i < 50; ++i) std::this_thread::yield();
      }
      {
        std::lock_guard lk(mu);
        seen.push_back(r);
      }
      inside.fetch_sub(1);
    };
    std::atomic<int> reports{0};
    auto res = std::make_shared<scripted_resource>([&](pendop::operation& op) {
      while (op.report({.stage = "copy", .text = "block"}) == exit_state::proceed) ++reports;
      return pendop::ok();
    });
    auto runner = real_time_runner(res, sink);
    REQUIRE(runner.online());
    const int after = round % 7;
    while (reports.load() < after) std::this_thread::yield();
    runner.terminate(stop_reason::terminate_called);
    std::vector<pendop::status_report> got;
    {
      std::lock_guard lk(mu);
      got = seen;
    }
    CHECK_FALSE(overlapped.load());
    REQUIRE_FALSE(got.empty());
    check_invariants(got);
    CHECK(got.back().state == resource_state::offline);
    CHECK(got.back().reason == stop_reason::terminate_called);
  }
}

TEST_CASE("wait_idle racing the final report's delivery returns once the sink has it") {
  // The waiter comes while the final report is in the sink (which lingers),
  // so it waits for the delivery's turn to end and must be woken by it.
  for (int round = 0; round < 300; ++round) {
    CAPTURE(round);
    std::atomic<bool> final_seen{false};
    std::atomic<bool> in_final{false};
    auto sink = [&](const pendop::status_report& r) {
      if (!r.final) return;
      in_final = true;
      for (int i = 0; i < round % 50; ++i) std::this_thread::yield();
      final_seen = true;
    };
    auto res = std::make_shared<scripted_resource>([&](pendop::operation& op) {
      for (int i = 0; i < round % 5; ++i) (void)op.report({.stage = "step"});
      return pendop::ok();
    });
    auto runner = real_time_runner(res, sink);
    REQUIRE(runner.online());
    if (round % 2 == 0) {
      while (!in_final.load()) std::this_thread::yield();
    }
    REQUIRE(runner.wait_idle(10s));
    CHECK(final_seen.load());
  }
}

TEST_CASE("a full Online then Offline cycle") {
  thread_count_guard threads;
  fixture f;
  auto runner = f.make(std::make_shared<scripted_resource>());
  REQUIRE(runner.online());
  f.log.await_finals(1);
  auto off = runner.offline();
  REQUIRE(off);
  CHECK(*off == resource_state::offline_pending);
  f.log.await_finals(2);
  CHECK(runner.state() == resource_state::offline);
  check_invariants(f.log.reports());
}

TEST_CASE("a second Online while one is pending is refused and changes nothing") {
  thread_count_guard threads;
  fixture f;
  gate body;
  auto runner = f.make(std::make_shared<scripted_resource>([&](pendop::operation&) {
    body.wait();
    return pendop::ok();
  }));
  REQUIRE(runner.online());
  auto again = runner.online();
  REQUIRE_FALSE(again);
  CHECK(again.error().code == pendop::errc::operation_pending);
  CHECK(again.error().message ==
        "Online rejected: resource \"db\" is OnlinePending (operation 1 is still pending)");
  auto off = runner.offline();
  REQUIRE_FALSE(off);
  CHECK(off.error().code == pendop::errc::operation_pending);
  CHECK(runner.state() == resource_state::online_pending);
  body.open();
  f.log.await_finals(1);
  CHECK(f.log.reports().size() == 2);
}

TEST_CASE("wait_idle returns once the final report has reached the sink, not before") {
  auto clock = std::make_shared<virtual_scheduler>();
  gate in_sink;
  std::atomic<bool> finals{false};
  auto made = resource_runner::create(
      std::make_shared<scripted_resource>(),
      [&](const pendop::status_report& r) {
        if (!r.final) return;
        in_sink.arrive();
        in_sink.wait();  // the host is slow to take the final report
        finals = true;
      },
      named_on(clock));
  REQUIRE(made);
  auto& runner = *made;
  REQUIRE(runner.online());
  in_sink.await_arrival();  // the Online is over for the runner ...
  CHECK(runner.state() == resource_state::online);
  CHECK_FALSE(runner.wait_idle(50ms));  // ... but its host does not have it yet
  in_sink.open();
  CHECK(runner.wait_idle(30s));
  CHECK(finals);
}

TEST_CASE("wait_idle from inside the sink does not wait for its own delivery") {
  auto clock = std::make_shared<virtual_scheduler>();
  resource_runner* self = nullptr;
  std::atomic<bool> waited{false};
  std::atomic<bool> idle{false};
  gate done;
  auto made = resource_runner::create(
      std::make_shared<scripted_resource>(),
      [&](const pendop::status_report& r) {
        if (!r.final) return;
        const auto t0 = std::chrono::steady_clock::now();
        idle = self->wait_idle(30s);
        waited = std::chrono::steady_clock::now() - t0 < 10s;
        done.open();
      },
      named_on(clock));
  REQUIRE(made);
  self = &*made;
  REQUIRE(made->online());
  done.wait();
  CHECK(idle);
  CHECK(waited);  // not the 30 s of a wait for itself
}

TEST_CASE("a success returned after terminate is not reported as Online") {
  thread_count_guard threads;
  fixture f;
  gate body;
  auto res = std::make_shared<scripted_resource>([&](pendop::operation& op) {
    body.arrive();
    body.wait();  // ignores the stop flag for a while
    CHECK(op.stop_requested());
    CHECK(op.reason() == stop_reason::terminate_called);
    CHECK(op.time_left() == pendop::duration::zero());
    return pendop::ok();
  });
  auto runner = f.make(res);
  REQUIRE(runner.online());
  body.await_arrival();
  std::jthread terminator([&] { runner.terminate(); });
  while (!(res->terminates > 0)) std::this_thread::yield();  // terminate has latched the stop
  body.open();
  terminator.join();
  f.log.await_finals(1);
  for (const auto& r : f.log.reports()) CHECK(r.state != resource_state::online);
  CHECK(runner.state() == resource_state::offline);
}

TEST_CASE("a body that throws ends in Failed with the exception text") {
  thread_count_guard threads;
  fixture f;
  auto runner = f.make(std::make_shared<scripted_resource>(
      [](pendop::operation&) -> pendop::result<void> { throw std::runtime_error("disk gone"); }));
  REQUIRE(runner.online());
  f.log.await_finals(1);
  const auto fin = f.log.reports().back();
  CHECK(fin.state == resource_state::failed);
  CHECK(fin.error == pendop::errc::worker_threw);
  CHECK(fin.error_text == "Online threw: disk gone");
  CHECK(runner.state() == resource_state::failed);
}

TEST_CASE("a body that throws a non-standard exception ends in Failed") {
  thread_count_guard threads;
  fixture f;
  auto runner = f.make(std::make_shared<scripted_resource>(
      [](pendop::operation&) -> pendop::result<void> { throw 42; }));
  REQUIRE(runner.online());
  f.log.await_finals(1);
  CHECK(f.log.reports().back().error_text ==
        "Online threw an exception not derived from std::exception");
}

TEST_CASE("a body that returns an error ends in Failed with its message") {
  thread_count_guard threads;
  fixture f;
  auto runner = f.make(std::make_shared<scripted_resource>([](pendop::operation&) {
    return pendop::result<void>(
        pendop::make_error(pendop::errc::operation_failed, "port 5432 in use"));
  }));
  REQUIRE(runner.online());
  f.log.await_finals(1);
  const auto fin = f.log.reports().back();
  CHECK(fin.state == resource_state::failed);
  CHECK(fin.error == pendop::errc::operation_failed);
  CHECK(fin.error_text == "Online failed: port 5432 in use");
  // A Failed resource can be brought online again.
  CHECK(runner.online());
  f.log.await_finals(2);
}

TEST_CASE("reports every 60 s keep an operation alive under a 180 s PendingTimeout") {
  thread_count_guard threads;
  fixture f;
  auto res = std::make_shared<scripted_resource>([](pendop::operation& op) {
    for (int i = 0; i < 10; ++i) {
      if (!op.wait_for(60s)) return pendop::ok();
      if (op.report({.stage = "copy", .percent = (i + 1) * 10}) == exit_state::terminate)
        return pendop::ok();
    }
    return pendop::ok();
  });
  auto runner = f.make(res);
  REQUIRE(runner.online());
  for (std::size_t i = 1; i <= 10; ++i) {
    f.clock->settle();
    CHECK_FALSE(runner.check_pending_timeout());
    f.clock->advance(60s);
    f.log.await_count(i + 1);
  }
  f.log.await_finals(1);
  CHECK(runner.state() == resource_state::online);  // 600 s in all, never timed out
}

TEST_CASE("no report within PendingTimeout: terminate, Failed, reason pending_timeout") {
  thread_count_guard threads;
  fixture f;
  runner_options o;
  o.properties.pending_timeout = 180s;
  std::atomic<int> reason{-1};
  auto res = std::make_shared<scripted_resource>([&](pendop::operation& op) {
    (void)op.wait_for(24h);  // never reports
    reason = static_cast<int>(op.reason());
    return pendop::ok();
  });
  auto runner = f.make(res, o);
  REQUIRE(runner.online());
  f.clock->settle();
  f.clock->advance(179s);
  CHECK_FALSE(runner.check_pending_timeout());
  f.clock->advance(1s);
  CHECK(runner.check_pending_timeout());
  const auto fin = f.log.reports().back();
  CHECK(fin.final);
  CHECK(fin.state == resource_state::failed);
  CHECK(fin.reason == stop_reason::pending_timeout);
  CHECK(reason == static_cast<int>(stop_reason::pending_timeout));
  CHECK(res->terminates == 1);
}

// With timers the runner enforces its own deadline: nobody polls.
struct timed_fixture {
  std::shared_ptr<pendop::posix::virtual_scheduler> clock =
      std::make_shared<pendop::posix::virtual_scheduler>();
  report_log log;

  resource_runner make(std::shared_ptr<scripted_resource> res, runner_options o = {}) {
    o.name = "db";
    o.timers = clock;
    o.tuning.stops = std::make_shared<pendop::posix::inline_executor>();
    auto r = resource_runner::create(std::move(res), log.sink(), std::move(o));
    REQUIRE(r);
    return std::move(*r);
  }
};

TEST_CASE("with timers, a silent operation is stopped at its PendingTimeout without polling") {
  thread_count_guard threads;
  timed_fixture f;
  runner_options o;
  o.properties.pending_timeout = 180s;
  auto res = std::make_shared<scripted_resource>([](pendop::operation& op) {
    (void)op.wait_for(24h);  // never reports
    return pendop::ok();
  });
  auto runner = f.make(res, o);
  const auto began = f.clock->now();
  REQUIRE(runner.online());
  f.clock->advance(179s);
  CHECK(f.log.finals() == 0);
  f.clock->advance(1s);
  f.log.await_finals(1);
  const auto fin = f.log.reports().back();
  CHECK(fin.state == resource_state::failed);
  CHECK(fin.reason == stop_reason::pending_timeout);
  CHECK(fin.at - began == 180s);
  CHECK(res->terminates == 1);
}

TEST_CASE("with timers, reports move the deadline and keep one timer armed") {
  thread_count_guard threads;
  timed_fixture f;
  runner_options o;
  o.properties.pending_timeout = 180s;
  auto res = std::make_shared<scripted_resource>([](pendop::operation& op) {
    for (int i = 0; i < 10; ++i) {
      if (!op.wait_for(60s)) return pendop::ok();
      if (op.report({.stage = "copy"}) == exit_state::terminate) return pendop::ok();
    }
    (void)op.wait_for(24h);  // then silent
    return pendop::ok();
  });
  auto runner = f.make(res, o);
  const auto began = f.clock->now();
  REQUIRE(runner.online());
  for (int i = 0; i < 10; ++i) {
    f.clock->advance(60s);
    CHECK(f.clock->pending_timers() == 1);  // a report moved the deadline, no new timer
  }
  CHECK(f.log.finals() == 0);
  f.clock->advance(180s);  // 180 s after the last report
  f.log.await_finals(1);
  CHECK(f.log.reports().back().reason == stop_reason::pending_timeout);
  CHECK(f.log.reports().back().at - began == 600s + 180s);
  // What is left is the stop's stop_wait watch; the body returned, so it
  // finds nothing to abandon.
  CHECK(f.clock->pending_timers() == 1);
  f.clock->advance(o.stop_wait);
  CHECK(f.clock->pending_timers() == 0);
  CHECK(runner.zombies() == 0);
}

TEST_CASE("with timers, an executor that cannot wait for deadlines leaves them to the timers") {
  thread_count_guard threads;
  timed_fixture f;
  runner_options o;
  o.properties.pending_timeout = 180s;
  o.tuning.stops_wait_for_deadlines = true;  // the fixture's inline executor cannot
  auto res = std::make_shared<scripted_resource>([](pendop::operation& op) {
    (void)op.wait_for(24h);
    return pendop::ok();
  });
  auto runner = f.make(res, o);
  const auto began = f.clock->now();
  REQUIRE(runner.online());
  CHECK(f.clock->pending_timers() == 1);  // the deadline's timer
  f.clock->advance(180s);
  f.log.await_finals(1);
  CHECK(f.log.reports().back().reason == stop_reason::pending_timeout);
  CHECK(f.log.reports().back().at - began == 180s);
}

// Real time, generous margins: a slow machine only makes it take longer.
TEST_CASE("real time: a stop pool that waits for deadlines stops a silent operation, never early") {
  auto timers = std::make_shared<pendop::posix::asio_scheduler>();
  auto pool = std::make_shared<pendop::posix::thread_pool_executor>(4, 2s);
  report_log log;
  runner_options o;
  o.name = "db";
  o.timers = timers;
  o.tuning.stops = pool;
  o.tuning.stops_wait_for_deadlines = true;
  o.properties.pending_timeout = 300ms;  // long enough to see the wait, however slow the machine
  std::atomic<bool> silent{true};
  auto res = std::make_shared<scripted_resource>([&silent](pendop::operation& op) {
    if (silent) (void)op.wait_for(1h);
    return pendop::ok();
  });
  auto runner = resource_runner::create(res, log.sink(), o);
  REQUIRE(runner);
  const auto began = timers->now();
  REQUIRE(runner->online());
  CHECK(pool->timed() == 1);  // the pool, not a timer, waits for the deadline
  log.await_finals(1);
  const auto fin = log.reports().back();
  CHECK(fin.reason == stop_reason::pending_timeout);
  CHECK(fin.at - began >= 300ms);
  CHECK(res->terminates == 1);
  // An Online that settles before its deadline takes its wait back.
  REQUIRE(runner->wait_idle(5s));
  silent = false;
  REQUIRE(runner->online());
  log.await_finals(2);
  CHECK(log.reports().back().state == resource_state::online);
  REQUIRE(runner->wait_idle(5s));  // the final report has left the channel, which cancels
  CHECK(pool->timed() == 0);
  CHECK(res->terminates == 1);
}

TEST_CASE("with timers, the operation limit stops an operation that reports forever") {
  thread_count_guard threads;
  timed_fixture f;
  runner_options o;
  o.properties.pending_timeout = 180s;
  o.operation_limit = 10min;
  auto res = std::make_shared<scripted_resource>([](pendop::operation& op) {
    while (op.wait_for(30s)) (void)op.report({.stage = "forever"});
    return pendop::ok();
  });
  auto runner = f.make(res, o);
  const auto began = f.clock->now();
  REQUIRE(runner.online());
  f.clock->advance(10min);
  f.log.await_finals(1);
  CHECK(f.log.reports().back().state == resource_state::failed);
  CHECK(f.log.reports().back().at - began == 10min);
}

TEST_CASE("runner options: clock and timers must be one clock") {
  runner_options o;
  o.clock = std::make_shared<virtual_scheduler>();
  o.timers = std::make_shared<pendop::posix::virtual_scheduler>();
  report_log log;
  auto r = resource_runner::create(std::make_shared<scripted_resource>(), log.sink(), o);
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "resource_runner: clock and timers must be the same clock");
}

TEST_CASE("time_left counts down to the PendingTimeout deadline on the virtual clock") {
  thread_count_guard threads;
  fixture f;
  runner_options o;
  o.properties.pending_timeout = 180s;
  std::vector<pendop::duration> seen;
  auto res = std::make_shared<scripted_resource>([&](pendop::operation& op) {
    seen.push_back(op.time_left());
    (void)op.wait_for(30s);
    seen.push_back(op.time_left());
    (void)op.report({});
    seen.push_back(op.time_left());
    return pendop::ok();
  });
  auto runner = f.make(res, o);
  REQUIRE(runner.online());
  f.clock->settle();
  f.clock->advance(30s);
  f.log.await_finals(1);
  REQUIRE(seen.size() == 3);
  CHECK(seen[0] == 180s);
  CHECK(seen[1] == 150s);
  CHECK(seen[2] == 180s);
}

TEST_CASE("a body that ignores terminate is abandoned as a zombie: the caller does not hang") {
  thread_count_guard threads;
  fixture f;
  runner_options o;
  o.stop_wait = 20ms;
  gate body;
  std::atomic<int> late_answer{-1};
  auto res = std::make_shared<scripted_resource>([&](pendop::operation& op) {
    body.arrive();
    body.wait();
    late_answer = static_cast<int>(op.report({.stage = "zombie"}));
    return pendop::ok();
  });
  {
    auto runner = f.make(res, o);
    REQUIRE(runner.online());
    body.await_arrival();
    runner.terminate();
    CHECK(runner.zombies() == 1);
    const auto fin = f.log.reports().back();
    CHECK(fin.final);
    CHECK(fin.state == resource_state::offline);
    CHECK(fin.error_text == "the body ignored terminate for 20ms; its thread was abandoned (zombie)");
    // The resource can go online again while the zombie lingers.
    auto again = runner.online();
    CHECK(again);
  }
  body.open();  // let the zombie finish: it is told to terminate and reports nothing
  while (late_answer == -1) std::this_thread::yield();
  CHECK(late_answer == static_cast<int>(exit_state::terminate));
  check_invariants(f.log.reports());
}

TEST_CASE("force_down leaves a Failed resource Offline after one terminate()") {
  thread_count_guard threads;
  fixture f;
  auto res = std::make_shared<scripted_resource>([](pendop::operation&) {
    return pendop::result<void>(pendop::make_error(pendop::errc::operation_failed, "stuck"));
  });
  auto runner = f.make(res);
  REQUIRE(runner.online());
  f.log.await_finals(1);
  REQUIRE(runner.state() == resource_state::failed);
  runner.terminate();  // Terminate leaves Failed visible
  CHECK(runner.state() == resource_state::failed);
  runner.force_down();
  CHECK(runner.state() == resource_state::offline);
  CHECK(res->terminates == 2);
  const auto last = f.log.reports().back();
  CHECK(last.state == resource_state::offline);
  CHECK(last.operation == 0);
  CHECK(last.reason == stop_reason::terminate_called);
  runner.force_down();  // Offline already: terminate() again, nothing reported
  CHECK(f.log.reports().back().at == last.at);
}

TEST_CASE("force_down of a pending Offline stops it and leaves the resource Offline") {
  thread_count_guard threads;
  fixture f;
  auto res = std::make_shared<scripted_resource>([](pendop::operation& op) {
    if (op.kind() == pendop::operation_kind::offline) (void)op.wait_for(1h);
    return pendop::ok();
  });
  auto runner = f.make(res);
  REQUIRE(runner.online());
  f.log.await_finals(1);
  REQUIRE(runner.offline());
  runner.force_down();
  CHECK(runner.state() == resource_state::offline);
  CHECK(res->terminates == 1);
  CHECK(f.log.finals() == 2);
}

TEST_CASE("shutdown refuses later starts and leaves an Online resource Online, close takes it down") {
  thread_count_guard threads;
  fixture f;
  auto res = std::make_shared<scripted_resource>();
  auto runner = f.make(res);
  REQUIRE(runner.online());
  f.log.await_finals(1);
  CHECK_FALSE(runner.shutdown());  // nothing pending to stop
  CHECK(runner.state() == resource_state::online);
  CHECK(res->terminates == 0);
  const auto refused = runner.offline();
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == pendop::errc::shutting_down);
  runner.close();
  CHECK(runner.state() == resource_state::offline);
  CHECK(res->terminates == 1);
}

TEST_CASE("a failure of an Online that has ended is refused by name") {
  thread_count_guard threads;
  fixture f;
  auto runner = f.make(std::make_shared<scripted_resource>());
  REQUIRE(runner.online());
  f.log.await_finals(1);
  REQUIRE(runner.offline());
  f.log.await_finals(2);
  REQUIRE(runner.online());
  f.log.await_finals(3);
  const auto stale = runner.fail("late", 1);
  REQUIRE_FALSE(stale);
  CHECK(stale.error().code == pendop::errc::invalid_state);
  CHECK(stale.error().message ==
        "failure of resource \"db\" not recorded: Online 1 has ended (the resource is Online "
        "after operation 3)");
  CHECK(runner.state() == resource_state::online);
  const auto current = runner.fail("the disk went away", 3);
  REQUIRE(current);
  CHECK(*current);
  CHECK(runner.state() == resource_state::failed);
  const auto again = runner.fail("twice", 3);
  REQUIRE_FALSE(again);  // Failed now: that Online has ended too
  const auto plain = runner.fail("twice");
  REQUIRE(plain);
  CHECK_FALSE(*plain);  // already Failed: nothing done
}

TEST_CASE("destroying a runner stops its pending operation with reason shutdown") {
  thread_count_guard threads;
  fixture f;
  {
    auto runner = f.make(std::make_shared<scripted_resource>([](pendop::operation& op) {
      (void)op.wait_for(1h);
      return pendop::ok();
    }));
    REQUIRE(runner.online());
    f.clock->settle();
  }
  const auto fin = f.log.reports().back();
  CHECK(fin.final);
  CHECK(fin.reason == stop_reason::shutdown);
}

TEST_CASE("a sink that throws is counted and does not stop the operation") {
  thread_count_guard threads;
  auto clock = std::make_shared<virtual_scheduler>();
  std::atomic<int> calls{0};
  runner_options o;
  o.clock = clock;
  auto runner = resource_runner::create(
      std::make_shared<scripted_resource>(), [&](const pendop::status_report&) {
        ++calls;
        throw std::runtime_error("sink down");
      },
      o);
  REQUIRE(runner);
  REQUIRE(runner->online());
  while (runner->sink_errors() < 2) std::this_thread::yield();  // pending + final, both thrown
  CHECK(calls == 2);
  CHECK(runner->state() == resource_state::online);
}

TEST_CASE("create rejects a null resource, an empty sink, a blank name and bad properties") {
  report_log log;
  auto no_res = resource_runner::create(nullptr, log.sink());
  REQUIRE_FALSE(no_res);
  CHECK(no_res.error().message == "resource_runner: the resource is null");
  auto no_sink = resource_runner::create(std::make_shared<scripted_resource>(), {});
  REQUIRE_FALSE(no_sink);
  CHECK(no_sink.error().message == "resource_runner: the status sink is empty");
  runner_options blank;
  blank.name = "";
  CHECK(resource_runner::create(std::make_shared<scripted_resource>(), log.sink(), blank)
            .error()
            .message == "resource_runner: the resource name is empty");
  runner_options bad;
  bad.properties.pending_timeout = 1ms;
  auto r = resource_runner::create(std::make_shared<scripted_resource>(), log.sink(), bad);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == pendop::errc::property_out_of_range);
  CHECK(r.error().message == "PendingTimeout: 1 is out of range, allowed 10..4294967295");
}

}  // TEST_SUITE

TEST_SUITE("posix/runner outcomes") {

TEST_CASE("online returns the operation's id and wait returns its final report") {
  thread_count_guard threads;
  fixture f;
  pendop_test::gate release;
  auto runner = f.make(std::make_shared<scripted_resource>([&](pendop::operation&) {
    release.wait();
    return pendop::ok();
  }));
  auto first = runner.online();
  REQUIRE(first);
  CHECK(first->id == 1);
  CHECK(*first == resource_state::online_pending);
  auto early = runner.wait(first->id, 0ms);
  REQUIRE_FALSE(early);
  CHECK(early.error().code == pendop::errc::wait_timeout);
  CHECK(early.error().message == "resource \"db\": operation 1 is still OnlinePending after 0 ms");
  release.open();
  auto fin = runner.wait(first->id, 30s);
  REQUIRE(fin);
  CHECK(fin->operation == 1);
  CHECK(fin->final);
  CHECK(fin->state == resource_state::online);

  auto second = runner.offline();
  REQUIRE(second);
  CHECK(second->id == 2);
  CHECK(runner.wait(2, 30s)->state == resource_state::offline);
  CHECK(runner.wait(1, 0ms)->state == resource_state::online);  // still known
  auto never = runner.wait(3, 0ms);
  REQUIRE_FALSE(never);
  CHECK(never.error().message == "resource \"db\": operation 3 was never started (the last is 2)");
}

TEST_CASE("a completion gets the final report once, also for a stop and a settled start") {
  thread_count_guard threads;
  fixture f;
  auto runner = f.make(std::make_shared<scripted_resource>([](pendop::operation& op) {
    (void)op.wait_for(1h);
    return pendop::ok();
  }));
  std::vector<pendop::status_report> done;
  std::mutex mu;
  auto record = [&](const pendop::status_report& r) {
    std::lock_guard lk(mu);
    done.push_back(r);
  };
  auto off = runner.offline(record);  // Offline of Offline: settled at once
  REQUIRE(off);
  CHECK(*off == resource_state::offline);
  auto on = runner.online(record);
  REQUIRE(on);
  f.clock->settle();
  runner.terminate();
  CHECK(runner.wait(on->id, 30s)->state == resource_state::offline);
  std::lock_guard lk(mu);
  REQUIRE(done.size() == 2);
  CHECK(done[0].operation == off->id);
  CHECK(done[1].operation == on->id);
  CHECK(done[1].reason == stop_reason::terminate_called);
}

}  // TEST_SUITE
