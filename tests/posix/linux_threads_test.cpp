// SPDX-License-Identifier: MIT
// What only Linux can show of the threads: thread creation made to fail for
// real (a forked child with a process limit of one), and which of a lot's
// parked threads wake, counted by /proc's context switches.
#include <pendop/posix/resource_runner.hpp>
#include <pendop/posix/thread_lot.hpp>

#include <doctest/doctest.h>

#include "await_parked.hpp"
#include "scripted_resource.hpp"
#include "thread_count_guard.hpp"

#include <chrono>
#include <fstream>
#include <latch>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace std::chrono_literals;
using pendop_test::await_parked;
using pendop::resource_state;
using pendop::posix::resource_runner;
using pendop::posix::thread_lot;
using pendop_test::gate;
using pendop_test::report_log;
using pendop_test::scripted_resource;
using pendop_test::thread_count_guard;

namespace {
// TSan's runtime needs its own threads in a forked child.
#if defined(__SANITIZE_THREAD__)
constexpr bool k_under_tsan = true;
#else
constexpr bool k_under_tsan = false;
#endif
}  // namespace

TEST_SUITE("posix/resource_runner") {

// Thread creation made to fail for real: a child process running as an
// unprivileged user with a process limit of 1 cannot start any thread.
TEST_CASE("thread creation failing ends the Online in Failed with a clear error") {
  if (k_under_tsan) {
    MESSAGE("skipped under TSan: its runtime needs threads in the forked child");
    return;
  }
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    const rlimit one{1, 1};
    if (::setgid(65534) != 0 || ::setuid(65534) != 0 || ::setrlimit(RLIMIT_NPROC, &one) != 0) {
      ::_exit(2);  // not permitted here: reported as skipped below
    }
    report_log log;
    auto runner = resource_runner::create(std::make_shared<scripted_resource>(), log.sink());
    if (!runner) ::_exit(10);
    auto started = runner->online();
    if (started) ::_exit(11);
    if (started.error().code != pendop::errc::worker_start_failed) ::_exit(12);
    if (started.error().message.rfind("worker::create: cannot start a thread", 0) != 0) ::_exit(13);
    if (runner->state() != resource_state::failed) ::_exit(14);
    const auto reports = log.reports();
    if (reports.size() != 2 || !reports.back().final) ::_exit(15);
    ::_exit(0);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 2) {
    MESSAGE("cannot drop privileges here (not root): thread-creation failure not injected");
    return;
  }
  CHECK(WEXITSTATUS(status) == 0);
}

}  // TEST_SUITE

namespace {

// Times the thread `tid` of this process has blocked so far (Linux).
long voluntary_switches(pid_t tid) {
  std::ifstream in("/proc/self/task/" + std::to_string(tid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("voluntary_ctxt_switches:", 0) == 0) return std::stol(line.substr(24));
  }
  return -1;
}

}  // namespace

TEST_SUITE("posix/thread_lot") {

TEST_CASE("only the oldest parked thread wakes when lingers end") {
  thread_count_guard threads;
  // A long gap and calm: the oldest waits for its turn to leave; the others
  // wait for it, untimed, and so do not wake when their own lingers end.
  auto lot = std::make_shared<thread_lot>(4, 100ms, 10s, 10s);
  std::latch started(4);
  gate release;
  std::mutex mu;
  std::vector<pid_t> tids;
  for (int i = 0; i < 4; ++i) {
    lot->start([&] {
      {
        std::lock_guard lk(mu);
        tids.push_back(::gettid());
      }
      started.count_down();
      release.wait();
    });
  }
  started.wait();
  release.open();
  REQUIRE(await_parked(*lot, 4));
  std::this_thread::sleep_for(50ms);  // all inside their waits
  std::vector<long> before;
  for (const pid_t t : tids) before.push_back(voluntary_switches(t));
  std::this_thread::sleep_for(500ms);  // five lingers
  int woke = 0;
  for (std::size_t i = 0; i < tids.size(); ++i) {
    REQUIRE(before[i] >= 0);
    if (voluntary_switches(tids[i]) != before[i]) ++woke;
  }
  CHECK(woke <= 1);
  CHECK(lot->parked() == 4);  // none has left: the lot was never calm for 10 s
  lot.reset();
}

}  // TEST_SUITE
