// SPDX-License-Identifier: MIT
// `check_resource`: the conformance kit for resource authors. It runs your
// `pendop::resource` through the ResApi rules on a virtual clock (a
// 180-second PendingTimeout takes microseconds) and returns findings a
// person can act on:
//
//   online() did not report for 200 s of a 180 s PendingTimeout (after report 3)
//   offline() still running 5 s after terminate(); its thread was abandoned
//   looks_alive() took 900 ms, the budget is 300 ms
//
// Use it inside any unit-test framework:
//
//   auto report = pendop::testing::check_resource([] { return std::make_shared<my_db>(); });
//   CHECK(report.passed());          // or: EXPECT_TRUE(report.passed()) << report.text();
//   std::cout << report.text();
//
// What it runs, each on a fresh resource from the factory: Online to the end
// (then LooksAlive, IsAlive, Offline to the end), Terminate while Online is
// pending, and Terminate while Offline is pending. Bodies should wait with
// `operation::wait_for` (on the virtual clock); a body blocking on something
// else holds virtual time still and is measured on the real clock.
//
// Thread-safety: `check_resource` may run concurrently with itself; the
// factory and the resources it makes are used from the kit's threads.
#pragma once

#include <pendop/properties.hpp>
#include <pendop/resource.hpp>
#include <pendop/time.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace pendop::testing {

/// One thing the resource did against the rules.
struct finding {
  /// Which rule: "online.silence", "offline.terminate", "looks_alive.slow", ...
  std::string rule;
  /// What happened, in words, with the numbers.
  std::string what;
};

/// What `check_resource` found.
struct check_report {
  std::vector<finding> findings;
  /// The scenarios that ran, in order ("online", "health", "offline", ...).
  std::vector<std::string> scenarios;

  [[nodiscard]] bool passed() const noexcept { return findings.empty(); }
  /// Every finding on its own line ("rule: what"), or "no findings".
  [[nodiscard]] std::string text() const;
  /// True when a finding of `rule` was made.
  [[nodiscard]] bool has(std::string_view rule) const noexcept;
};

/// What the resource is held to.
struct check_options {
  /// The properties it will run with; PendingTimeout bounds the silence
  /// between reports (and before the first, and before returning).
  resource_properties properties{};
  /// Virtual time an operation may take before the kit stops it.
  duration max_operation = std::chrono::minutes(30);
  /// Real time a body may take to return after terminate(), and terminate()
  /// itself may take.
  duration terminate_budget = std::chrono::seconds(5);
  /// Real time LooksAlive and IsAlive may take (ResApi: 300 ms).
  duration health_budget = std::chrono::milliseconds(300);
  /// Real time one step may take when a body blocks on something other than
  /// the virtual clock; past it the check gives that operation up.
  duration real_time_limit = std::chrono::seconds(60);
};

/// Makes a fresh resource for each scenario.
using resource_factory_fn = std::function<std::shared_ptr<resource>()>;

/// Runs the rules against resources from `make`. Never throws for what the
/// resource does (a throw is a finding); an empty factory or one that returns
/// null is a finding too.
[[nodiscard]] check_report check_resource(const resource_factory_fn& make,
                                          const check_options& options = {});

}  // namespace pendop::testing
