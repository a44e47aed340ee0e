// SPDX-License-Identifier: MIT
// `resource_type`: what a resource DLL author declares: the cluster resource
// type name, its private properties (declared once as `pendop::parameter`s),
// the resource types it requires, how to make a `pendop::resource` for each
// Open, and timing.
#pragma once

#include <pendop/parameter.hpp>
#include <pendop/properties.hpp>
#include <pendop/resource.hpp>
#include <pendop/result.hpp>
#include <pendop/time.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace pendop::win32 {

/// Makes the resource for one Open from the resource's name and the values
/// of its private properties (stored in its cluster key, defaults for the
/// ones not stored). Later changes reach it through `resource::apply`. An
/// error fails Open (its message goes to the cluster log, its code to
/// SetLastError).
using resource_factory = std::function<result<std::unique_ptr<pendop::resource>>(
    std::wstring_view resource_name, const parameter_values& values)>;

/// One resource type implemented by a DLL.
struct resource_type {
  /// The cluster resource type name Startup is called with (case-insensitive).
  std::wstring name;
  /// Makes a resource for each Open.
  resource_factory make;
  /// The private properties of each resource of this type
  /// (CLUSCTL_RESOURCE_ENUM/GET/SET/VALIDATE_PRIVATE_PROPERTIES), stored in
  /// the resource's cluster key under "Parameters". Declarations that
  /// contradict themselves make Startup fail with ERROR_INVALID_DATA.
  std::vector<parameter> parameters{};
  /// Resource type names a resource of this type must depend on
  /// (CLUSCTL_RESOURCE_GET_REQUIRED_DEPENDENCIES), e.g. L"IP Address".
  std::vector<std::wstring> required_dependencies{};
  /// The type can hold the quorum: its factory makes `quorum_resource`s, the
  /// function tables carry Arbitrate and Release, and GET_CHARACTERISTICS
  /// answers CLUS_CHAR_QUORUM. Off: both entries are NULL.
  bool quorum_capable = false;
  /// PendingTimeout the resource assumes for `operation::time_left()` (the
  /// monitor's own value is not visible to a DLL).
  resource_properties properties{};
  /// How long Terminate waits for a stopped body (ClusWorkerTerminateEx)
  /// before abandoning its thread as a zombie. Without ClusWorkerTerminateEx
  /// the wait is unbounded, as ClusWorkerTerminate's is.
  milliseconds terminate_wait{std::chrono::seconds(30)};
};

}  // namespace pendop::win32
