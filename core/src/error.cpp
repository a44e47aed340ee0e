// SPDX-License-Identifier: MIT
#include <pendop/error.hpp>

#include <fmt/format.h>

namespace pendop {
namespace {

class category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "pendop"; }
  std::string message(int value) const override { return to_string(static_cast<errc>(value)); }
};

}  // namespace

const std::error_category& pendop_category() noexcept {
  static const category instance;  // immutable: the one shared object a category must be
  return instance;
}

const char* to_string(errc e) noexcept {
  switch (e) {
    case errc::invalid_state: return "request not valid in the resource's current state";
    case errc::operation_pending: return "an operation is already pending";
    case errc::no_pending_operation: return "no operation is pending";
    case errc::property_unknown: return "unknown property";
    case errc::property_out_of_range: return "property value out of range";
    case errc::property_wrong_type: return "property value of the wrong type";
    case errc::malformed_json: return "malformed JSON";
    case errc::invalid_argument: return "invalid argument";
    case errc::worker_start_failed: return "worker thread could not be started";
    case errc::worker_threw: return "the resource's worker threw an exception";
    case errc::operation_failed: return "the resource's operation failed";
    case errc::stopped: return "the operation was stopped";
    case errc::wait_timeout: return "timed out waiting for a worker";
    case errc::zombie_worker: return "a worker ignored terminate and was abandoned";
    case errc::health_check_failed: return "the resource's health check failed";
    case errc::deadlock: return "an entry point did not return within DeadlockTimeout";
    case errc::unknown_resource: return "unknown resource";
    case errc::duplicate_resource: return "a resource of that name exists already";
    case errc::shutting_down: return "the host is shutting down";
  }
  return "unknown pendop error";
}

std::string error::describe() const {
  return fmt::format("{} ({}:{} {})", message, code.category().name(), code.value(),
                     code.message());
}

}  // namespace pendop
