// SPDX-License-Identifier: MIT
// An OCF agent whose resource misbehaves in the ways an agent must survive:
// its start and stop sleep without looking at the stop request, and with
// block_terminate=1 its terminate() never returns. The agent process must
// still answer before the action's timeout (tests/ocf/ocf_process_test.cpp).
#include <pendop/ocf/agent.hpp>

#include <chrono>
#include <cstdint>
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
  // Stands for a check of what online() started outside the process.
  bool looks_alive() noexcept override { return true; }

 private:
  const std::chrono::milliseconds start_;
  const std::chrono::milliseconds stop_;
  const bool block_terminate_;
};

pendop::ocf::agent_definition misbehaving_agent() {
  pendop::ocf::agent_definition def;
  def.name = "misbehaving";
  def.model = pendop::ocf::process_model::per_action;  // the action's own deadline is under test
  def.shortdesc = "a resource that ignores stop requests";
  def.longdesc = "Start and stop sleep regardless of stop requests; terminate() may block.";
  def.parameters = {
      {.name = "start_ms", .description = "How long start takes, in milliseconds",
       .default_value = std::uint64_t{60000}, .max = 86'400'000},
      {.name = "stop_ms", .description = "How long stop takes, in milliseconds",
       .default_value = std::uint64_t{60000}, .max = 86'400'000},
      {.name = "block_terminate", .description = "1: terminate() never returns",
       .default_value = std::uint64_t{0}, .max = 1},
  };
  def.make = [](const pendop::parameter_values& v)
      -> pendop::result<std::unique_ptr<pendop::resource>> {
    return std::unique_ptr<pendop::resource>(std::make_unique<misbehaving>(
        std::chrono::milliseconds(v.number("start_ms")),
        std::chrono::milliseconds(v.number("stop_ms")), v.number("block_terminate") == 1));
  };
  return def;
}

}  // namespace

PENDOP_OCF_AGENT(misbehaving_agent)
