// SPDX-License-Identifier: MIT
// The conformance kit (pendop::testing::check_resource): well-behaved
// resources pass it, and a deliberately bad one fails it with exactly the
// findings its faults call for.
#include <pendop/testing/check_resource.hpp>

#include <pendop/example/example_resource.hpp>

#include <doctest/doctest.h>

#include "scripted_resource.hpp"
#include "simulated_resource.hpp"

#include <atomic>
#include <stdexcept>
#include <thread>

using namespace std::chrono_literals;
using pendop::exit_state;
using pendop::testing::check_options;
using pendop::testing::check_resource;

namespace {

// Reports every minute for 5 minutes, returns when told, quick health checks.
class tidy final : public pendop::resource {
 public:
  pendop::result<void> online(pendop::operation& op) override { return steps(op); }
  pendop::result<void> offline(pendop::operation& op) override { return steps(op); }

 private:
  static pendop::result<void> steps(pendop::operation& op) {
    for (int i = 0; i < 5; ++i) {
      if (!op.wait_for(60s)) return pendop::ok();
      if (op.report({.stage = "step", .percent = (i + 1) * 20}) == exit_state::terminate) {
        return pendop::ok();
      }
    }
    return pendop::ok();
  }
};

// One fault per rule:
//  * Online reports at 60, 120 and 180 s, then is silent for 200 s;
//  * Online keeps reporting twice after it was told to stop;
//  * Offline ignores terminate (it waits for `release`);
//  * LooksAlive takes 100 ms (the budget is set to 20 ms below);
//  * IsAlive answers false.
class faulty final : public pendop::resource {
 public:
  explicit faulty(std::shared_ptr<pendop_test::gate> release) : release_(std::move(release)) {}

  pendop::result<void> online(pendop::operation& op) override {
    for (int i = 0; i < 3; ++i) {
      if (!op.wait_for(60s)) return reports_after_stop(op);
      (void)op.report({.stage = "recover"});
    }
    if (!op.wait_for(200s)) return reports_after_stop(op);
    return pendop::ok();
  }

  pendop::result<void> offline(pendop::operation& op) override {
    for (int i = 0; i < 3; ++i) {
      if (!op.wait_for(60s)) {
        release_->wait();  // ignores the stop
        return pendop::ok();
      }
      (void)op.report({.stage = "drain"});
    }
    return pendop::ok();
  }

  bool looks_alive() override {
    std::this_thread::sleep_for(100ms);
    return true;
  }
  bool is_alive() override { return false; }

 private:
  static pendop::result<void> reports_after_stop(pendop::operation& op) {
    (void)op.report({.stage = "still going"});
    (void)op.report({.stage = "still going"});
    return pendop::ok();
  }

  std::shared_ptr<pendop_test::gate> release_;
};

std::vector<std::string> rules(const pendop::testing::check_report& r) {
  std::vector<std::string> out;
  for (const auto& f : r.findings) out.push_back(f.rule);
  return out;
}

}  // namespace

TEST_SUITE("testing/check_resource") {

TEST_CASE("a resource that keeps the rules has no findings") {
  const auto report = check_resource([] { return std::make_shared<tidy>(); });
  CHECK_MESSAGE(report.passed(), report.text());
  CHECK(report.text() == "no findings\n");
  CHECK(report.scenarios == std::vector<std::string>{"online", "health", "offline",
                                                     "terminate during online",
                                                     "terminate during offline"});
}

TEST_CASE("the example resource passes the kit") {
  const auto report = check_resource([] {
    return std::make_shared<pendop::example::example_resource>(pendop::example::example_config{});
  });
  CHECK_MESSAGE(report.passed(), report.text());
}

TEST_CASE("the pendop command's simulated resource passes the kit") {
  const auto report = check_resource(
      [] { return std::make_shared<pendop_cli::simulated_resource>(pendop_cli::simulated_spec{}); });
  CHECK_MESSAGE(report.passed(), report.text());
}

TEST_CASE("a faulty resource gets exactly the findings its faults call for") {
  auto release = std::make_shared<pendop_test::gate>();
  check_options o;
  o.health_budget = 20ms;
  o.terminate_budget = 200ms;
  const auto report = check_resource([release] { return std::make_shared<faulty>(release); }, o);
  release->open();  // the abandoned Offline may return now
  CHECK(rules(report) == std::vector<std::string>{"online.silence", "looks_alive.slow",
                                                  "is_alive.false", "online.reports_after_stop",
                                                  "offline.terminate"});
  REQUIRE(report.findings.size() == 5);
  CHECK(report.findings[0].what ==
        "online() did not report for 200 s of a 180 s PendingTimeout (after report 3, until it "
        "returned); report progress more often than PendingTimeout");
  CHECK(report.findings[1].what.rfind("looks_alive() took ", 0) == 0);
  CHECK(report.findings[1].what.find(", the budget is 20 ms") != std::string::npos);
  CHECK(report.findings[2].what == "is_alive() answered false right after a successful Online");
  CHECK(report.findings[3].what ==
        "online() reported 2 times after it was told to stop; return as soon as report() "
        "answers terminate");
  CHECK(report.findings[4].what ==
        "offline() still running 200 ms after terminate(); its thread was abandoned (return "
        "when operation::stop_requested() or wait_for() says so)");
  CHECK(report.has("offline.terminate"));
  CHECK_FALSE(report.has("offline.silence"));
}

TEST_CASE("a body that throws, a factory that fails and bad options are findings") {
  auto thrower = std::make_shared<pendop_test::scripted_resource>(
      [](pendop::operation&) -> pendop::result<void> { throw std::runtime_error("disk gone"); });
  const auto threw = check_resource([thrower] { return thrower; });
  REQUIRE_FALSE(threw.findings.empty());
  CHECK(threw.findings[0].rule == "online.failed");
  CHECK(threw.findings[0].what == "online() failed: Online threw: disk gone");

  const auto none = check_resource([] { return std::shared_ptr<pendop::resource>(); });
  CHECK(rules(none) == std::vector<std::string>{"factory"});

  check_options bad;
  bad.properties.pending_timeout = 5ms;
  const auto invalid = check_resource([] { return std::make_shared<tidy>(); }, bad);
  CHECK(rules(invalid) == std::vector<std::string>{"options"});
  CHECK(invalid.findings[0].what == "PendingTimeout: 5 is out of range, allowed 10..4294967295");
}

}  // TEST_SUITE
