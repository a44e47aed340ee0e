// SPDX-License-Identifier: MIT
// `call_watch`: the DeadlockTimeout rule for a host's calls into resource
// code (LooksAlive, IsAlive, Terminate, Online, ...), without I/O. The host
// registers each call with its deadline, tells the watch when it returns,
// and keeps one timer at `next_deadline()`; when it fires, `expire(now)`
// names the calls that outlasted their deadline, once each. A call that
// returns after expiring is a late return.
//
//   auto id = watch.begin("db", "IsAlive", now + props.deadlock_timeout);
//   ... the call returns ...  watch.end(id)   -> {"IsAlive", deadlocked?}
//   ... the timer fires ...   watch.expire(now) -> the calls past their deadline
//
// It never reads a clock and owns no threads. Not thread-safe: the host
// calls it under its own lock.
#pragma once

#include <pendop/time.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pendop {

/// Calls in flight, by deadline.
class call_watch {
 public:
  using call_id = std::uint64_t;

  /// One watched call.
  struct call {
    call_id id = 0;
    std::string resource;
    std::string entry_point;
    time_point deadline{};
  };

  /// What `end` learned about a call that returned.
  struct returned {
    std::string entry_point;
    bool deadlocked = false;  ///< it had expired: a late return
  };

  /// Starts watching a call; the id is never 0.
  call_id begin(std::string resource, std::string entry_point, time_point deadline);

  /// The call returned. nullopt for an id the watch does not know.
  std::optional<returned> end(call_id id);

  /// The calls whose deadline is at or before `now` and that were not
  /// reported yet; each is reported once and stays known until `end`.
  [[nodiscard]] std::vector<call> expire(time_point now);

  /// The earliest deadline of a call not yet expired.
  [[nodiscard]] std::optional<time_point> next_deadline() const;

  /// Calls in flight (expired ones included).
  [[nodiscard]] std::size_t size() const noexcept { return calls_.size(); }

 private:
  struct state {
    call what;
    bool expired = false;
  };

  std::map<call_id, state> calls_;
  std::multimap<time_point, call_id> pending_;  // not yet expired, by deadline
  call_id next_ = 1;
};

}  // namespace pendop
