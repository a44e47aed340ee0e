// SPDX-License-Identifier: MIT
// Start-to-stop cost of one pending operation's thread: pendop::posix::worker
// (create, body blocked in an interruptible wait, terminate) against the same
// with a raw std::jthread and condition_variable_any, in the same run.
#include <pendop/posix/steady_time_source.hpp>
#include <pendop/posix/worker.hpp>

#include <benchmark/benchmark.h>

#include <condition_variable>
#include <mutex>
#include <thread>

namespace {

void raw_jthread_start_stop(benchmark::State& state) {
  for (auto _ : state) {
    std::jthread t([](std::stop_token token) {
      std::mutex mu;
      std::condition_variable_any cv;
      std::unique_lock lk(mu);
      (void)cv.wait(lk, token, [] { return false; });
    });
    t.request_stop();
    t.join();
  }
}
BENCHMARK(raw_jthread_start_stop)->UseRealTime();

void worker_start_terminate(benchmark::State& state) {
  pendop::posix::steady_time_source clock;
  pendop::posix::worker w;
  for (auto _ : state) {
    (void)w.create([&clock](std::stop_token token) {
      (void)clock.wait_until(token, clock.now() + std::chrono::hours(1));
    });
    w.terminate();
  }
}
BENCHMARK(worker_start_terminate)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
