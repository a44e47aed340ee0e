// SPDX-License-Identifier: MIT
#include <pendop/posix/thread_pool_executor.hpp>

#include <pendop/posix/timer_slack.hpp>
#include <pendop/posix/worker.hpp>

#include <condition_variable>
#include <algorithm>
#include <deque>
#include <mutex>
#include <vector>

namespace pendop::posix {

namespace detail {

struct pool_state {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<call_executor::call> queue;
  std::size_t idle = 0;
  std::size_t busy = 0;
  bool stopping = false;
  std::vector<std::unique_ptr<worker>> threads;
  std::size_t starting = 0;  // threads being created (outside the lock)
  std::size_t max_threads = 1;
  duration join_wait{};
};

namespace {

void serve(const std::shared_ptr<pool_state>& st);

// (mu held) Whether one more thread may start; if so it is counted as
// starting, and the caller calls grow() once it has released mu.
bool reserve_thread_locked(pool_state& st) {
  if (st.stopping || st.threads.size() + st.starting >= st.max_threads) return false;
  ++st.starting;
  return true;
}

// Starts a reserved thread. Never under mu: creating a thread can wait (for
// the C library's stack cache, held by a thread that is exiting), and calls
// must not be held up meanwhile.
void grow(const std::shared_ptr<pool_state>& st) {
  std::unique_ptr<worker> w;
  bool started = false;
  try {
    w = std::make_unique<worker>();
    started = w->create([st](std::stop_token) { serve(st); }, "pendop-call").has_value();
  } catch (...) {
    // Out of memory: no thread; the next call that finds none free tries again.
  }
  std::lock_guard lk(st->mu);
  --st->starting;
  if (started && !st->stopping) st->threads.push_back(std::move(w));
  // Not kept (the pool is stopping): `w` waits for its thread, which sees
  // `stopping` and returns at once.
}

void serve(const std::shared_ptr<pool_state>& st) {
  // Calls may wait for a deadline on purpose (the last of a PendingTimeout,
  // before a stop): they wake on time.
  make_current_thread_timers_precise();
  std::unique_lock lk(st->mu);
  while (true) {
    ++st->idle;
    st->cv.wait(lk, [&] { return st->stopping || !st->queue.empty(); });
    --st->idle;
    if (st->queue.empty()) return;  // stopping
    auto fn = std::move(st->queue.front());
    st->queue.pop_front();
    ++st->busy;
    // Calls wait behind this one and no thread is free to take them: a
    // helper, in case this call is stuck in resource code. Grown here, not
    // in execute(), so a burst of short calls does not make its caller (the
    // monitor's timer thread) create threads.
    const bool helper = !st->queue.empty() && st->idle == 0 && reserve_thread_locked(*st);
    lk.unlock();
    if (helper) grow(st);
    try {
      fn();
    } catch (...) {
      // Calls report their own errors; an escaping exception has nowhere to go.
    }
    fn = nullptr;  // release what the call captured before waiting again
    lk.lock();
    --st->busy;
  }
}

}  // namespace
}  // namespace detail

thread_pool_executor::thread_pool_executor(std::size_t max_threads, duration join_wait)
    : state_(std::make_shared<detail::pool_state>()) {
  state_->max_threads = max_threads == 0 ? 1 : max_threads;
  state_->join_wait = join_wait;
  // Two threads up front: the first calls do not wait for a thread to start.
  for (std::size_t i = 0; i < std::min<std::size_t>(2, state_->max_threads); ++i) {
    {
      std::lock_guard lk(state_->mu);
      if (!detail::reserve_thread_locked(*state_)) break;
    }
    detail::grow(state_);
  }
}

thread_pool_executor::~thread_pool_executor() {
  std::vector<worker*> all;
  {
    std::lock_guard lk(state_->mu);
    state_->stopping = true;
    for (auto& w : state_->threads) all.push_back(w.get());
  }
  state_->cv.notify_all();
  (void)worker::terminate_all(all, state_->join_wait, /*wait_only=*/true);
  for (worker* w : all) {
    if (w->running()) w->detach();  // stuck in resource code: abandon, never hang
  }
}

void thread_pool_executor::execute(call fn) {
  std::unique_lock lk(state_->mu);
  if (state_->stopping) return;
  state_->queue.push_back(std::move(fn));
  // A new thread only when none is free or starting; a thread that takes a
  // call with others waiting behind it adds the next one (serve()).
  const bool spawn = state_->idle == 0 &&
                     state_->busy == state_->threads.size() + state_->starting &&
                     detail::reserve_thread_locked(*state_);
  lk.unlock();
  state_->cv.notify_one();
  if (spawn) detail::grow(state_);
}

std::size_t thread_pool_executor::threads() const {
  std::lock_guard lk(state_->mu);
  return state_->threads.size();
}

std::size_t thread_pool_executor::busy() const {
  std::lock_guard lk(state_->mu);
  return state_->busy;
}

}  // namespace pendop::posix
