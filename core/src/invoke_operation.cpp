// SPDX-License-Identifier: MIT
#include <pendop/host/invoke_operation.hpp>

#include <fmt/format.h>

namespace pendop {

result<void> invoke_operation(resource& res, operation& op) noexcept {
  const operation_kind kind = op.kind();
  try {
    try {
      result<void> outcome = kind == operation_kind::online ? res.online(op) : res.offline(op);
      if (outcome) return outcome;
      return error{outcome.error().code,
                   fmt::format("{} failed: {}", to_string(kind), outcome.error().message)};
    } catch (const std::exception& e) {
      return make_error(errc::worker_threw, fmt::format("{} threw: {}", to_string(kind), e.what()));
    } catch (...) {
      return make_error(errc::worker_threw,
                        fmt::format("{} threw an exception not derived from std::exception",
                                    to_string(kind)));
    }
  } catch (...) {
    // Formatting the message itself failed (out of memory).
    return error{make_error_code(errc::worker_threw), {}};
  }
}

}  // namespace pendop

namespace pendop {
namespace {

template <class Fn>
bool guarded(Fn fn, const char* entry_point, std::string* why) noexcept {
  try {
    try {
      return fn();
    } catch (const std::exception& e) {
      if (why) *why = fmt::format("{} threw: {}", entry_point, e.what());
    } catch (...) {
      if (why) *why = fmt::format("{} threw an exception not derived from std::exception", entry_point);
    }
  } catch (...) {
    // Formatting failed (out of memory): the answer stands without the text.
  }
  return false;
}

}  // namespace

bool invoke_looks_alive(resource& res, std::string* why) noexcept {
  return guarded([&] { return res.looks_alive(); }, "LooksAlive", why);
}

bool invoke_is_alive(resource& res, std::string* why) noexcept {
  return guarded([&] { return res.is_alive(); }, "IsAlive", why);
}

bool invoke_terminate(resource& res, std::string* why) noexcept {
  return guarded(
      [&] {
        res.terminate();
        return true;
      },
      "Terminate", why);
}

}  // namespace pendop
