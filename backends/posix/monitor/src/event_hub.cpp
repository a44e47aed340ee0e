// SPDX-License-Identifier: MIT
#include "event_hub.hpp"

#include <utility>
#include <vector>

namespace pendop::posix::detail {

void event_hub::push(monitor_event e) {
  std::lock_guard lk(mu_);
  queue_.push_back(std::move(e));
}

void event_hub::flush() {
  while (true) {
    std::unique_lock delivering(delivery_mu_, std::try_to_lock);
    if (!delivering.owns_lock()) return;  // the delivering thread takes ours too
    deliver_queued();
    delivering.unlock();
    std::lock_guard lk(mu_);
    if (queue_.empty()) return;  // else an event arrived after our last look
  }
}

void event_hub::drain() noexcept {
  if (delivery_thread_.load() == std::this_thread::get_id()) return;
  std::lock_guard delivering(delivery_mu_);  // waits out a delivery in progress
  try {
    deliver_queued();
  } catch (...) {
    // Only copying the sinks can fail (allocation); what is left stays queued.
    delivery_thread_.store(std::thread::id{});
  }
}

void event_hub::deliver_queued() {
  delivery_thread_.store(std::this_thread::get_id());
  while (true) {
    monitor_event ev;
    std::vector<event_sink> sinks;
    {
      std::lock_guard lk(mu_);
      if (queue_.empty()) break;
      ev = std::move(queue_.front());
      queue_.pop_front();
      for (const auto& [id, s] : sinks_) sinks.push_back(s);
    }
    for (const auto& s : sinks) {
      try {
        s(ev);
      } catch (...) {
        // A subscriber's failure must not stop the monitor.
      }
    }
  }
  delivery_thread_.store(std::thread::id{});
}

std::uint64_t event_hub::subscribe(event_sink sink) {
  std::lock_guard lk(mu_);
  const auto id = next_id_++;
  if (sink) sinks_.emplace(id, std::move(sink));
  return id;
}

void event_hub::unsubscribe(std::uint64_t id) noexcept {
  {
    std::lock_guard lk(mu_);
    sinks_.erase(id);
  }
  await_delivery();
}

void event_hub::clear() noexcept {
  {
    std::lock_guard lk(mu_);
    sinks_.clear();
  }
  await_delivery();
}

// Waits until no other thread is delivering, so a sink removed before this
// call is never called after it. A no-op inside a sink.
void event_hub::await_delivery() noexcept {
  if (delivery_thread_.load() == std::this_thread::get_id()) return;
  std::lock_guard delivering(delivery_mu_);
}

}  // namespace pendop::posix::detail
