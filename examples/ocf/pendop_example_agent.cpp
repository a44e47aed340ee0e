// SPDX-License-Identifier: MIT
// pendop-example: the example resource as an OCF resource agent, installed
// as ocf:pendop:example. Its parameters are the example resource's keys
// (online_ms, report_ms, ...).
#include <pendop/example/example_resource.hpp>
#include <pendop/ocf/agent.hpp>

#include <chrono>
#include <memory>
#include <string>

namespace {

pendop::ocf::agent_definition example_agent() {
  pendop::ocf::agent_definition def;
  def.name = "example";  // installed as /usr/lib/ocf/resource.d/pendop/example
  def.shortdesc = "pendop example resource";
  def.longdesc =
      "A resource that comes online and goes offline in steps, reporting progress, run through "
      "pendop's pending-operation runner.";
  auto ms = [](std::string name, std::string desc, std::string def_value) {
    return pendop::ocf::parameter{name, desc, desc + " (milliseconds).", "integer",
                                  std::move(def_value), false};
  };
  auto flag = [](std::string name, std::string desc, std::string def_value) {
    return pendop::ocf::parameter{name, desc, desc + ".", "boolean", std::move(def_value), false};
  };
  def.parameters = {
      ms("online_ms", "How long start takes", "1000"),
      ms("offline_ms", "How long stop takes", "500"),
      ms("report_ms", "Interval between progress reports", "200"),
      flag("ignore_terminate", "Ignore stop requests (misbehave)", "0"),
      flag("looks_alive", "What the shallow monitor answers", "1"),
      flag("is_alive", "What the deep monitor (OCF_CHECK_LEVEL 10) answers", "1"),
      flag("fail_online", "Fail start after its first report", "0"),
  };
  def.start_timeout = std::chrono::seconds(20);  // online_ms is 1 s by default
  def.stop_timeout = std::chrono::seconds(20);
  def.make = [](const pendop::ocf::parameter_values& v)
      -> pendop::result<std::unique_ptr<pendop::resource>> {
    std::string config;
    for (const char* key : {"online_ms", "offline_ms", "report_ms", "ignore_terminate",
                            "looks_alive", "is_alive", "fail_online"}) {
      if (auto it = v.find(key); it != v.end()) config += std::string(key) + "=" + it->second + ";";
    }
    auto parsed = pendop::example::parse_example_config(config);
    if (!parsed) return parsed.error();
    return std::unique_ptr<pendop::resource>(
        std::make_unique<pendop::example::example_resource>(*parsed));
  };
  return def;
}

}  // namespace

PENDOP_OCF_AGENT(example_agent)
