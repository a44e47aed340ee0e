// SPDX-License-Identifier: MIT
// `event_hub`: how a monitor's events reach its subscribers. Events are
// queued in the order the monitor decides them (it pushes under its own
// lock) and delivered by one thread at a time, in queue order, with no lock
// held while a subscriber runs; the thread that finds a delivery in
// progress leaves its events to it. After `unsubscribe` returns (outside a
// subscriber) that subscriber is never called again.
#pragma once

#include <pendop/monitor_event.hpp>

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

namespace pendop::posix::detail {

class event_hub {
 public:
  /// Queues `e` behind every event pushed before it.
  void push(monitor_event e);

  /// Delivers the queued events (or leaves them to the delivering thread).
  void flush();

  /// Returns once every event queued before the call has reached the
  /// subscribers: it waits out a delivery in progress and delivers the rest
  /// itself. Inside a subscriber it returns at once (the delivery in progress
  /// is its own, and goes on when the subscriber returns).
  void drain() noexcept;

  /// Adds a subscriber; an empty sink gets an id and is never called.
  std::uint64_t subscribe(event_sink sink);

  /// Removes a subscriber and waits out a delivery in progress (not inside
  /// a subscriber, where that would wait for itself).
  void unsubscribe(std::uint64_t id) noexcept;

  /// Removes every subscriber, as `unsubscribe` does.
  void clear() noexcept;

 private:
  void await_delivery() noexcept;
  // (delivery_mu_ held) Delivers until the queue is empty.
  void deliver_queued();

  std::mutex mu_;
  std::deque<monitor_event> queue_;               // guarded by mu_
  std::map<std::uint64_t, event_sink> sinks_;     // guarded by mu_
  std::uint64_t next_id_ = 1;                     // guarded by mu_
  std::mutex delivery_mu_;                        // held by the delivering thread
  std::atomic<std::thread::id> delivery_thread_{};
};

}  // namespace pendop::posix::detail
