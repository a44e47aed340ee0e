// SPDX-License-Identifier: MIT
// pendop-example: the example resource as an OCF resource agent, installed
// as ocf:pendop:example. Its parameters are the example resource's declared
// settings (online_ms, report_ms, ...), the same declarations the Windows
// example DLL offers as private properties.
#include <pendop/example/example_resource.hpp>
#include <pendop/ocf/agent.hpp>

#include <chrono>
#include <memory>

namespace {

pendop::ocf::agent_definition example_agent() {
  pendop::ocf::agent_definition def;
  def.name = "example";  // installed as /usr/lib/ocf/resource.d/pendop/example
  def.shortdesc = "pendop example resource";
  def.longdesc =
      "A resource that comes online and goes offline in steps, reporting progress, run through "
      "pendop's pending-operation runner.";
  def.parameters = pendop::example::example_parameters();
  def.start_timeout = std::chrono::seconds(20);  // online_ms is 1 s by default
  def.stop_timeout = std::chrono::seconds(20);
  def.make = [](const pendop::parameter_values& v)
      -> pendop::result<std::unique_ptr<pendop::resource>> {
    return std::unique_ptr<pendop::resource>(std::make_unique<pendop::example::example_resource>(
        pendop::example::to_example_config(v)));
  };
  return def;
}

}  // namespace

PENDOP_OCF_AGENT(example_agent)
