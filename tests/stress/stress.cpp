// SPDX-License-Identifier: MIT
// pendop_stress: a storm on real threads against the production monitor
// (Asio timers, call pool): many resources with random behaviour (slow or
// silent Online, bodies that ignore terminate, failing health checks) and
// random online/offline/terminate requests from several threads. Afterwards
// every invariant is checked from the event log:
//
//   * every operation has exactly one final state, and nothing after it
//   * checkpoints of an operation rise by one from 0
//   * no operation stopped for PendingTimeout (or any stop) ends Online
//   * the zombie count equals the bodies that ignored a stop
//   * the thread count is back to where it started
//   * no deadlock: a watchdog fails the run, with every pending resource, if
//     the storm does not end in time
//
// Usage: pendop_stress [--resources N] [--ops N] [--seed S] [--limit-s S]
// Prints one JSON line of figures; exit code 0 only when every check held.
#include <pendop/posix/monitor.hpp>
#include <pendop/platform/thread_count.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;

namespace {

constexpr auto k_stop_wait = 200ms;  // generous: a loaded 2-core machine is slow to wake threads

// What each resource does, drawn once per resource.
struct behaviour {
  int online_ms;   // 0..20
  int report_ms;   // 1..5
  bool silent;     // never reports: PendingTimeout stops it
  bool stubborn;   // ignores a stop for 2 x stop_wait: a zombie
  int health_failure_permille;  // chance that a health check fails
};

class storm_resource final : public pendop::resource {
 public:
  storm_resource(behaviour b, unsigned seed) : b_(b), rng_(seed) {}

  pendop::result<void> online(pendop::operation& op) override {
    if (b_.silent) {
      if (b_.stubborn) return ignore_stop(op, 1h);
      (void)op.wait_for(1h);
      return pendop::ok();
    }
    for (int done = 0; done < b_.online_ms; done += b_.report_ms) {
      if (b_.stubborn) {
        std::this_thread::sleep_for(std::chrono::milliseconds(b_.report_ms));
        if (op.stop_requested()) return ignore_stop(op, 0ms);
      } else if (!op.wait_for(std::chrono::milliseconds(b_.report_ms))) {
        return pendop::ok();
      }
      if (op.report({.stage = "online"}) == pendop::exit_state::terminate && !b_.stubborn) {
        return pendop::ok();
      }
    }
    return pendop::ok();
  }

  pendop::result<void> offline(pendop::operation& op) override {
    (void)op.wait_for(std::chrono::milliseconds(b_.online_ms / 2));
    return pendop::ok();
  }

  bool looks_alive() override { return roll(); }
  bool is_alive() override { return roll(); }

  std::atomic<int> ignored_stops{0};

 private:
  // A body that notices the stop and carries on regardless: the runner
  // abandons it after stop_wait.
  pendop::result<void> ignore_stop(pendop::operation& op, pendop::duration wait_first) {
    if (wait_first > 0ms) {
      while (!op.stop_requested()) std::this_thread::sleep_for(1ms);
    }
    ++ignored_stops;
    std::this_thread::sleep_for(k_stop_wait * 2);
    return pendop::ok();
  }

  bool roll() {
    std::lock_guard lk(mu_);
    return std::uniform_int_distribution<int>(0, 999)(rng_) >= b_.health_failure_permille;
  }

  const behaviour b_;
  std::mutex mu_;
  std::mt19937 rng_;
};

std::string fmt_event(const pendop::monitor_event& e) {
  return std::string(pendop::to_string(e.kind)) + ":" + std::string(pendop::to_string(e.to)) +
         " op" + std::to_string(e.operation) + " cp" + std::to_string(e.checkpoint) + " " +
         std::string(pendop::to_string(e.reason)) + " " + e.detail;
}

struct event_store {
  std::mutex mu;
  std::vector<pendop::monitor_event> events;
};

}  // namespace

int main(int argc, char** argv) {
  int resources = 200;
  long long ops = 5000;
  unsigned seed = 1;
  int limit_s = 120;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--resources") resources = std::atoi(argv[i + 1]);
    else if (a == "--ops") ops = std::atoll(argv[i + 1]);
    else if (a == "--seed") seed = static_cast<unsigned>(std::atoll(argv[i + 1]));
    else if (a == "--limit-s") limit_s = std::atoi(argv[i + 1]);
  }
  std::thread([] {}).join();  // sanitizer helper threads start with the first thread
  const int threads_before = pendop::platform::process_thread_count().value_or(-1);
  const auto started = std::chrono::steady_clock::now();

  // The deadlock watchdog.
  std::atomic<bool> finished{false};
  std::atomic<pendop::posix::monitor*> watched{nullptr};
  std::thread watchdog([&] {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(limit_s);
    while (!finished && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(50ms);
    if (finished) return;
    std::fprintf(stderr, "pendop_stress: no end after %d s: a deadlock. Pending resources:\n", limit_s);
    if (auto* m = watched.load()) {
      for (const auto& n : m->resources()) {
        auto d = m->diagnostics(n);
        if (d && pendop::is_pending(d->state)) {
          std::fprintf(stderr, "  %s %s\n", n.c_str(), std::string(pendop::to_string(d->state)).c_str());
        }
      }
    }
    std::_Exit(3);
  });

  event_store store;
  std::vector<std::shared_ptr<storm_resource>> res;
  long long requests = 0, refused = 0;
  std::size_t zombies = 0;
  pendop::posix::shutdown_report report;
  {
    pendop::posix::monitor_options o;
    o.stop_wait = k_stop_wait;
    auto m = pendop::posix::monitor::create(o);
    if (!m) return 3;
    watched = &*m;
    auto events = m->subscribe([&](const pendop::monitor_event& e) {
      std::lock_guard lk(store.mu);
      store.events.push_back(e);
    });
    std::mt19937 rng(seed);
    for (int i = 0; i < resources; ++i) {
      behaviour b{std::uniform_int_distribution<int>(0, 20)(rng),
                  std::uniform_int_distribution<int>(1, 5)(rng),
                  std::uniform_int_distribution<int>(0, 9)(rng) == 0,
                  std::uniform_int_distribution<int>(0, 19)(rng) == 0,
                  std::uniform_int_distribution<int>(0, 1)(rng) ? 0 : 100};
      pendop::resource_properties p;
      p.pending_timeout = 50ms;
      // Poll load grows with the count: about 20 000 health checks a second in all.
      p.looks_alive_poll_interval = std::chrono::milliseconds(std::max(10, resources / 10));
      p.is_alive_poll_interval = 2 * p.looks_alive_poll_interval;
      p.restart_delay = 5ms;
      p.restart_period = 1000ms;
      p.retry_period_on_failure = 2000ms;
      auto r = std::make_shared<storm_resource>(b, seed * 7919u + static_cast<unsigned>(i));
      (void)m->add("r" + std::to_string(i), r, p);
      res.push_back(std::move(r));
    }
    std::atomic<long long> issued{0}, rejected{0};
    auto driver = [&](unsigned s) {
      std::mt19937 local(s);
      while (issued.fetch_add(1) < ops) {
        const std::string name =
            "r" + std::to_string(std::uniform_int_distribution<int>(0, resources - 1)(local));
        const int what = std::uniform_int_distribution<int>(0, 9)(local);
        bool ok = true;
        if (what < 5) ok = m->online(name).has_value();
        else if (what < 8) ok = m->offline(name).has_value();
        else ok = m->terminate(name).has_value();
        if (!ok) ++rejected;
        if (std::uniform_int_distribution<int>(0, 3)(local) == 0) std::this_thread::sleep_for(100us);
      }
    };
    std::thread d1(driver, seed + 1), d2(driver, seed + 2);
    d1.join();
    d2.join();
    requests = ops;
    refused = rejected;
    std::this_thread::sleep_for(100ms);
    report = m->shutdown(10s);
    for (const auto& n : m->resources()) zombies += m->diagnostics(n)->zombies;
  }
  // Abandoned bodies finish within 2 x stop_wait; then every thread is gone.
  std::this_thread::sleep_for(k_stop_wait * 4);
  finished = true;
  watchdog.join();

  // --- the checks ---------------------------------------------------------------
  int failures = 0;
  auto check = [&](bool ok, const std::string& what) {
    if (!ok && failures++ < 20) std::fprintf(stderr, "FAILED: %s\n", what.c_str());
  };
  struct op_record {
    int finals = 0;
    std::uint32_t next_cp = 0;
    bool stopped = false;
    bool ended_online = false;
    bool after_final = false;
  };
  std::map<std::pair<std::string, std::uint64_t>, op_record> by_op;
  long long status_events = 0, terminates = 0, timeouts = 0;
  for (const auto& e : store.events) {
    if (e.operation == 0) continue;
    auto& rec = by_op[{e.resource, e.operation}];
    if (e.kind == pendop::event_kind::terminated) {
      rec.stopped = true;
      ++terminates;
      if (e.reason == pendop::stop_reason::pending_timeout) ++timeouts;
      continue;
    }
    if (e.kind != pendop::event_kind::status) continue;
    ++status_events;
    if (rec.finals > 0) rec.after_final = true;
    check(e.checkpoint == rec.next_cp,
          e.resource + " operation " + std::to_string(e.operation) + ": checkpoint " +
              std::to_string(e.checkpoint) + ", expected " + std::to_string(rec.next_cp));
    rec.next_cp = e.checkpoint + 1;
    if (!pendop::is_pending(e.to)) {
      ++rec.finals;
      rec.ended_online = e.to == pendop::resource_state::online;
    }
  }
  auto history = [&](const std::string& name, std::uint64_t id) {
    std::string h;
    for (const auto& e : store.events) {
      if (e.resource != name || (e.operation != id && e.operation != 0)) continue;
      h += fmt_event(e) + "; ";
    }
    return h;
  };
  for (const auto& [key, rec] : by_op) {
    const std::string op = key.first + " operation " + std::to_string(key.second);
    if (rec.finals != 1) {  // the history is costly: only for a failure
      check(false, op + ": " + std::to_string(rec.finals) + " final states; history: " +
                       history(key.first, key.second));
    }
    check(!rec.after_final, op + ": a report after its final state");
    check(!(rec.stopped && rec.ended_online), op + ": stopped, yet reported Online");
  }
  long long ignored = 0;
  for (const auto& r : res) ignored += r->ignored_stops;
  check(static_cast<long long>(zombies) == ignored,
        "zombies " + std::to_string(zombies) + " != bodies that ignored a stop " +
            std::to_string(ignored));
  check(report.complete(), "shutdown left resources stopping");
  const int threads_after = pendop::platform::process_thread_count().value_or(-1);
  check(threads_after == threads_before, "threads " + std::to_string(threads_after) +
                                             " after the storm, " + std::to_string(threads_before) +
                                             " before");
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf(
      "{\"resources\":%d,\"requests\":%lld,\"refused\":%lld,\"operations\":%zu,\"status_events\":%lld,"
      "\"terminates\":%lld,\"pending_timeouts\":%lld,\"zombies\":%zu,\"seconds\":%.1f,"
      "\"failed_checks\":%d}\n",
      resources, requests, refused, by_op.size(), status_events, terminates, timeouts, zombies,
      seconds, failures);
  return failures == 0 ? 0 : 1;
}
