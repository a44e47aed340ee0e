// SPDX-License-Identifier: MIT
// `failure_signal`: how an Online resource reports that it failed between
// health checks (ResApi's asynchronous failure detection, where Online
// returns an event the resource signals). The body of an Online takes one
// from `operation::failure_reporter()` and keeps it, e.g. for a watcher
// thread; `fail(why)` then works from any thread:
//
//   result<void> online(operation& op) override {
//     ... come online ...
//     watcher_.start(op.failure_reporter());   // calls signal.fail("disk gone")
//     return ok();
//   }
//
// The host treats a report like a failed IsAlive: a resource DLL signals the
// event its Online returned and answers IsAlive FALSE, so the Resource
// Monitor fails the resource; the embedded monitor makes it Failed, calls
// terminate() and applies its restart policy. A report for an Online that
// has ended since (the resource went offline, failed or came online again)
// changes nothing. Under an OCF agent (one process per action) nobody hears
// it: the next monitor action's health check finds the failure.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace pendop {

/// A copyable handle to one Online's failure report. A default-constructed
/// signal is inert.
class failure_signal {
 public:
  using sink = std::function<void(std::string why)>;

  failure_signal() = default;
  explicit failure_signal(sink s) : sink_(std::make_shared<const sink>(std::move(s))) {}

  /// Reports the failure with `why`. Never throws; may be called any number
  /// of times (the host acts on the first).
  void fail(std::string_view why) const noexcept {
    if (!sink_ || !*sink_) return;
    try {
      (*sink_)(std::string(why));
    } catch (...) {
      // A host that cannot take the report has nowhere to send its failure.
    }
  }

  /// Whether a host listens.
  explicit operator bool() const noexcept { return sink_ && *sink_; }

 private:
  std::shared_ptr<const sink> sink_;
};

}  // namespace pendop
