// SPDX-License-Identifier: MIT
// An OCF agent whose resource misbehaves in the ways an agent must survive:
// its start and stop sleep without looking at the stop request, and with
// block_terminate=1 its terminate() never returns. The agent process must
// still answer before the action's timeout (tests/ocf/ocf_process_test.cpp).
#include <pendop/ocf/agent.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

namespace {

class misbehaving final : public pendop::resource {
 public:
  misbehaving(std::chrono::milliseconds start, std::chrono::milliseconds stop, bool block_terminate)
      : start_(start), stop_(stop), block_terminate_(block_terminate) {}

  pendop::result<void> online(pendop::operation&) override {
    std::this_thread::sleep_for(start_);  // deaf to stop requests
    return pendop::ok();
  }
  pendop::result<void> offline(pendop::operation&) override {
    std::this_thread::sleep_for(stop_);
    return pendop::ok();
  }
  void terminate() noexcept override {
    while (block_terminate_) std::this_thread::sleep_for(std::chrono::hours(1));
  }

 private:
  const std::chrono::milliseconds start_;
  const std::chrono::milliseconds stop_;
  const bool block_terminate_;
};

pendop::ocf::agent_definition misbehaving_agent() {
  pendop::ocf::agent_definition def;
  def.name = "misbehaving";
  def.shortdesc = "a resource that ignores stop requests";
  def.longdesc = "Start and stop sleep regardless of stop requests; terminate() may block.";
  def.parameters = {
      {"start_ms", "How long start takes", "Milliseconds.", "integer", "60000", false},
      {"stop_ms", "How long stop takes", "Milliseconds.", "integer", "60000", false},
      {"block_terminate", "terminate() never returns", "1: block.", "boolean", "0", false},
  };
  def.make = [](const pendop::ocf::parameter_values& v)
      -> pendop::result<std::unique_ptr<pendop::resource>> {
    return std::unique_ptr<pendop::resource>(std::make_unique<misbehaving>(
        std::chrono::milliseconds(std::stoll(v.at("start_ms"))),
        std::chrono::milliseconds(std::stoll(v.at("stop_ms"))), v.at("block_terminate") == "1"));
  };
  return def;
}

}  // namespace

PENDOP_OCF_AGENT(misbehaving_agent)
