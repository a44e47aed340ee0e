// SPDX-License-Identifier: MIT
// Runs one Online to completion through an installed pendop.
#include <pendop/ocf/agent.hpp>
#include <pendop/posix/resource_runner.hpp>
#include <pendop/resource.hpp>
#include <pendop/testing/check_resource.hpp>

#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>

namespace {

class quick final : public pendop::resource {
 public:
  pendop::result<void> online(pendop::operation& op) override {
    op.report({.stage = "start", .percent = 50});
    return pendop::ok();
  }
  pendop::result<void> offline(pendop::operation&) override { return pendop::ok(); }
};

}  // namespace

int main() {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  auto runner = pendop::posix::resource_runner::create(
      std::make_shared<quick>(), [&](const pendop::status_report& r) {
        std::printf("%s\n", pendop::to_string(r).c_str());
        if (r.final) {
          std::lock_guard lk(mu);
          done = true;
          cv.notify_all();
        }
      });
  if (!runner) return 2;
  if (!runner->online()) return 3;
  std::unique_lock lk(mu);
  cv.wait(lk, [&] { return done; });
  if (runner->state() != pendop::resource_state::online) return 1;
  // The OCF component: Pacemaker's own parameters are recognised.
  if (!pendop::ocf::is_manager_parameter("crm_feature_set")) return 5;
  // The conformance kit, as a resource author's tests would use it.
  const auto report = pendop::testing::check_resource([] { return std::make_shared<quick>(); });
  std::printf("%s", report.text().c_str());
  return report.passed() ? 0 : 4;
}
