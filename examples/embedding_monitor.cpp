// Embedding the monitor: host a resource in a service, print every event as
// a JSON line, bring it online, and shut down cleanly.
#include <pendop/posix/monitor.hpp>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

class cache_service final : public pendop::resource {
 public:
  pendop::result<void> online(pendop::operation& op) override {
    for (int percent : {25, 50, 75, 100}) {
      if (!op.wait_for(std::chrono::milliseconds(50))) return pendop::ok();  // stopped
      if (op.report({.stage = "warm-up", .percent = percent}) == pendop::exit_state::terminate)
        return pendop::ok();
    }
    return pendop::ok();
  }
  pendop::result<void> offline(pendop::operation&) override { return pendop::ok(); }
  bool looks_alive() noexcept override { return true; }  // cheap check, every 5 s
  bool is_alive() noexcept override { return true; }     // thorough check, every 60 s
};

int main() {
  auto monitor = pendop::posix::monitor::create();  // Asio timers, a call thread pool
  if (!monitor) return 1;
  const auto epoch = monitor->epoch();
  auto events = monitor->subscribe([epoch](const pendop::monitor_event& e) {
    std::puts(pendop::to_json_line(e, epoch).c_str());
  });

  auto props = pendop::parse_properties(R"({"PendingTimeout": 30000, "RestartThreshold": 2})");
  if (!props) {
    std::fprintf(stderr, "%s\n", props.error().message.c_str());
    return 1;
  }
  if (auto added = monitor->add("cache", std::make_shared<cache_service>(), *props); !added) {
    std::fprintf(stderr, "%s\n", added.error().message.c_str());
    return 1;
  }
  auto started = monitor->online("cache");  // {operation id, OnlinePending} at once
  if (!started) {
    std::fprintf(stderr, "%s\n", started.error().message.c_str());
    return 1;
  }
  // That operation's final report; no polling. (Or pass a completion to online().)
  auto done = monitor->wait("cache", started->id, std::chrono::seconds(10));
  if (!done || done->state != pendop::resource_state::online) {
    std::fprintf(stderr, "cache did not come online: %s\n",
                 done ? pendop::to_string(*done).c_str() : done.error().message.c_str());
    return 1;
  }
  const auto report = monitor->shutdown(std::chrono::seconds(5));
  return report.complete() ? 0 : 1;
}
