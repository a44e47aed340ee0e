// SPDX-License-Identifier: MIT
// The `simulated` scenario resource: timed steps with progress reports, and
// failure modes (never reports, fails Online, ignores terminate, health
// failing some time after Online, or on a script's `fail`).
#pragma once

#include "scenario.hpp"

#include <pendop/resource.hpp>

#include <atomic>
#include <chrono>

namespace pendop_cli {

class simulated_resource final : public pendop::resource {
 public:
  explicit simulated_resource(simulated_spec s) : spec_(s) {}

  pendop::result<void> online(pendop::operation& op) override;
  pendop::result<void> offline(pendop::operation& op) override;
  bool looks_alive() noexcept override { return healthy(); }
  bool is_alive() noexcept override { return healthy(); }

  /// The script's `fail`: health checks fail until the next Online.
  void fail() noexcept { forced_failure_ = true; }

 private:
  pendop::result<void> run(pendop::operation& op, long long total_ms, const char* stage,
                           bool online);
  bool healthy() const noexcept;

  const simulated_spec spec_;
  std::atomic<bool> forced_failure_{false};
  std::atomic<std::chrono::steady_clock::rep> online_at_{0};
};

}  // namespace pendop_cli
