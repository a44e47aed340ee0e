// SPDX-License-Identifier: MIT
// pendop's error codes: `pendop::errc`, its std::error_category, and
// `pendop::error`, the value every fallible pendop function returns on
// failure: a code to branch on plus a message for people that names the
// field, handle or state at fault.
//
// Expected failures (bad input, a request in the wrong state, a worker that
// threw) are values; bugs in pendop itself are asserts.
#pragma once

#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>

namespace pendop {

/// What went wrong. Values are stable; the text is in `to_string`.
enum class errc {
  invalid_state = 1,         ///< the request is not valid in the resource's current state
  operation_pending,         ///< an Online or Offline is already pending
  no_pending_operation,      ///< a report or stop arrived with no pending operation
  property_unknown,          ///< a property name pendop does not know
  property_out_of_range,     ///< a property value outside its allowed range
  property_wrong_type,       ///< a property value of the wrong JSON type
  malformed_json,            ///< the text is not JSON, or not a JSON object
  invalid_argument,          ///< an argument is NULL, empty or otherwise unusable
  worker_start_failed,       ///< the OS refused to start a worker thread
  worker_threw,              ///< the resource's online()/offline() threw
  operation_failed,          ///< the resource's online()/offline() returned an error
  stopped,                   ///< the operation was stopped (terminate, timeout, shutdown)
  wait_timeout,              ///< a bounded wait for a worker ran out
  zombie_worker,             ///< a worker ignored terminate and was abandoned
  health_check_failed,       ///< IsAlive (or LooksAlive then IsAlive) said the resource failed
  deadlock,                  ///< an entry point outlasted DeadlockTimeout
  unknown_resource,          ///< no resource of that name
  duplicate_resource,        ///< a resource of that name exists already
  shutting_down,             ///< the host is shutting down and takes no requests
};

/// The category of `errc` ("pendop"). One instance for the whole program.
[[nodiscard]] const std::error_category& pendop_category() noexcept;

/// Short description of `e`, the same text `pendop_category().message()` gives.
[[nodiscard]] const char* to_string(errc e) noexcept;

[[nodiscard]] inline std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), pendop_category()};
}

/// A failure: a code plus a message for people ("PendingTimeout: 5 is out of
/// range, allowed 10..4294967295").
struct error {
  std::error_code code;
  std::string message;

  /// "<message> (<category>:<value> <code text>)", for logs.
  [[nodiscard]] std::string describe() const;
};

/// Builds an `error` from a pendop code and a message.
[[nodiscard]] inline error make_error(errc e, std::string message) {
  return error{make_error_code(e), std::move(message)};
}

/// Builds an `error` from any `std::error_code` (a system call's, a
/// library's); the message defaults to the code's own text.
[[nodiscard]] inline error make_error(std::error_code code, std::string message = {}) {
  if (message.empty()) message = code.message();
  return error{code, std::move(message)};
}

/// Builds an `error` from an errno value: the generic category (errno's),
/// and the message "<what>: <strerror text>" ("open /data: No such file or
/// directory").
[[nodiscard]] inline error errno_error(int err, std::string_view what) {
  const std::error_code code(err, std::generic_category());
  std::string message(what);
  message += ": ";
  message += code.message();
  return error{code, std::move(message)};
}

}  // namespace pendop

template <>
struct std::is_error_code_enum<pendop::errc> : std::true_type {};
