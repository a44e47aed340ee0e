// SPDX-License-Identifier: MIT
// `resource_type`: what a resource DLL author declares: the cluster resource
// type name, how to make a `pendop::resource` for each Open, and timing.
#pragma once

#include <pendop/properties.hpp>
#include <pendop/resource.hpp>
#include <pendop/result.hpp>
#include <pendop/time.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace pendop::win32 {

/// Makes the resource for one Open call from the resource's name. An error
/// fails Open (its message goes to the cluster log, its code to SetLastError).
using resource_factory =
    std::function<result<std::unique_ptr<pendop::resource>>(std::wstring_view resource_name)>;

/// One resource type implemented by a DLL.
struct resource_type {
  /// The cluster resource type name Startup is called with (case-insensitive).
  std::wstring name;
  /// Makes a resource for each Open.
  resource_factory make;
  /// PendingTimeout the resource assumes for `operation::time_left()` (the
  /// monitor's own value is not visible to a DLL).
  resource_properties properties{};
  /// How long Terminate waits for a stopped body (ClusWorkerTerminateEx)
  /// before abandoning its thread as a zombie. Without ClusWorkerTerminateEx
  /// the wait is unbounded, as ClusWorkerTerminate's is.
  milliseconds terminate_wait{std::chrono::seconds(30)};
};

}  // namespace pendop::win32
