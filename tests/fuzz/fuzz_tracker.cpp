// SPDX-License-Identifier: MIT
// Fuzz target: any sequence of events against resource_tracker (each input
// byte is one event) keeps the invariants: checkpoints rise by one, exactly
// one final report per operation, nothing reported once a stop is latched,
// and a stopped operation never ends Online.
#include <pendop/detail/resource_tracker.hpp>

#include <cstdint>
#include <cstdlib>
#include <map>

using namespace std::chrono_literals;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  pendop::resource_tracker t("r", 100ms);
  pendop::time_point now{};
  std::map<std::uint64_t, int> finals;
  std::map<std::uint64_t, std::uint32_t> next_cp;
  std::map<std::uint64_t, bool> stopped;
  auto seen = [&](const pendop::status_report& r) {
    if (r.operation == 0) return;
    if (r.checkpoint != next_cp[r.operation]) std::abort();
    next_cp[r.operation] = r.checkpoint + 1;
    if (finals[r.operation] != 0) std::abort();  // nothing after the final
    if (r.final) {
      ++finals[r.operation];
      if (stopped[r.operation] && r.state == pendop::resource_state::online) std::abort();
    }
  };
  for (std::size_t i = 0; i < size; ++i) {
    const std::uint8_t b = data[i];
    now += std::chrono::milliseconds(b >> 3);
    const std::uint64_t id = t.operation_id() - ((b & 0x80) && t.operation_id() > 1 ? 1 : 0);
    switch (b & 0x7) {
      case 0:
      case 1:
        if (auto r = t.begin(b & 1 ? pendop::operation_kind::online : pendop::operation_kind::offline, now)) {
          if (r->checkpoint != 0) std::abort();
          next_cp[r->operation] = 1;
          if (r->final) finals[r->operation] = 1;
        }
        break;
      case 2: {
        auto o = t.report(id, {}, now);
        if (o.report) {
          if (stopped[id]) std::abort();
          seen(*o.report);
        }
        break;
      }
      case 3:
        if (auto r = t.finish(id, b & 0x40 ? pendop::ok() : pendop::result<void>(pendop::make_error(pendop::errc::operation_failed, "x")), now)) {
          seen(*r);
        }
        break;
      case 4:
        if (t.request_stop(pendop::stop_reason::terminate_called) ==
            pendop::resource_tracker::stop_outcome::started) {
          stopped[t.operation_id()] = true;
        }
        break;
      case 5:
      case 6:
        if (auto r = t.settle(pendop::stop_reason::terminate_called, now)) seen(*r);
        break;
      case 7:
        if (t.poll_timeout(now)) {
          stopped[t.operation_id()] = true;
          (void)t.request_stop(pendop::stop_reason::pending_timeout);
          if (auto r = t.settle(pendop::stop_reason::pending_timeout, now)) seen(*r);
        }
        break;
    }
  }
  for (const auto& [op, n] : finals) {
    if (n > 1) std::abort();
  }
  return 0;
}
