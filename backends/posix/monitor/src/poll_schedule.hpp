// SPDX-License-Identifier: MIT
// `poll_schedule`: the monitor's health polls, coalesced. A poll due at t
// runs in the slice that ends at or after t (slices of `slack`, at most an
// eighth of the poll's own interval, counted from the monitor's epoch), so
// 10 000 resources polled every 5 s cost a few dozen wake-ups a second, not
// thousands: polls are never early and at most one slice late.
//
// Cancelling is lazy: each poll carries its resource's generation for that
// kind of check, and a poll whose generation has moved on is dropped when
// its slice comes due. Not thread-safe: the monitor guards it with its lock.
#pragma once

#include <pendop/time.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <vector>

namespace pendop::posix::detail {

struct entry;

enum class poll_kind { looks_alive, is_alive };

struct poll_item {
  std::weak_ptr<entry> target;
  poll_kind kind = poll_kind::looks_alive;
  std::uint64_t generation = 0;
};

class poll_schedule {
 public:
  poll_schedule(time_point epoch, duration slack) : epoch_(epoch), slack_(slack) {}

  /// Adds `item`, due `interval` after `now`; returns the time its slice ends.
  time_point add(time_point now, duration interval, poll_item item) {
    const time_point due = now + interval;
    const duration slice = std::min(slack_, interval / 8);
    time_point at = due;
    if (slice > duration::zero() && due > epoch_) {
      const auto n = (due - epoch_ + slice - duration(1)) / slice;  // round up
      at = epoch_ + n * slice;
    }
    // Polls rescheduled by one tick mostly land in one slice: the last
    // one used is kept (a map node does not move until it is taken).
    if (last_ == slices_.end() || last_->first != at) last_ = slices_.try_emplace(at).first;
    last_->second.push_back(std::move(item));
    return at;
  }

  /// The end of the earliest slice, if any poll is scheduled.
  [[nodiscard]] std::optional<time_point> next() const {
    if (slices_.empty()) return std::nullopt;
    return slices_.begin()->first;
  }

  /// Removes and returns every poll whose slice has ended by `now`.
  std::vector<poll_item> take_due(time_point now) {
    std::vector<poll_item> due;
    while (!slices_.empty() && slices_.begin()->first <= now) {
      if (last_ == slices_.begin()) last_ = slices_.end();
      auto node = slices_.extract(slices_.begin());
      if (due.empty()) {
        due = std::move(node.mapped());
      } else {
        for (auto& item : node.mapped()) due.push_back(std::move(item));
      }
    }
    return due;
  }

 private:
  const time_point epoch_;
  const duration slack_;
  std::map<time_point, std::vector<poll_item>> slices_;
  std::map<time_point, std::vector<poll_item>>::iterator last_ = slices_.end();
};

}  // namespace pendop::posix::detail
