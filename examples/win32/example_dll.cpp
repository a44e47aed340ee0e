// SPDX-License-Identifier: MIT
// pendop_example_resource.dll: the example resource as a Failover Cluster
// resource DLL of type "pendop Example". The resource name Open receives is
// its configuration, e.g. "online_ms=3000;report_ms=500" (see
// pendop/example/example_resource.hpp).
#include <pendop/example/example_resource.hpp>
#include <pendop/win32/resource_dll.hpp>
#include <pendop/win32/win32_error.hpp>

#include <memory>

namespace {

pendop::win32::resource_type example_type() {
  pendop::win32::resource_type type;
  type.name = L"pendop Example";
  type.make = [](std::wstring_view name) -> pendop::result<std::unique_ptr<pendop::resource>> {
    auto config = pendop::example::parse_example_config(pendop::win32::narrow(name));
    if (!config) return config.error();
    return std::unique_ptr<pendop::resource>(
        std::make_unique<pendop::example::example_resource>(*config));
  };
  type.terminate_wait = std::chrono::seconds(2);
  return type;
}

}  // namespace

PENDOP_RESOURCE_DLL(example_type)
