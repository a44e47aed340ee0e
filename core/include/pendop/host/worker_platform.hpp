// SPDX-License-Identifier: MIT
// `worker_platform`: the seam between the pending-operation engine and the
// host's operating system. It gives the engine worker threads for one
// resource (ClusWorker threads in a resource DLL, `std::jthread`s on POSIX)
// and the clock those workers sleep on (steady, or virtual in tests):
//
//   start_worker(body, name)  ClusWorkerCreate: body(context) on a new thread
//   request_stop()            set the terminate flag, wake the body's sleeps
//   wait_worker(limit)        ClusWorkerTerminateEx(wait only): true once it ended
//   abandon_worker()          let a thread that ignored terminate go (a zombie)
//   now(), begin/end_activity the clock, and the work a virtual clock waits for
//   process_fence()           optional: a full fence on every running thread
//
// The engine calls the owner operations (`start_worker`, `wait_worker`,
// `abandon_worker`) one at a time; `request_stop` may come from any thread,
// the worker's own included. A platform outlives every thread it started:
// the engine keeps it alive for as long as an abandoned body may run.
#pragma once

#include <pendop/result.hpp>
#include <pendop/time.hpp>

#include <functional>
#include <string_view>

namespace pendop {

/// A worker's view of its own thread: the terminate flag and a sleep that
/// the flag interrupts. Lives for the duration of the body's call.
class worker_context {
 public:
  virtual ~worker_context() = default;

  /// ClusWorkerCheckTerminate.
  [[nodiscard]] virtual bool stop_flagged() const noexcept = 0;

  /// Sleeps for `d` on the platform's clock; returns early (false) once the
  /// flag is set. True after the full wait.
  virtual bool sleep_for(duration d) noexcept = 0;

 protected:
  worker_context() = default;
  worker_context(const worker_context&) = default;
  worker_context& operator=(const worker_context&) = default;
};

/// Worker threads and a clock for one resource.
class worker_platform {
 public:
  using body = std::function<void(worker_context&)>;

  virtual ~worker_platform() = default;

  /// The platform's clock.
  [[nodiscard]] virtual time_point now() const noexcept = 0;

  /// Starts `fn` on a new worker thread called `name`. The previous worker
  /// has ended or was abandoned. Errors: `worker_start_failed` with the
  /// platform's reason.
  virtual result<void> start_worker(body fn, std::string_view name) = 0;

  /// Sets the current worker's terminate flag and wakes its sleeps.
  virtual void request_stop() noexcept = 0;

  /// Waits up to `limit` for the current worker to end. True when it has
  /// ended (or none runs); its thread is then released.
  virtual bool wait_worker(duration limit) noexcept = 0;

  /// Gives up the current worker, which ignored its terminate flag: it is
  /// not waited for again, and the next `start_worker` uses a fresh thread.
  virtual void abandon_worker() noexcept = 0;

  /// A worker starts work that a virtual clock must let finish (or sleep)
  /// before it moves time on; paired with `end_activity`. Real clocks ignore it.
  virtual void begin_activity() noexcept {}
  virtual void end_activity() noexcept {}

  /// True when `process_fence` is available; asked once, when an engine is
  /// made. The engine then ends a delivery with a plain store (no locked
  /// instruction on a worker's report), and a delivery that waits for
  /// another one calls `process_fence` instead.
  [[nodiscard]] virtual bool has_process_fence() const noexcept { return false; }
  /// A full memory barrier on every running thread of the process (Linux's
  /// private expedited membarrier, Windows' FlushProcessWriteBuffers).
  /// Called only where `has_process_fence()` said true.
  virtual void process_fence() noexcept {}

 protected:
  worker_platform() = default;
  worker_platform(const worker_platform&) = default;
  worker_platform& operator=(const worker_platform&) = default;
};

}  // namespace pendop
