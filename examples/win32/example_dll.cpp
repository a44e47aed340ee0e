// SPDX-License-Identifier: MIT
// pendop_example_resource.dll: the example resource as a Failover Cluster
// resource DLL of type "pendop Example". Its settings are seven DWORD private
// properties (online_ms, offline_ms, report_ms, ignore_terminate,
// looks_alive, is_alive, fail_online; see
// pendop/example/example_resource.hpp), set with Set-ClusterParameter and
// taken up at the resource's next Online.
#include <pendop/example/example_resource.hpp>
#include <pendop/win32/resource_dll.hpp>

#include <memory>

namespace {

pendop::win32::resource_type example_type() {
  pendop::win32::resource_type type;
  type.name = L"pendop Example";
  type.parameters = pendop::example::example_parameters();
  type.make = [](std::wstring_view, const pendop::parameter_values& values)
      -> pendop::result<std::unique_ptr<pendop::resource>> {
    return std::unique_ptr<pendop::resource>(std::make_unique<pendop::example::example_resource>(
        pendop::example::to_example_config(values)));
  };
  type.terminate_wait = std::chrono::seconds(2);
  return type;
}

}  // namespace

PENDOP_RESOURCE_DLL(example_type)
