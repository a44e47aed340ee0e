// SPDX-License-Identifier: MIT
#include <pendop/posix/thread_pool_executor.hpp>

#include <pendop/platform/timer_slack.hpp>
#include <pendop/posix/worker.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

namespace pendop::posix {

namespace detail {

// The leader wakes this long before a timed call's time and waits out the
// rest: on a VM a short wait ends sooner after its time than a long one,
// which the host may have descheduled the idle vCPU for (measured on a
// 2-core VM: a stop 300 ms after the last activity came 0.23-0.38 ms late
// after one long wait, 0.10-0.13 ms after this wake-up and a short wait).
constexpr duration leader_warmup = std::chrono::microseconds(500);

struct pool_state {
  using timed_key = std::pair<time_point, call_executor::timed_id>;

  std::mutex mu;
  std::condition_variable cv;         // idle threads, the deputy among them
  std::condition_variable leader_cv;  // the leader alone
  std::deque<call_executor::call> queue;
  std::map<timed_key, call_executor::call> timed;  // earliest first, then in order added
  std::unordered_map<call_executor::timed_id, time_point> timed_at;  // for cancel
  call_executor::timed_id next_timed = 1;
  bool leader = false;  // an idle thread waits for timed.begin() on leader_cv ...
  time_point leader_until{};  // ... until then
  bool deputy = false;  // an idle thread waits for it plus deputy_grace on cv
  std::size_t idle = 0;
  std::size_t busy = 0;
  std::size_t timed_running = 0;  // of them, running a timed call
  bool stopping = false;
  std::vector<std::unique_ptr<worker>> threads;
  std::size_t starting = 0;  // threads being created (outside the lock)
  std::size_t max_threads = 1;
  duration join_wait{};
  // How long a due timed call waits for a thread running another one before
  // an idle thread takes it over.
  duration deputy_grace{};
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

// (mu held) Threads that run no call: idle ones, and those started (or being
// started) that have not reached their first wait yet. Counting only the idle
// ones would start more threads for calls made right after construction.
std::size_t free_threads(const pool_state& st) {
  return st.threads.size() + st.starting - st.busy;
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

// (mu held) Wakes an idle thread that has no role if the leader's or the
// deputy's place is empty and a timed call waits; it takes the place.
// `leaving`: the calling thread is counted idle but is about to run a call.
void fill_roles(pool_state& st, std::size_t leaving = 0) {
  if (st.timed.empty() || (st.leader && st.deputy)) return;
  const std::size_t roles = (st.leader ? 1 : 0) + (st.deputy ? 1 : 0);
  if (st.idle > roles + leaving) st.cv.notify_one();
}

// A call to run, and whether it was a timed one.
struct taken {
  call_executor::call fn;
  bool timed = false;
};

// (mu held) The next call to run: a queued one, or a timed one that is due.
// Empty once the pool stops and nothing is queued. `returning`: the calling
// thread has just run a call (it is not woken from a wait).
//
// One idle thread (the leader) waits for the earliest timed call and runs it
// itself: nothing is handed over at its time, so it starts as promptly as a
// raw timer's callback. Waking another thread first would cost the call that
// wake-up (measured: several times the tail lateness on 2 cores), so the
// leader's place stays empty while it runs the call, and the next due call
// waits for it (or for any thread returning from a call). A second idle
// thread (the deputy) takes a due call over only once it has waited
// its grace with a timed call running: a call stuck in resource code
// holds the others up by at most that. Taking it sooner would put a second
// thread to work while the first is about to return, and a pool with no
// idle thread left starts a helper (measured: a storm of 10 000 stops then
// started a thread per stop for milliseconds, 2-4 ms late each).
taken take(pool_state& st, std::unique_lock<std::mutex>& lk, bool returning) {
  for (;; returning = false) {
    if (!st.queue.empty()) {
      auto fn = std::move(st.queue.front());
      st.queue.pop_front();
      // The leader or the deputy may have been woken for this call (they
      // wait with the others): another idle thread takes over its place.
      fill_roles(st, 1);
      return {std::move(fn), false};
    }
    if (st.stopping) return {};
    if (st.timed.empty()) {
      st.cv.wait(lk);
      continue;
    }
    const time_point due = st.timed.begin()->first.first;
    if (!st.leader) {
      const time_point now = std::chrono::steady_clock::now();
      if (now < due) {
        st.leader = true;
        st.leader_until = due - now > leader_warmup ? due - leader_warmup : due;
        fill_roles(st);
        st.leader_cv.wait_until(lk, st.leader_until);
        st.leader = false;
        continue;
      }
      if (returning || st.timed_running == 0 || now >= due + st.deputy_grace) {
        auto first = st.timed.begin();
        auto fn = std::move(first->second);
        st.timed_at.erase(first->first.second);
        st.timed.erase(first);
        return {std::move(fn), true};
      }
      // Due, but a thread running a timed call will be back for it: wait
      // for that, or for the grace, as the deputy.
    }
    if (!st.deputy) {
      st.deputy = true;
      fill_roles(st);
      st.cv.wait_until(lk, due + st.deputy_grace);
      st.deputy = false;
    } else {
      st.cv.wait(lk);
    }
  }
}

void serve(const std::shared_ptr<pool_state>& st) {
  // Timed calls are due at a deadline, and calls may wait for one on purpose
  // (the last of a PendingTimeout, before a stop): they wake on time.
  platform::make_current_thread_timers_precise();
  std::unique_lock lk(st->mu);
  for (bool returning = false;; returning = true) {
    ++st->idle;
    auto [fn, timed] = take(*st, lk, returning);
    --st->idle;
    if (!fn) return;  // stopping
    ++st->busy;
    if (timed) ++st->timed_running;
    // Calls wait behind this one (queued, or timed with nobody left to wait
    // for them) and no thread is free to take them: a helper, in case this
    // call is stuck in resource code. Grown here, not in execute(), so a
    // burst of short calls does not make its caller (the monitor's timer
    // thread) create threads.
    const bool helper = (!st->queue.empty() || !st->timed.empty()) &&
                        free_threads(*st) == 0 && reserve_thread_locked(*st);
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
    if (timed) --st->timed_running;
  }
}

}  // namespace
}  // namespace detail

thread_pool_executor::thread_pool_executor(std::size_t max_threads, duration join_wait,
                                           duration deputy_grace)
    : state_(std::make_shared<detail::pool_state>()) {
  state_->max_threads = max_threads == 0 ? 1 : max_threads;
  state_->join_wait = join_wait;
  state_->deputy_grace = std::max(deputy_grace, duration::zero());
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
  state_->leader_cv.notify_all();
  (void)worker::terminate_all(all, state_->join_wait, /*wait_only=*/true);
  for (worker* w : all) {
    if (w->running()) w->detach();  // stuck in resource code: abandon, never hang
  }
}

void thread_pool_executor::execute(call fn) {
  std::unique_lock lk(state_->mu);
  auto& st = *state_;
  if (st.stopping) return;
  st.queue.push_back(std::move(fn));
  // A new thread only when none is free or starting; a thread that takes a
  // call with others waiting behind it adds the next one (serve()).
  const bool spawn = detail::free_threads(st) == 0 && detail::reserve_thread_locked(st);
  // The leader is idle too, and takes the call when it is the only one.
  const bool only_leader = st.leader && st.idle == 1;
  lk.unlock();
  if (only_leader) {
    st.leader_cv.notify_one();
  } else {
    st.cv.notify_one();
  }
  if (spawn) detail::grow(state_);
}

call_executor::timed_id thread_pool_executor::execute_at(time_point when, call fn) {
  std::unique_lock lk(state_->mu);
  auto& st = *state_;
  if (st.stopping) return 0;
  const timed_id id = st.next_timed++;
  st.timed.emplace(std::pair{when, id}, std::move(fn));
  st.timed_at.emplace(id, when);
  // Two idle threads (the leader and the deputy) wait for timed calls; they
  // are started now, not when a call falls due.
  const bool spawn = detail::free_threads(st) < 2 && detail::reserve_thread_locked(st);
  // A leader that waits longer (for a later call, or one cancelled since)
  // waits for this one instead. One that wakes sooner finds it then: an
  // operation's deadline, added as the last one's is cancelled, wakes nobody.
  if (st.leader && when < st.leader_until) st.leader_cv.notify_one();
  detail::fill_roles(st);
  lk.unlock();
  if (spawn) detail::grow(state_);
  return id;
}

bool thread_pool_executor::cancel(timed_id id) noexcept {
  // Destroyed once the lock is released: what the call captured may hold the
  // last reference to something whose destructor uses this pool.
  decltype(state_->timed)::node_type dropped;
  std::lock_guard lk(state_->mu);
  auto& st = *state_;
  const auto it = st.timed_at.find(id);
  if (it == st.timed_at.end()) return false;  // started, dropped, or never ours
  dropped = st.timed.extract(std::pair{it->second, id});
  st.timed_at.erase(it);
  // A leader waiting for it wakes at its time and finds the next one.
  return true;
}

std::size_t thread_pool_executor::threads() const {
  std::lock_guard lk(state_->mu);
  return state_->threads.size();
}

std::size_t thread_pool_executor::busy() const {
  std::lock_guard lk(state_->mu);
  return state_->busy;
}

std::size_t thread_pool_executor::timed() const {
  std::lock_guard lk(state_->mu);
  return state_->timed.size();
}

}  // namespace pendop::posix
