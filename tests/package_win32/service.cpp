// SPDX-License-Identifier: MIT
// A Windows program that embeds the monitor and runs the conformance kit,
// against an installed MinGW pendop: a resource online, then the shutdown
// takes it offline; the kit finds nothing wrong with it. Exit 0 when both
// hold; each failure is printed.
#include <pendop/posix/monitor.hpp>
#include <pendop/testing/check_resource.hpp>

#include <chrono>
#include <cstdio>
#include <memory>

namespace {

class warm_cache final : public pendop::resource {
 public:
  pendop::result<void> online(pendop::operation& op) override {
    for (int percent : {50, 100}) {
      if (!op.wait_for(std::chrono::milliseconds(20))) return pendop::ok();
      if (op.report({.stage = "warm-up", .percent = percent}) == pendop::exit_state::terminate)
        return pendop::ok();
    }
    return pendop::ok();
  }
  pendop::result<void> offline(pendop::operation&) override { return pendop::ok(); }
  bool looks_alive() noexcept override { return true; }
  bool is_alive() noexcept override { return true; }
};

}  // namespace

int main() {
  auto monitor = pendop::posix::monitor::create();
  if (!monitor) {
    std::printf("monitor: %s\n", monitor.error().message.c_str());
    return 1;
  }
  if (auto added = monitor->add("cache", std::make_shared<warm_cache>()); !added) {
    std::printf("add: %s\n", added.error().message.c_str());
    return 1;
  }
  auto started = monitor->online("cache");
  auto done = started ? monitor->wait("cache", started->id, std::chrono::seconds(10))
                      : pendop::result<pendop::status_report>(started.error());
  if (!done || done->state != pendop::resource_state::online) {
    std::printf("cache did not come online\n");
    return 1;
  }
  const auto report = monitor->shutdown(std::chrono::seconds(5));
  if (report.taken_offline.size() != 1) {
    std::printf("the shutdown did not take cache offline\n");
    return 1;
  }
  const auto kit = pendop::testing::check_resource([] { return std::make_shared<warm_cache>(); });
  if (!kit.passed() || kit.scenarios.empty()) {
    std::printf("the kit: %s\n", kit.text().c_str());
    return 1;
  }
  std::puts("embedded monitor and kit: passed");
  return 0;
}
