// SPDX-License-Identifier: MIT
#include <pendop/detail/call_watch.hpp>

#include <utility>

namespace pendop {

call_watch::call_id call_watch::begin(std::string resource, std::string entry_point,
                                      time_point deadline) {
  const call_id id = next_++;
  calls_.emplace(id, state{call{id, std::move(resource), std::move(entry_point), deadline}});
  pending_.emplace(deadline, id);
  return id;
}

std::optional<call_watch::returned> call_watch::end(call_id id) {
  const auto it = calls_.find(id);
  if (it == calls_.end()) return std::nullopt;
  returned r{std::move(it->second.what.entry_point), it->second.expired};
  if (!it->second.expired) {
    const auto [first, last] = pending_.equal_range(it->second.what.deadline);
    for (auto p = first; p != last; ++p) {
      if (p->second == id) {
        pending_.erase(p);
        break;
      }
    }
  }
  calls_.erase(it);
  return r;
}

std::vector<call_watch::call> call_watch::expire(time_point now) {
  std::vector<call> out;
  while (!pending_.empty() && pending_.begin()->first <= now) {
    const call_id id = pending_.begin()->second;
    pending_.erase(pending_.begin());
    state& s = calls_.at(id);
    s.expired = true;
    out.push_back(s.what);
  }
  return out;
}

std::optional<time_point> call_watch::next_deadline() const {
  if (pending_.empty()) return std::nullopt;
  return pending_.begin()->first;
}

}  // namespace pendop
