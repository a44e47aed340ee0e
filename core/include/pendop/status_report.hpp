// SPDX-License-Identifier: MIT
// `status_report`: one SetResourceStatus call as pendop sees it, delivered
// to a `status_sink`. Every report of one operation carries a checkpoint one
// higher than the previous one (the pending report that starts an operation
// has checkpoint 0); exactly one report per operation is final.
#pragma once

#include <pendop/progress.hpp>
#include <pendop/states.hpp>
#include <pendop/time.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <system_error>

namespace pendop {

/// One status report.
struct status_report {
  std::string resource;            ///< the resource's name
  std::uint64_t operation = 0;     ///< 1-based id of the operation, per resource
  operation_kind kind = operation_kind::online;
  resource_state state = resource_state::unknown;  ///< the state this report sets
  std::uint32_t checkpoint = 0;    ///< RESOURCE_STATUS.CheckPoint
  pendop::progress progress;       ///< the worker's words (empty for monitor-made reports)
  bool final = false;              ///< true for the one report that ends the operation
  stop_reason reason = stop_reason::none;  ///< why it was stopped, if it was
  std::error_code error;           ///< for a Failed final report: what failed
  std::string error_text;          ///< ... in words (the exception text, the error message)
  time_point at{};                 ///< when it was made, on the host's clock
};

/// Receives every status report, in order. Called from worker threads and
/// from whichever thread terminates; never concurrently for one resource.
/// A sink may read its arguments and query the host, but must not call back
/// into the operation or host that is reporting (online/offline/terminate).
using status_sink = std::function<void(const status_report&)>;

/// One line for logs: "db OnlinePending cp=3 [mount 40%] mounting /data".
[[nodiscard]] std::string to_string(const status_report& r);

}  // namespace pendop
