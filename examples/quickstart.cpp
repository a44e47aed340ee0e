// One resource, brought online as a pending operation: the body runs on a
// worker and reports progress while online() has already returned.
#include <pendop/pendop.hpp>
#include <pendop/posix/asio_scheduler.hpp>
#include <pendop/posix/resource_runner.hpp>

#include <chrono>
#include <cstdio>
#include <memory>

class database final : public pendop::resource {
 public:
  pendop::result<void> online(pendop::operation& op) override {
    for (int step = 1; step <= 4; ++step) {
      if (!op.wait_for(std::chrono::milliseconds(50))) return pendop::ok();  // stopped
      if (op.report({.stage = "recover", .percent = step * 25}) == pendop::exit_state::terminate)
        return pendop::ok();  // the monitor said stop: report nothing more
    }
    return pendop::ok();  // -> Online
  }
  pendop::result<void> offline(pendop::operation&) override { return pendop::ok(); }
  void terminate() noexcept override {}  // hard stop; may run while online() does
};

int main() {
  auto runner = pendop::posix::resource_runner::create(
      std::make_shared<database>(),
      [](const pendop::status_report& r) { std::puts(pendop::to_string(r).c_str()); },
      {.name = "db", .timers = std::make_shared<pendop::posix::asio_scheduler>()});
  if (!runner) return 1;
  auto op = runner->online();  // {id, OnlinePending} at once, or an error that says why
  if (!op) {
    std::fprintf(stderr, "%s\n", op.error().message.c_str());
    return 1;
  }
  auto fin = runner->wait(op->id, std::chrono::seconds(10));  // that operation's final report
  return fin && fin->state == pendop::resource_state::online ? 0 : 1;
}
