// SPDX-License-Identifier: MIT
#include <pendop/posix/thread_lot.hpp>

#include <pendop/platform/detached_thread.hpp>
#include <pendop/platform/futex_hash.hpp>
#include <pendop/platform/thread_priority.hpp>

#include <algorithm>
#include <bit>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

namespace pendop::posix {

namespace detail {

// What the lot's threads share with it; each thread holds a reference, so
// the lot can go while they finish.
struct lot_state {
  // A parked thread, on its own stack; reachable only through the list.
  struct slot {
    std::condition_variable cv;
    thread_lot::job next;    // guarded by mu: handed over by start()
    slot* older = nullptr;   // guarded by mu
    slot* newer = nullptr;   // guarded by mu
  };

  lot_state(std::size_t c, duration l, duration g, duration q, bool futex)
      : capacity(c), linger(l), gap(g), calm(q > duration::zero() ? q : g), grow_futex_hash(futex) {}

  // (mu held) The parked list: start() takes the newest, the oldest leave.
  void push(slot& s) noexcept {
    s.older = newest;
    (newest ? newest->newer : oldest) = &s;
    newest = &s;
    ++parked;
  }
  void unlink(slot& s) noexcept {
    (s.older ? s.older->newer : oldest) = s.newer;
    (s.newer ? s.newer->older : newest) = s.older;
    --parked;
  }

  const std::size_t capacity;
  const duration linger;
  const duration gap;
  const duration calm;
  const bool grow_futex_hash;
  mutable std::mutex mu;
  slot* newest = nullptr;       // guarded by mu
  slot* oldest = nullptr;       // guarded by mu
  std::size_t parked = 0;       // guarded by mu
  bool closed = false;          // guarded by mu
  time_point last_departure{};  // guarded by mu
  time_point last_traffic{};    // guarded by mu: when a thread last started or parked
  std::size_t live = 0;         // guarded by mu: threads started and not yet gone
};

namespace {

// Parks the calling thread until start() hands it a job; an empty job when
// none comes within `linger` and its turn to leave has come, or the lot is
// full or closed.
//
// Only the oldest parked thread waits with a timeout: the others' lingers
// end later (start() takes the newest), so they wait untimed until the one
// before them has left. Ten thousand threads parked in a storm of stops do
// not each wake when their linger ends, in the middle of the next storm
// (measured on a 2-core VM: 0.1-0.4 ms of CPU per such wake-up).
//
// With a `gap`, threads whose linger is over leave one at a time, oldest
// first, and stay reusable until then. A thread's exit unmaps its stack,
// which stalls every CPU, so the oldest waits for a calm lot: it leaves once
// no thread has started or parked for `calm` and none has left for `gap`. A
// lot that is never calm still sheds them, slowly: one per `linger` (or
// `gap`, if longer).
thread_lot::job park(lot_state& st) {
  using clock = std::chrono::steady_clock;
  lot_state::slot me;
  std::unique_lock lk(st.mu);
  if (st.closed || st.parked >= st.capacity) return {};
  st.push(me);
  const time_point parked_at = clock::now();
  st.last_traffic = parked_at;
  std::optional<time_point> due;  // since when this thread is next to leave
  while (!me.next && !st.closed) {
    if (st.oldest != &me) {
      me.cv.wait(lk);  // woken by the departure before this one
      continue;
    }
    const time_point now = clock::now();
    if (now < parked_at + st.linger) {
      (void)me.cv.wait_until(lk, parked_at + st.linger);
      continue;
    }
    if (st.gap == duration::zero()) break;
    if (!due) due = now;
    const time_point calm = std::max(st.last_departure + st.gap, st.last_traffic + st.calm);
    const time_point busy = std::max(*due, st.last_departure) + std::max(st.linger, st.gap);
    const time_point turn = std::min(calm, busy);
    if (now >= turn) {
      st.last_departure = now;
      break;
    }
    (void)me.cv.wait_until(lk, turn);
  }
  if (me.next) return std::move(me.next);  // start() took this slot off the list
  if (!st.closed) {                         // closing empties the list
    st.unlink(me);
    if (st.oldest != nullptr) st.oldest->cv.notify_one();  // next in line
  }
  return {};
}

// Runs jobs until the thread is not parked again, then leaves at the lowest
// priority: freeing its stack yields to threads that have work.
void serve(const std::shared_ptr<lot_state>& st, thread_lot::job fn) {
  while (fn) {
    fn();
    fn = nullptr;  // what the job captured is released before parking
    fn = park(*st);
  }
  {
    std::lock_guard lk(st->mu);
    --st->live;
  }
  platform::lower_current_thread_priority();
}

// Threads from which on the futex hash grows with the lot (it has 16
// buckets or more anyway).
constexpr std::size_t futex_hash_from = 32;

}  // namespace
}  // namespace detail

thread_lot::thread_lot(std::size_t capacity, duration linger, duration gap, duration calm,
                       bool grow_futex_hash)
    : state_(std::make_shared<detail::lot_state>(capacity, linger, gap, calm, grow_futex_hash)) {}

thread_lot::~thread_lot() {
  std::lock_guard lk(state_->mu);
  state_->closed = true;
  for (auto* s = state_->newest; s != nullptr; s = s->older) s->cv.notify_one();
  state_->newest = state_->oldest = nullptr;
  state_->parked = 0;
}

void thread_lot::start(job fn) {
  std::size_t live = 0;
  {
    std::lock_guard lk(state_->mu);
    state_->last_traffic = std::chrono::steady_clock::now();
    if (auto* s = state_->newest) {
      state_->unlink(*s);
      s->next = std::move(fn);
      s->cv.notify_one();  // under the lock: the slot lives until its thread has it
      return;
    }
    live = ++state_->live;
  }
  // Each doubling of the lot's threads doubles the futex hash: about two
  // buckets per thread that may be blocked.
  if (state_->grow_futex_hash && live >= detail::futex_hash_from && std::has_single_bit(live)) {
    platform::reserve_futex_hash(2 * live);
  }
  try {
    platform::start_detached_thread(
        [st = state_, fn = std::move(fn)]() mutable { detail::serve(st, std::move(fn)); });
  } catch (...) {
    std::lock_guard lk(state_->mu);
    --state_->live;
    throw;
  }
}

std::size_t thread_lot::parked() const {
  std::lock_guard lk(state_->mu);
  return state_->parked;
}

}  // namespace pendop::posix
