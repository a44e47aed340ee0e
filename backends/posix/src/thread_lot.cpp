// SPDX-License-Identifier: MIT
#include <pendop/posix/thread_lot.hpp>

#include <pendop/posix/thread_priority.hpp>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace pendop::posix {

namespace detail {

// What the lot's threads share with it; each thread holds a reference, so
// the lot can go while they finish.
struct lot_state {
  // A parked thread, on its own stack; reachable only through `parked`.
  struct slot {
    std::condition_variable cv;
    thread_lot::job next;  // guarded by mu: handed over by start()
  };

  lot_state(std::size_t c, duration l) : capacity(c), linger(l) {}

  const std::size_t capacity;
  const duration linger;
  mutable std::mutex mu;
  std::vector<slot*> parked;  // guarded by mu: the most recently parked last
  bool closed = false;        // guarded by mu
};

namespace {

// Parks the calling thread until start() hands it a job; an empty job when
// none comes within `linger`, or the lot is full or closed.
thread_lot::job park(lot_state& st) {
  lot_state::slot me;
  std::unique_lock lk(st.mu);
  if (st.closed || st.parked.size() >= st.capacity) return {};
  st.parked.push_back(&me);
  me.cv.wait_for(lk, st.linger, [&] { return me.next || st.closed; });
  if (me.next) return std::move(me.next);  // start() took this slot out of `parked`
  std::erase(st.parked, &me);
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
  lower_current_thread_priority();
}

}  // namespace
}  // namespace detail

thread_lot::thread_lot(std::size_t capacity, duration linger)
    : state_(std::make_shared<detail::lot_state>(capacity, linger)) {}

thread_lot::~thread_lot() {
  std::lock_guard lk(state_->mu);
  state_->closed = true;
  for (auto* s : state_->parked) s->cv.notify_one();
  state_->parked.clear();
}

void thread_lot::start(job fn) {
  {
    std::lock_guard lk(state_->mu);
    if (!state_->parked.empty()) {
      auto* s = state_->parked.back();
      state_->parked.pop_back();
      s->next = std::move(fn);
      s->cv.notify_one();  // under the lock: the slot lives until its thread has it
      return;
    }
  }
  std::thread([st = state_, fn = std::move(fn)]() mutable { detail::serve(st, std::move(fn)); })
      .detach();
}

std::size_t thread_lot::parked() const {
  std::lock_guard lk(state_->mu);
  return state_->parked.size();
}

}  // namespace pendop::posix
