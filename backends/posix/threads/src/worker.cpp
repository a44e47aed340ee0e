// SPDX-License-Identifier: MIT
#include <pendop/posix/worker.hpp>

#include <pendop/posix/thread_lot.hpp>
#include <pendop/platform/detached_thread.hpp>
#include <pendop/platform/thread_name.hpp>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <system_error>

namespace pendop::posix {

namespace detail {

// What a worker thread shares with its owner. The thread holds a reference,
// so an abandoned (detached) thread never touches freed memory.
struct worker_state {
  std::stop_source source;  // the terminate flag; made before the thread starts
  std::mutex mu;
  // A mutex and condition variables, not std::atomic::wait: MinGW's
  // libstdc++ has no platform wait behind it, and can lose that wake-up.
  std::condition_variable go_cv;
  std::condition_variable exited_cv;
  bool go = false;          // guarded by mu: the owner is done with create()
  bool exited = false;      // guarded by mu
  std::string exception;    // guarded by mu
};

}  // namespace detail

namespace {

// The state of the worker whose body runs on this thread, for self-detection
// (a body that terminates its own worker must not wait for itself).
thread_local const detail::worker_state* t_current = nullptr;

std::string ms_text(duration d) {
  return fmt::format("{}", std::chrono::duration_cast<std::chrono::milliseconds>(d));
}

}  // namespace

worker::~worker() { terminate(); }

result<void> worker::create(body fn, std::string name) {
  if (!fn) return make_error(errc::invalid_argument, "worker::create: the body is empty");
  std::shared_ptr<detail::worker_state> st;
  {
    std::lock_guard owner(owner_mu_);
    if (!detached_ && running()) {
      return make_error(errc::operation_pending,
                        "worker::create: the previous thread is still running; terminate it "
                        "first");
    }
    st = std::make_shared<detail::worker_state>();
    try {
      // Detached from the start (or a lot's): the thread frees its stack as
      // it exits, with nobody to join it. The body's end is the `exited`
      // flag, set once the body and everything it captured are gone. It
      // waits for `go`: the body may destroy this worker, so it runs only
      // once create() is done with it.
      auto job = [st, fn = std::move(fn), name = std::move(name)]() mutable {
        {
          std::unique_lock lk(st->mu);
          st->go_cv.wait(lk, [&] { return st->go; });
        }
        t_current = st.get();
        platform::set_current_thread_name(name);
        std::string escaped;
        try {
          fn(st->source.get_token());
        } catch (const std::exception& e) {
          escaped = e.what();
        } catch (...) {
          escaped = "unknown exception";
        }
        fn = nullptr;
        t_current = nullptr;
        {
          std::lock_guard lk(st->mu);
          st->exception = std::move(escaped);
          st->exited = true;
        }
        st->exited_cv.notify_all();
      };
      if (lot_) {
        lot_->start(std::move(job));
      } else {
        platform::start_detached_thread(std::move(job));
      }
    } catch (const std::system_error& e) {
      return make_error(errc::worker_start_failed,
                        fmt::format("worker::create: cannot start a thread: {}", e.what()));
    }
    state_ = st;
    detached_ = false;
  }
  {
    std::lock_guard lk(st->mu);
    st->go = true;
  }
  st->go_cv.notify_one();
  return ok();
}

bool worker::check_terminate() const noexcept {
  return state_ && state_->source.stop_requested();
}

void worker::request_stop() noexcept {
  if (state_) state_->source.request_stop();
}

void worker::terminate() noexcept {
  const auto st = state_;
  if (!st) return;
  st->source.request_stop();
  if (t_current == st.get()) return;  // the worker terminating itself: never wait on yourself
  // The first terminator holds the owner lock while it waits; concurrent
  // callers find it taken and return at once, as ClusWorkerTerminate allows.
  std::unique_lock owner(owner_mu_, std::try_to_lock);
  if (!owner.owns_lock() || detached_) return;
  std::unique_lock lk(st->mu);
  st->exited_cv.wait(lk, [&] { return st->exited; });
}

result<void> worker::terminate_for(duration timeout, bool wait_only) {
  const auto st = state_;
  if (!st) return ok();
  if (t_current == st.get()) {
    return make_error(errc::invalid_state, "worker::terminate_for: a worker cannot wait for itself");
  }
  if (!wait_only) st->source.request_stop();
  std::lock_guard owner(owner_mu_);
  std::unique_lock lk(st->mu);
  if (!st->exited_cv.wait_for(lk, timeout, [&] { return st->exited; })) {
    return make_error(errc::wait_timeout,
                      fmt::format("worker still running {} {}",
                                  wait_only ? "after waiting" : "after terminate and",
                                  ms_text(timeout)));
  }
  return ok();
}

result<void> worker::terminate_all(std::span<worker* const> workers, duration timeout,
                                   bool wait_only) {
  if (!wait_only) {
    for (worker* w : workers) {
      if (w) w->request_stop();
    }
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::size_t still_running = 0;
  for (worker* w : workers) {
    if (!w) continue;
    const auto left = std::max(duration::zero(), deadline - std::chrono::steady_clock::now());
    if (!w->terminate_for(left, /*wait_only=*/true)) ++still_running;
  }
  if (still_running != 0) {
    return make_error(errc::wait_timeout,
                      fmt::format("{} of {} workers still running after {}", still_running,
                                  workers.size(), ms_text(timeout)));
  }
  return ok();
}

void worker::detach() noexcept {
  std::lock_guard owner(owner_mu_);
  if (running()) detached_ = true;
}

bool worker::running() const noexcept {
  const auto st = state_;
  if (!st) return false;
  std::lock_guard lk(st->mu);
  return !st->exited;
}

std::string worker::last_exception() const {
  const auto st = state_;
  if (!st) return {};
  std::lock_guard lk(st->mu);
  return st->exception;
}

}  // namespace pendop::posix
