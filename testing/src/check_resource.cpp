// SPDX-License-Identifier: MIT
#include <pendop/testing/check_resource.hpp>

#include <pendop/detail/pending_watchdog.hpp>
#include <pendop/operation.hpp>
#include <pendop/posix/call_executor.hpp>
#include <pendop/posix/resource_runner.hpp>
#include <pendop/platform/detached_thread.hpp>
#include <pendop/posix/virtual_scheduler.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <future>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <utility>

namespace pendop::testing {

namespace {

using real_clock = std::chrono::steady_clock;
using posix::virtual_scheduler;

std::string seconds_text(duration d) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  if (ms % 1000 == 0) return fmt::format("{} s", ms / 1000);
  if (ms >= 1000) return fmt::format("{:.1f} s", static_cast<double>(ms) / 1000.0);
  return fmt::format("{} ms", ms);
}

// What the kit saw of one Online or Offline body (virtual times).
struct body_trace {
  std::mutex mu;
  std::condition_variable cv;
  bool started = false;
  time_point began{};
  std::vector<time_point> reports;
  std::size_t reports_after_stop = 0;  // made while the body had been told to stop
  bool returned = false;
  time_point ended{};
  real_clock::time_point real_ended{};
};

// The operation the author's body gets: the host's, observed.
class probe_operation final : public operation {
 public:
  probe_operation(operation& inner, body_trace& trace, virtual_scheduler& clock)
      : inner_(inner), trace_(trace), clock_(clock) {}

  operation_kind kind() const noexcept override { return inner_.kind(); }
  bool stop_requested() const noexcept override { return inner_.stop_requested(); }
  bool wait_for(duration d) noexcept override { return inner_.wait_for(d); }
  duration time_left() const noexcept override { return inner_.time_left(); }
  stop_reason reason() const noexcept override { return inner_.reason(); }

  exit_state report(const progress& p) override {
    const bool told = told_ || inner_.stop_requested();
    const exit_state answer = inner_.report(p);
    if (answer == exit_state::terminate) told_ = true;
    std::lock_guard lk(trace_.mu);
    if (told) {
      ++trace_.reports_after_stop;
    } else {
      trace_.reports.push_back(clock_.now());
    }
    return answer;
  }

 private:
  operation& inner_;
  body_trace& trace_;
  virtual_scheduler& clock_;
  bool told_ = false;  // a report was answered terminate
};

// The author's resource, observed: body traces and terminate()'s duration.
class probe_resource final : public resource {
 public:
  probe_resource(std::shared_ptr<resource> inner, std::shared_ptr<virtual_scheduler> clock)
      : inner_(std::move(inner)), clock_(std::move(clock)) {}

  result<void> online(operation& op) override { return run(op, online_trace); }
  result<void> offline(operation& op) override { return run(op, offline_trace); }
  bool looks_alive() override { return inner_->looks_alive(); }
  bool is_alive() override { return inner_->is_alive(); }

  void terminate() override {
    const auto t0 = real_clock::now();
    struct timed {
      probe_resource& self;
      real_clock::time_point t0;
      ~timed() {
        std::lock_guard lk(self.mu_);
        self.slowest_terminate = std::max(self.slowest_terminate, real_clock::now() - t0);
      }
    } timing{*this, t0};
    inner_->terminate();
  }

  resource& inner() { return *inner_; }

  duration slowest_terminate_seen() {
    std::lock_guard lk(mu_);
    return slowest_terminate;
  }

  body_trace online_trace;
  body_trace offline_trace;

 private:
  result<void> run(operation& op, body_trace& t) {
    {
      std::lock_guard lk(t.mu);
      t.started = true;
      t.began = clock_->now();
    }
    probe_operation probe(op, t, *clock_);
    struct on_return {
      body_trace& t;
      virtual_scheduler& clock;
      ~on_return() {
        std::lock_guard lk(t.mu);
        t.returned = true;
        t.ended = clock.now();
        t.real_ended = real_clock::now();
        t.cv.notify_all();
      }
    } mark{t, *clock_};
    return op.kind() == operation_kind::online ? inner_->online(probe) : inner_->offline(probe);
  }

  const std::shared_ptr<resource> inner_;
  const std::shared_ptr<virtual_scheduler> clock_;
  std::mutex mu_;
  duration slowest_terminate{};
};

// One scenario's resource, runner and virtual clock, and what it found.
class bench {
 public:
  bench(std::shared_ptr<resource> res, const check_options& o, std::vector<finding>& out)
      : options_(o), out_(out) {
    probe_ = std::make_shared<probe_resource>(std::move(res), clock_);
    posix::runner_options ro;
    ro.name = "checked";
    ro.properties = o.properties;
    // The body runs on past a PendingTimeout so that every scenario is
    // judged; its reports are replayed through the watchdog instead.
    ro.properties.pending_timeout = milliseconds(dword_max);
    ro.stop_wait = o.terminate_budget;
    ro.operation_limit = o.max_operation;
    ro.timers = clock_;
    ro.tuning.stops = std::make_shared<posix::inline_executor>();
    auto made = posix::resource_runner::create(
        probe_,
        [this](const status_report& r) {
          if (!r.final) return;
          std::lock_guard lk(mu_);
          final_ = r;
        },
        std::move(ro));
    if (made) runner_.emplace(std::move(*made));
  }

  bench(const bench&) = delete;
  bench& operator=(const bench&) = delete;

  // Stops what still runs (bounded by terminate_budget) while the sink's
  // state is alive. A body that never returns stays behind as a zombie, and
  // so does a thread still moving time for it.
  ~bench() { runner_.reset(); }

  [[nodiscard]] bool ready() const { return runner_.has_value(); }

  void add(std::string rule, std::string what) { out_.push_back({std::move(rule), std::move(what)}); }

  // Moves virtual time by `d`; false (and a finding) when a body blocked it
  // for longer than the real-time limit.
  bool advance(duration d, std::string_view entry) {
    if (abandoned_) return false;
    auto done = std::make_shared<std::promise<void>>();
    auto finished = done->get_future();
    platform::start_detached_thread([clock = clock_, d, done] {
      clock->advance(d);
      done->set_value();
    });
    if (finished.wait_for(options_.real_time_limit) == std::future_status::ready) return true;
    abandoned_ = true;
    add(fmt::format("{}.blocked", entry),
        fmt::format("{}() blocked for {} of real time outside operation::wait_for, so time could "
                    "not move; wait with wait_for (or report) while you wait",
                    entry, seconds_text(options_.real_time_limit)));
    return false;
  }

  std::optional<status_report> final_report() {
    std::lock_guard lk(mu_);
    return final_;
  }

  void clear_final() {
    std::lock_guard lk(mu_);
    final_.reset();
  }

  // Runs an operation to its end; judges silence, the limit and failure.
  // True when it ended in the state it was meant to reach.
  bool run_to_end(operation_kind kind) {
    const std::string_view entry = kind == operation_kind::online ? "online" : "offline";
    body_trace& t = trace(kind);
    clear_final();
    auto started = kind == operation_kind::online ? runner_->online() : runner_->offline();
    if (!started) {
      add(fmt::format("{}.refused", entry), fmt::format("{}() could not start: {}", entry,
                                                         started.error().message));
      return false;
    }
    if (!advance(options_.max_operation, entry)) return false;
    const auto fin = final_report();
    judge_silence(entry, t);
    if (!fin) return false;
    if (fin->reason == stop_reason::pending_timeout) {
      add(fmt::format("{}.limit", entry),
          fmt::format("{}() was still running after {}; the kit stopped it", entry,
                      seconds_text(options_.max_operation)));
      return false;
    }
    if (fin->state == resource_state::failed) {
      add(fmt::format("{}.failed", entry), fmt::format("{}() failed: {}", entry, fin->error_text));
      return false;
    }
    return true;
  }

  // Terminate while `kind` is pending: the body must return within budget
  // and stop reporting once told.
  void terminate_while(operation_kind kind) {
    const std::string_view entry = kind == operation_kind::online ? "online" : "offline";
    body_trace& t = trace(kind);
    auto started = kind == operation_kind::online ? runner_->online() : runner_->offline();
    if (!started) return;  // judged by the run-to-end scenarios
    // Let the body get going: up to half of PendingTimeout, at most a minute.
    const duration lead = std::min<duration>(options_.properties.pending_timeout / 2,
                                             std::chrono::minutes(1));
    if (!advance(lead, entry)) return;
    {
      std::lock_guard lk(t.mu);
      if (t.returned) return;  // finished before it could be stopped: nothing to judge
    }
    const auto t0 = real_clock::now();
    runner_->terminate();
    if (runner_->zombies() > 0) {
      add(fmt::format("{}.terminate", entry),
          fmt::format("{}() still running {} after terminate(); its thread was abandoned (return "
                      "when operation::stop_requested() or wait_for() says so)",
                      entry, seconds_text(options_.terminate_budget)));
      abandoned_ = true;  // the body still runs: leave this scenario's objects to it
      return;
    }
    std::unique_lock lk(t.mu);
    t.cv.wait_for(lk, options_.terminate_budget, [&] { return t.returned; });
    if (t.returned && t.real_ended - t0 > options_.terminate_budget) {
      add(fmt::format("{}.terminate", entry),
          fmt::format("{}() returned {} after terminate(), the budget is {}", entry,
                      seconds_text(t.real_ended - t0), seconds_text(options_.terminate_budget)));
    }
    if (t.reports_after_stop > 0) {
      add(fmt::format("{}.reports_after_stop", entry),
          fmt::format("{}() reported {} time{} after it was told to stop; return as soon as "
                      "report() answers terminate",
                      entry, t.reports_after_stop, t.reports_after_stop == 1 ? "" : "s"));
    }
  }

  void judge_terminate_duration() {
    const duration slowest = probe_->slowest_terminate_seen();
    if (slowest > options_.terminate_budget) {
      add("terminate.slow", fmt::format("terminate() took {}, the budget is {}",
                                        seconds_text(slowest),
                                        seconds_text(options_.terminate_budget)));
    }
  }

  // LooksAlive and IsAlive of an Online resource: quick, true, no throw.
  void check_health() {
    health("looks_alive", [](resource& r) { return r.looks_alive(); });
    health("is_alive", [](resource& r) { return r.is_alive(); });
  }

 private:
  body_trace& trace(operation_kind k) {
    return k == operation_kind::online ? probe_->online_trace : probe_->offline_trace;
  }

  // Where PendingTimeout would have run out: the body's reports replayed
  // through the engine's own watchdog (armed when the body began, moved by
  // each report), and the silence it ran out in.
  void judge_silence(std::string_view entry, body_trace& t) {
    std::lock_guard lk(t.mu);
    if (!t.started) return;
    const time_point end = t.returned ? t.ended : clock_->now();
    const duration limit = options_.properties.pending_timeout;
    pending_watchdog watchdog(std::chrono::duration_cast<milliseconds>(limit));
    watchdog.arm(t.began);
    time_point last = t.began;
    for (std::size_t i = 0; i <= t.reports.size(); ++i) {
      const time_point next = i < t.reports.size() ? t.reports[i] : end;
      if (watchdog.poll(next) == pending_watchdog::status::expired) {
        std::string where = i == 0 ? std::string("before its first report")
                                   : fmt::format("after report {}", i);
        if (i == t.reports.size() && t.returned) where += ", until it returned";
        add(fmt::format("{}.silence", entry),
            fmt::format("{}() did not report for {} of a {} PendingTimeout ({}); report progress "
                        "more often than PendingTimeout",
                        entry, seconds_text(next - last), seconds_text(limit), where));
        return;
      }
      watchdog.on_report(next);
      last = next;
    }
  }

  template <class F>
  void health(std::string_view name, F check) {
    struct outcome {
      bool alive = false;
      std::string threw;
      duration took{};
    };
    auto done = std::make_shared<std::promise<outcome>>();
    auto answer = done->get_future();
    platform::start_detached_thread([probe = probe_, done, check] {
      outcome o;
      const auto t0 = real_clock::now();
      try {
        o.alive = check(probe->inner());
      } catch (const std::exception& e) {
        o.threw = e.what();
      } catch (...) {
        o.threw = "an exception that is not a std::exception";
      }
      o.took = real_clock::now() - t0;
      done->set_value(std::move(o));
    });
    if (answer.wait_for(options_.real_time_limit) != std::future_status::ready) {
      add(fmt::format("{}.blocked", name),
          fmt::format("{}() did not return within {}", name, seconds_text(options_.real_time_limit)));
      abandoned_ = true;
      return;
    }
    const outcome o = answer.get();
    if (!o.threw.empty()) {
      add(fmt::format("{}.threw", name), fmt::format("{}() threw: {}", name, o.threw));
    } else if (!o.alive) {
      add(fmt::format("{}.false", name),
          fmt::format("{}() answered false right after a successful Online", name));
    }
    if (o.took > options_.health_budget) {
      add(fmt::format("{}.slow", name), fmt::format("{}() took {}, the budget is {}", name,
                                                    seconds_text(o.took),
                                                    seconds_text(options_.health_budget)));
    }
  }

  const check_options& options_;
  std::vector<finding>& out_;
  std::shared_ptr<virtual_scheduler> clock_ = std::make_shared<virtual_scheduler>();
  std::shared_ptr<probe_resource> probe_;
  std::mutex mu_;
  std::optional<status_report> final_;  // guarded by mu_
  bool abandoned_ = false;              // a body holds time still: no more steps
  std::optional<posix::resource_runner> runner_;  // last: its sink uses the members above
};

}  // namespace

std::string check_report::text() const {
  if (findings.empty()) return "no findings\n";
  std::string out;
  for (const auto& f : findings) out += fmt::format("{}: {}\n", f.rule, f.what);
  return out;
}

bool check_report::has(std::string_view rule) const noexcept {
  return std::any_of(findings.begin(), findings.end(),
                     [&](const finding& f) { return f.rule == rule; });
}

check_report check_resource(const resource_factory_fn& make, const check_options& options) {
  check_report report;
  auto fresh = [&]() -> std::shared_ptr<resource> {
    if (!make) return nullptr;
    try {
      return make();
    } catch (...) {
      return nullptr;
    }
  };
  if (auto valid = validate(options.properties); !valid) {
    report.findings.push_back({"options", valid.error().message});
    return report;
  }
  auto first = fresh();
  if (!first) {
    report.findings.push_back({"factory", "the factory made no resource (empty, null or threw)"});
    return report;
  }

  // Online to the end, health checks, Offline to the end.
  {
    report.scenarios.emplace_back("online");
    bench b(std::move(first), options, report.findings);
    if (b.ready() && b.run_to_end(operation_kind::online)) {
      report.scenarios.emplace_back("health");
      b.check_health();
      report.scenarios.emplace_back("offline");
      (void)b.run_to_end(operation_kind::offline);
    }
    b.judge_terminate_duration();
  }
  // Terminate while Online is pending.
  if (auto res = fresh()) {
    report.scenarios.emplace_back("terminate during online");
    bench b(std::move(res), options, report.findings);
    if (b.ready()) b.terminate_while(operation_kind::online);
    b.judge_terminate_duration();
  }
  // Terminate while Offline is pending.
  if (auto res = fresh()) {
    report.scenarios.emplace_back("terminate during offline");
    std::vector<finding> seen;
    bench b(std::move(res), options, seen);
    if (b.ready() && b.run_to_end(operation_kind::online)) {
      const std::size_t judged = seen.size();  // bringing it online was judged above
      b.terminate_while(operation_kind::offline);
      b.judge_terminate_duration();
      report.findings.insert(report.findings.end(), seen.begin() + static_cast<std::ptrdiff_t>(judged),
                             seen.end());
    }
  }
  // One finding per rule and text: scenarios may see the same thing twice.
  auto& f = report.findings;
  for (std::size_t i = 0; i < f.size(); ++i) {
    for (std::size_t j = f.size(); j-- > i + 1;) {
      if (f[j].rule == f[i].rule && f[j].what == f[i].what) f.erase(f.begin() + static_cast<std::ptrdiff_t>(j));
    }
  }
  return report;
}

}  // namespace pendop::testing
