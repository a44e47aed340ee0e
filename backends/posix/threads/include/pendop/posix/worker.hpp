// SPDX-License-Identifier: MIT
// `worker`: a cooperative worker thread with the semantics of ResApi's
// ClusWorker functions (docs/resapi.md, "ClusWorker"), on std::jthread:
//
//   ClusWorkerCreate          create(body)          body(stop_token) runs on a new thread
//   ClusWorkerCheckTerminate  check_terminate()     the terminate flag
//   ClusWorkerTerminate       terminate()           first caller sets the flag and waits
//                                                   for the thread; concurrent callers and
//                                                   the worker itself return without waiting
//   ClusWorkerTerminateEx     terminate_for(t, wait_only)  bounded wait; wait_timeout error
//   ClusWorkersTerminate      terminate_all(workers, t, wait_only)
//
// With a `thread_lot` the body runs on a parked thread when one is free and
// the thread parks again afterwards (`thread_lot.hpp`); either way each
// create() gets a thread of its own for as long as its body runs.
//
// Once the body has returned the worker can be created again (the ResApi
// samples reuse one CLUS_WORKER for every Online and Offline). The thread
// is never joined: it releases what the body captured, marks itself ended
// and exits, so a finished worker holds no thread, stack or mapping (a host
// with 100 000 idle resources holds 100 000 ended workers). "Waits for the
// thread" below means: until the body has returned and released its
// captures. A thread that ignores terminate can be abandoned with
// `detach()`; it keeps its own state alive and nothing it touches is freed
// under it.
//
// Thread-safety: once `create` has returned, `terminate()`, `request_stop()`,
// `check_terminate()`, `running()` and `last_exception()` may be called from
// any thread, concurrently, including the worker thread itself. `create`,
// `terminate_for` and `detach` are owner operations: never concurrent with
// each other or with `create`. `terminate_all` follows `terminate_for`.
#pragma once

#include <pendop/result.hpp>
#include <pendop/time.hpp>

#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <stop_token>
#include <string>
#include <thread>

namespace pendop::posix {

class thread_lot;

namespace detail {
struct worker_state;
}  // namespace detail

/// A ClusWorker-style thread.
class worker {
 public:
  /// The body a worker runs. It should poll the token (or wait on it) and
  /// return soon after a stop is requested.
  using body = std::function<void(std::stop_token)>;

  worker() = default;
  /// A worker whose threads come from, and park in, `lot` (null: none).
  explicit worker(std::shared_ptr<thread_lot> lot) noexcept : lot_(std::move(lot)) {}
  /// Terminates (unbounded wait, like ClusWorkerTerminate) unless detached;
  /// destroyed on its own thread, it detaches instead of joining itself.
  ~worker();
  worker(const worker&) = delete;
  worker& operator=(const worker&) = delete;

  /// Starts `fn` on a new thread named `name`. A previous thread that has
  /// finished is joined first. Errors: `operation_pending` while a previous
  /// thread still runs, `invalid_argument` for an empty body,
  /// `worker_start_failed` when the OS refuses a thread. An exception that
  /// escapes `fn` is caught and kept (`last_exception()`).
  result<void> create(body fn, std::string name = "pendop-worker");

  /// True when a stop has been requested (ClusWorkerCheckTerminate).
  [[nodiscard]] bool check_terminate() const noexcept;

  /// Sets the terminate flag without waiting.
  void request_stop() noexcept;

  /// ClusWorkerTerminate: sets the flag and, for the first caller, waits
  /// without limit for the thread to end. Concurrent callers, calls from
  /// the worker thread itself and calls after `detach` return without waiting.
  void terminate() noexcept;

  /// ClusWorkerTerminateEx: unless `wait_only`, sets the flag; then waits
  /// up to `timeout` for the thread to end. Errors: `wait_timeout` when it
  /// is still running, `invalid_state` when called from the worker thread
  /// itself. Success when no thread runs. A detached thread is waited for too.
  result<void> terminate_for(duration timeout, bool wait_only = false);

  /// ClusWorkersTerminate: sets every flag first (unless `wait_only`), then
  /// waits for all within one shared `timeout`. Errors: `wait_timeout`
  /// naming how many threads are still running.
  static result<void> terminate_all(std::span<worker* const> workers, duration timeout,
                                    bool wait_only = false);

  /// Abandons a running thread (a zombie): it is no longer waited for. The
  /// thread keeps its own state alive. No-op when nothing runs.
  void detach() noexcept;

  /// True from `create` until the body has returned.
  [[nodiscard]] bool running() const noexcept;

  /// The text of an exception that escaped the last body, empty if none.
  [[nodiscard]] std::string last_exception() const;

 private:
  std::shared_ptr<detail::worker_state> state_;  // replaced only by create()
  mutable std::mutex owner_mu_;  // guards detached_; held by the one caller that waits
  bool detached_ = false;        // the current thread was abandoned: never waited for
  const std::shared_ptr<thread_lot> lot_;
};

}  // namespace pendop::posix
