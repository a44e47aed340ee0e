// SPDX-License-Identifier: MIT
// `run_control`: how a run is interrupted. SIGINT, SIGTERM and SIGHUP are
// blocked in every thread (create it before any other thread) and taken by
// one thread of its own with sigwait, so a signal never lands in the middle
// of resource code. The first signal interrupts the run: every wait of the
// script returns at once and the run winds down in order; a second one makes
// the wind-down hurry (no more waiting for stops: terminate and kill).
// SIGHUP is left alone when it was ignored at start (nohup).
//
// Processes started by the run must not inherit the blocked mask: spawn
// them with `reset_signals` applied to their posix_spawnattr_t.
#pragma once

#include <spawn.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace pendop_cli {

class run_control {
 public:
  run_control();
  ~run_control();
  run_control(const run_control&) = delete;
  run_control& operator=(const run_control&) = delete;

  /// Sleeps up to `d`; false when the run was interrupted (at once).
  bool sleep_for(std::chrono::milliseconds d);

  /// The first signal received, 0 if none.
  [[nodiscard]] int signal() const noexcept { return first_.load(); }
  [[nodiscard]] bool interrupted() const noexcept { return first_.load() != 0; }
  /// A second signal arrived: cut every remaining wait short.
  [[nodiscard]] bool hurry() const noexcept { return hurry_.load(); }

  /// Makes a spawned process start with default dispositions and an empty
  /// mask for the signals this class blocks.
  static void reset_signals(posix_spawnattr_t& attr);

 private:
  void watch(std::stop_token token);

  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<int> first_{0};
  std::atomic<bool> hurry_{false};
  std::jthread watcher_;
};

/// "SIGINT", "SIGTERM", ... for the summary.
[[nodiscard]] const char* signal_name(int sig) noexcept;

}  // namespace pendop_cli
