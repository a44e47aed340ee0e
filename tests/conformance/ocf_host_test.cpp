// SPDX-License-Identifier: MIT
// The conformance rules against the OCF agent, where its actions can express
// them. The consumer is the cluster manager: it sees an action begin (the
// agent records the pending state and logs it), and end with an exit code
// and, for a failure, one exit reason. So the reports it gets are two per
// action, pending and final; there is no Terminate, Cancel or Close action,
// and an action runs on real time. Actions run in this process
// (`run_action`), each on its own thread, as a manager runs them one at a
// time.
#include <pendop/ocf/agent.hpp>
#include <pendop/ocf/exit_code.hpp>

#include "rules.hpp"

#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <mutex>
#include <ostream>
#include <streambuf>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace {

using namespace pendop_conformance;

// One action's stderr, line by line: each whole line goes to `on_line`
// (on the writing thread, which the agent serialises), and is kept.
class line_sink final : public std::streambuf {
 public:
  explicit line_sink(std::function<void(const std::string&)> on_line)
      : on_line_(std::move(on_line)) {}

  std::string exit_reason() const {
    std::lock_guard lk(mu_);
    for (const auto& l : lines_) {
      if (const auto at = l.find("ocf-exit-reason:"); at != std::string::npos) {
        return l.substr(at + 16);
      }
    }
    return {};
  }

 protected:
  int_type overflow(int_type c) override {
    if (c == traits_type::eof()) return traits_type::not_eof(c);
    if (c != '\n') {
      std::lock_guard lk(mu_);
      current_.push_back(static_cast<char>(c));
      return c;
    }
    std::string line;
    {
      std::lock_guard lk(mu_);
      line = std::exchange(current_, {});
      lines_.push_back(line);
    }
    on_line_(line);
    return c;
  }

 private:
  const std::function<void(const std::string&)> on_line_;
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
  std::string current_;
};

// What the factory makes for every action: the rule's resource, shared.
class shared_resource final : public pendop::resource {
 public:
  explicit shared_resource(std::shared_ptr<scripted_resource> r) : r_(std::move(r)) {}
  pendop::result<void> online(pendop::operation& op) override { return r_->online(op); }
  pendop::result<void> offline(pendop::operation& op) override { return r_->offline(op); }
  // Stands for a check of what online() started: these rules never ask it.
  bool looks_alive() noexcept override { return true; }
  void terminate() noexcept override { r_->terminate(); }

 private:
  const std::shared_ptr<scripted_resource> r_;
};

class ocf_host {
 public:
  static constexpr host_traits traits{.start_of_started_succeeds = true};

  ocf_host(std::shared_ptr<scripted_resource> res, host_config c) {
    char pattern[] = "/tmp/pendop-ocf-conformance-XXXXXX";
    REQUIRE(::mkdtemp(pattern) != nullptr);
    dir_ = pattern;
    def_.name = "conformance";
    def_.model = pendop::ocf::process_model::per_action;  // actions in this process
    def_.make = [res](const pendop::parameter_values&)
        -> pendop::result<std::unique_ptr<pendop::resource>> {
      return std::unique_ptr<pendop::resource>(std::make_unique<shared_resource>(res));
    };
    env_["OCF_RESOURCE_INSTANCE"] = "conformance";
    env_["OCF_RESKEY_state_dir"] = dir_.string();
    env_["OCF_RESKEY_PendingTimeout"] = std::to_string(c.pending_timeout.count());
  }

  ~ocf_host() {
    if (action_.joinable()) action_.join();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  ocf_host(const ocf_host&) = delete;
  ocf_host& operator=(const ocf_host&) = delete;

  start_answer online() { return run("start", "bringing the resource online"); }
  start_answer offline() { return run("stop", "taking the resource offline"); }

  std::vector<seen_report> reports() const {
    std::lock_guard lk(mu_);
    return reports_;
  }
  void await_reports(std::size_t n) {
    std::unique_lock lk(mu_);
    cv_.wait_for(lk, std::chrono::seconds(30), [&] { return reports_.size() >= n; });
  }
  std::size_t zombies() const { return 0; }
  std::string last_error() const {
    std::lock_guard lk(mu_);
    return last_error_;
  }

 private:
  // Runs one action on its own thread; answers pending once the agent has
  // recorded the pending state (it then logs that it began), settled when
  // the action ended at once with success, refused when it failed without
  // beginning anything.
  start_answer run(const std::string& action, std::string_view began) {
    if (action_.joinable()) action_.join();  // a manager runs one action at a time
    const bool start = action == "start";
    {
      std::lock_guard lk(mu_);
      began_ = false;
      ended_ = false;
    }
    auto sink = std::make_shared<line_sink>([this, start, began](const std::string& line) {
      if (line.find(began) == std::string::npos) return;
      std::lock_guard lk(mu_);
      if (began_) return;
      began_ = true;
      reports_.push_back(
          {start ? resource_state::online_pending : resource_state::offline_pending, 0});
      cv_.notify_all();
    });
    action_ = std::thread([this, sink, action, start] {
      std::ostream err(sink.get());
      std::ostream out(sink.get());
      const int rc = pendop::ocf::run_action(def_, action, env_, out, err);
      const std::string reason = sink->exit_reason();
      std::lock_guard lk(mu_);
      const bool ok = rc == static_cast<int>(pendop::ocf::exit_code::success);
      if (began_ || ok) {
        const auto state = !ok   ? resource_state::failed
                           : start ? resource_state::online
                                   : resource_state::offline;
        reports_.push_back({state, began_ ? 1u : 0u});
      }
      if (!ok) last_error_ = reason;
      ended_ok_ = ok;
      ended_ = true;
      cv_.notify_all();
    });
    std::unique_lock lk(mu_);
    cv_.wait(lk, [&] { return began_ || ended_; });
    if (began_) return {start_answer::kind::pending, {}};
    if (ended_ok_) return {start_answer::kind::settled, {}};
    return {start_answer::kind::refused, last_error_};
  }

  std::filesystem::path dir_;
  pendop::ocf::agent_definition def_;
  pendop::ocf::environment env_;
  std::thread action_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<seen_report> reports_;
  std::string last_error_;
  bool began_ = false;  // guarded by mu_: the current action recorded its pending state
  bool ended_ = false;  // guarded by mu_: the current action returned
  bool ended_ok_ = false;  // guarded by mu_: ... with OCF_SUCCESS
};

}  // namespace

TYPE_TO_STRING(ocf_host);

TEST_SUITE("conformance") {
// The rules an OCF action can express; the rest need Terminate, Cancel,
// Close, concurrent entry points or virtual time, which OCF does not have.
TEST_CASE_TEMPLATE_INVOKE(rule_pending, ocf_host);
TEST_CASE_TEMPLATE_INVOKE(rule_throws, ocf_host);
TEST_CASE_TEMPLATE_INVOKE(rule_error, ocf_host);
TEST_CASE_TEMPLATE_INVOKE(rule_offline_of_offline, ocf_host);
TEST_CASE_TEMPLATE_INVOKE(rule_online_of_online, ocf_host);
}
