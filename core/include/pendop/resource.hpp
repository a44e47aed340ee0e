// SPDX-License-Identifier: MIT
// `resource`: what a resource author writes, once, for every host. The host
// calls online()/offline() on a worker thread and returns "pending" to its
// own caller at once; the body reports progress through the `operation` and
// returns success or an error. Throwing is allowed: the host turns an
// exception into a Failed final report carrying the exception's text.
//
// Threading (ResApi rules): online, offline, looks_alive and is_alive are
// never called concurrently with each other; terminate may run concurrently
// with any of them and must make a running body return soon.
#pragma once

#include <pendop/operation.hpp>
#include <pendop/parameter.hpp>
#include <pendop/result.hpp>

namespace pendop {

/// A cluster resource.
class resource {
 public:
  virtual ~resource() = default;

  /// Brings the resource online. May take minutes; report progress through
  /// `op` well within PendingTimeout and return early when
  /// `op.stop_requested()`.
  virtual result<void> online(operation& op) = 0;

  /// Takes the resource offline. Same rules as `online`.
  virtual result<void> offline(operation& op) = 0;

  /// Cheap, frequent health check (LooksAlive); should take well under 300 ms.
  /// Throwing counts as "not alive"; hosts log the exception's text.
  virtual bool looks_alive() { return true; }

  /// Thorough health check (IsAlive); should take well under 300 ms.
  /// Throwing counts as "not alive"; hosts log the exception's text.
  virtual bool is_alive() { return true; }

  /// Takes up new values of the resource type's declared parameters (see
  /// `pendop::parameter`). Hosts call it before an Online whose values differ
  /// from the ones the resource last took (and, for changes to parameters
  /// that do not wait for the next Online, while the resource is Online),
  /// never concurrently with online/offline/looks_alive/is_alive. An error
  /// fails that Online (or the change) with its message.
  virtual result<void> apply(const parameter_values& values) {
    (void)values;
    return ok();
  }
  /// Hard stop (Terminate): make any running body return soon, and force
  /// the resource down. May run concurrently with online/offline/health
  /// checks. An exception is caught by the host and logged.
  virtual void terminate() {}

  /// True once a default health check has answered: the type checks
  /// nothing of its own. A host that cannot keep the object between checks
  /// (an OCF agent run per action) refuses such a type, since its default
  /// would call a dead service alive.
  [[nodiscard]] bool default_health_answered() const noexcept { return default_health_answered_; }

 protected:
  resource() = default;
  resource(const resource&) = default;
  resource& operator=(const resource&) = default;

 private:
  bool default_health() noexcept {
    default_health_answered_ = true;
    return true;
  }

  bool default_health_answered_ = false;  // health checks are never concurrent
};

}  // namespace pendop
