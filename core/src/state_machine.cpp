// SPDX-License-Identifier: MIT
#include <pendop/detail/state_machine.hpp>

namespace pendop {
namespace {

using rs = resource_state;

constexpr transition accept(rs to) noexcept { return {verdict::accepted, to}; }
constexpr transition ignore(rs from) noexcept { return {verdict::ignored, from}; }
constexpr transition reject(rs from, errc why) noexcept { return {verdict::rejected, from, why}; }

}  // namespace

transition next(resource_state from, resource_event event) noexcept {
  const bool pending = is_pending(from);
  switch (event) {
    case resource_event::online_requested:
      if (pending) return reject(from, errc::operation_pending);
      if (from == rs::offline || from == rs::failed || from == rs::initializing)
        return accept(rs::online_pending);
      return reject(from, errc::invalid_state);  // online, unknown

    case resource_event::offline_requested:
      if (pending) return reject(from, errc::operation_pending);
      if (from == rs::online || from == rs::failed) return accept(rs::offline_pending);
      // Nothing runs: done at once (MS-CMRP ApiOfflineResource answers an
      // Offline resource with success and no call into the DLL).
      if (from == rs::initializing || from == rs::offline) return accept(rs::offline);
      return reject(from, errc::invalid_state);  // unknown

    case resource_event::progress_reported:
      return pending ? accept(from) : reject(from, errc::no_pending_operation);

    case resource_event::completed:
      if (from == rs::online_pending) return accept(rs::online);
      if (from == rs::offline_pending) return accept(rs::offline);
      return reject(from, errc::no_pending_operation);

    case resource_event::failed:
      if (pending || from == rs::online) return accept(rs::failed);
      if (from == rs::failed) return ignore(from);
      return reject(from, errc::invalid_state);  // offline, initializing, unknown

    case resource_event::terminate_requested:
      if (pending || from == rs::online || from == rs::unknown) return accept(rs::offline);
      return ignore(from);  // offline, failed, initializing: nothing runs

    case resource_event::pending_timeout:
      return pending ? accept(rs::failed) : ignore(from);  // a stale timer

    case resource_event::forced_down:
      if (pending) return reject(from, errc::operation_pending);  // stop it first
      return from == rs::offline ? ignore(from) : accept(rs::offline);
  }
  return reject(from, errc::invalid_argument);
}

}  // namespace pendop
