// SPDX-License-Identifier: MIT
// pendop_demo: the pending-operation model in a few seconds, on real time.
//
//   1. "database" comes online slowly, reporting progress (OnlinePending,
//      CheckPoint 1, 2, ...), then goes Offline the same way.
//   2. "backup-agent" is terminated while its Online is pending: its body
//      wakes at once, its late report is answered `terminate`, and the one
//      final report says Offline.
//   3. "legacy-app" stops reporting; its PendingTimeout (1.5 s here, 180 s by
//      default) runs out, it is terminated and ends Failed.
//
// Every status report is printed as it arrives.
#include <pendop/posix/asio_scheduler.hpp>
#include <pendop/posix/resource_runner.hpp>
#include <pendop/resource.hpp>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;

namespace {

// A resource that walks through named stages, reporting after each.
class staged_resource final : public pendop::resource {
 public:
  struct stage {
    std::string name;
    pendop::duration length;
  };

  staged_resource(std::vector<stage> online, std::vector<stage> offline)
      : online_(std::move(online)), offline_(std::move(offline)) {}

  pendop::result<void> online(pendop::operation& op) override { return run(op, online_); }
  pendop::result<void> offline(pendop::operation& op) override { return run(op, offline_); }

 private:
  static pendop::result<void> run(pendop::operation& op, const std::vector<stage>& stages) {
    for (std::size_t i = 0; i < stages.size(); ++i) {
      if (!op.wait_for(stages[i].length)) break;  // stopped: return at once
      const int percent = static_cast<int>((i + 1) * 100 / stages.size());
      if (op.report({.stage = stages[i].name, .percent = percent, .text = "done"}) ==
          pendop::exit_state::terminate) {
        break;
      }
    }
    return pendop::ok();
  }

  std::vector<stage> online_;
  std::vector<stage> offline_;
};

// A resource whose Online never reports: it only waits to be stopped.
class silent_resource final : public pendop::resource {
 public:
  pendop::result<void> online(pendop::operation& op) override {
    (void)op.wait_for(24h);
    const auto late = op.report({.stage = "late", .text = "tried to report after the stop"});
    std::printf("%28s%s's late report was answered: %s\n", "", "legacy-app",
                std::string(pendop::to_string(late)).c_str());
    return pendop::ok();
  }
  pendop::result<void> offline(pendop::operation&) override { return pendop::ok(); }
  void terminate() noexcept override {
    std::printf("%28sterminate() called on the resource\n", "");
  }
};

// Prints reports and lets main() wait for final ones.
class console {
 public:
  explicit console(std::shared_ptr<pendop::posix::time_source> clock)
      : clock_(std::move(clock)), start_(clock_->now()) {}

  pendop::status_sink sink() {
    return [this](const pendop::status_report& r) {
      const auto t = std::chrono::duration<double>(r.at - start_).count();
      std::string line = fmt::format("+{:6.3f}s  {:<13} {:<15} cp={:<2}", t, r.resource,
                                     pendop::to_string(r.state), r.checkpoint);
      if (!r.progress.stage.empty()) {
        line += fmt::format(" {:<9} {:>3}%", r.progress.stage, r.progress.percent.value_or(0));
      }
      if (r.reason != pendop::stop_reason::none) {
        line += fmt::format(" reason={}", pendop::to_string(r.reason));
      }
      if (r.final) line += "  (final)";
      std::lock_guard lk(mu_);
      std::printf("%s\n", line.c_str());
      std::fflush(stdout);
      if (r.final) ++finals_;
      cv_.notify_all();
    };
  }

  void await_finals(int n) {
    std::unique_lock lk(mu_);
    cv_.wait(lk, [&] { return finals_ >= n; });
  }

  void note(const std::string& text) {
    std::lock_guard lk(mu_);
    std::printf("\n== %s\n", text.c_str());
    std::fflush(stdout);
  }

 private:
  std::shared_ptr<pendop::posix::time_source> clock_;
  pendop::time_point start_;
  std::mutex mu_;
  std::condition_variable cv_;
  int finals_ = 0;
};

pendop::posix::resource_runner make_runner(std::shared_ptr<pendop::resource> res,
                                           const std::string& name, console& out,
                                           std::shared_ptr<pendop::posix::scheduler> clock,
                                           pendop::milliseconds pending_timeout) {
  pendop::posix::runner_options o;
  o.name = name;
  o.timers = std::move(clock);  // the runner enforces PendingTimeout on these
  o.properties.pending_timeout = pending_timeout;
  auto r = pendop::posix::resource_runner::create(std::move(res), out.sink(), std::move(o));
  if (!r) {
    std::fprintf(stderr, "pendop_demo: %s\n", r.error().message.c_str());
    std::exit(1);
  }
  return std::move(*r);
}

bool check(const pendop::result<pendop::started_operation>& r) {
  if (!r) std::fprintf(stderr, "pendop_demo: %s\n", r.error().message.c_str());
  return r.has_value();
}

}  // namespace

int main() {
  auto clock = std::make_shared<pendop::posix::asio_scheduler>();
  console out(clock);

  out.note("1. database: a slow Online with progress reports, then an Offline");
  auto database = make_runner(
      std::make_shared<staged_resource>(
          std::vector<staged_resource::stage>{
              {"mount", 300ms}, {"recover", 500ms}, {"listen", 200ms}, {"warm-up", 300ms}},
          std::vector<staged_resource::stage>{{"drain", 300ms}, {"unmount", 200ms}}),
      "database", out, clock, 180'000ms);
  if (!check(database.online())) return 1;
  out.await_finals(1);
  if (!check(database.offline())) return 1;
  out.await_finals(2);

  out.note("2. backup-agent: terminated while its Online is pending");
  auto backup = make_runner(
      std::make_shared<staged_resource>(
          std::vector<staged_resource::stage>{{"connect", 300ms}, {"snapshot", 10s}},
          std::vector<staged_resource::stage>{}),
      "backup-agent", out, clock, 180'000ms);
  if (!check(backup.online())) return 1;
  std::this_thread::sleep_for(700ms);  // let it report once, then stop it mid-snapshot
  backup.terminate();
  out.await_finals(3);

  out.note("3. legacy-app: never reports; PendingTimeout (1500 ms) runs out");
  auto legacy =
      make_runner(std::make_shared<silent_resource>(), "legacy-app", out, clock, 1'500ms);
  if (!check(legacy.online())) return 1;
  // Nobody polls: the runner's own timer terminates it at the deadline.
  out.await_finals(4);

  std::printf("\nfinal states: database=%s backup-agent=%s legacy-app=%s\n",
              std::string(pendop::to_string(database.state())).c_str(),
              std::string(pendop::to_string(backup.state())).c_str(),
              std::string(pendop::to_string(legacy.state())).c_str());
  const bool as_expected = database.state() == pendop::resource_state::offline &&
                           backup.state() == pendop::resource_state::offline &&
                           legacy.state() == pendop::resource_state::failed;
  return as_expected ? 0 : 1;
}
