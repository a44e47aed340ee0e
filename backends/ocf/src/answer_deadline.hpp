// SPDX-License-Identifier: MIT
// `answer_deadline`: the last line of defence of an agent process. Pacemaker
// kills an action that outlives its timeout and records `Timed Out` (a stop
// that times out blocks the resource or fences the node). The runner stops
// a late operation well before that, but a body may block in terminate() or
// anywhere else. Armed with a time point shortly before the timeout, the
// deadline's own thread then records what is known (through `on_expiry`,
// which returns the exit code), flushes the standard streams and ends the
// process with `_Exit`, taking any abandoned body with it.
//
//   answer_deadline d;
//   d.arm(t0 + timeout - margin / 4, [&] { write Failed; print reason; return 1; });
//   ... run the operation ...
//   d.claim();   // from here the action answers by itself; the deadline is off
//
// `claim` returns only when the action may answer: if the deadline fired
// first, the process is exiting and `claim` blocks until it has.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace pendop::ocf::detail {

class answer_deadline {
 public:
  using expiry = std::function<int()>;

  answer_deadline() = default;
  answer_deadline(const answer_deadline&) = delete;
  answer_deadline& operator=(const answer_deadline&) = delete;
  ~answer_deadline() = default;  // the watcher's jthread is stopped and joined

  /// Starts watching; at `at`, unless claimed, runs `on_expiry` and exits.
  void arm(std::chrono::steady_clock::time_point at, expiry on_expiry);

  /// The action answers by itself from now on.
  void claim();

 private:
  std::mutex mu_;
  std::condition_variable_any cv_;
  bool answered_ = false;  // guarded by mu_
  std::jthread watcher_;   // last: stopped before the members it uses go
};

}  // namespace pendop::ocf::detail
