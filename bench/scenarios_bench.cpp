// SPDX-License-Identifier: MIT
// pendop_bench_scenarios: what the pending-operation model costs, each metric
// against a raw baseline measured in the same run (absolute times on shared
// machines are noisy; ratios are not).
//
//   dispatch           runner.online() until "pending" is returned
//                      vs starting a raw std::jthread
//   terminate_latency  runner.terminate() of a body blocked in operation::wait_for,
//                      until it has exited and been joined
//                      vs raw jthread + condition_variable_any: request_stop + join
//   report             one progress report through the runner to the sink
//                      vs its floor: a mutex-protected counter update plus one
//                      steady_clock::now() (and, without a target, vs the
//                      mutex-protected counter update alone)
//   watchdog_lateness_1
//                      PendingTimeout deadline to the resource's terminate() call,
//                      for 30 operations of one resource, one at a time (each
//                      deadline 100 ms after its Online, on an otherwise idle
//                      monitor; a first one, not counted, warms the path up)
//                      vs the lateness of 30 raw Asio steady timers of 100 ms,
//                      one at a time (the same warm-up)
//   watchdog_lateness  PendingTimeout deadline to the resource's terminate() call,
//                      with N operations pending at once (monitor, Asio timers):
//                      PendingTimeout is 300 ms plus 250 µs per operation, so
//                      every Online has been started when the first deadline
//                      passes (the note says if not)
//                      vs the lateness of N raw Asio steady timers armed up
//                      front for the same deadlines (the monitor's schedule,
//                      shifted), run once the monitor's threads have left
//   idle_scale         N Online resources polled (LooksAlive 5 s, IsAlive 60 s):
//                      monitor CPU as a share of one core; memory per resource (the
//                      larger of resident and heap growth)
//                      (N = 1 000, 10 000 and 100 000, so growth shows)
//
// The storms (terminate, watchdog with N pending) run in five rounds, each
// alternating with its baseline; their metrics compare the medians of the
// rounds' percentiles and show the rounds' spread.
//   report_stream      reports through the monitor to a subscriber that writes each
//                      event as a JSON line (to /dev/null), per report
//                      vs writing the same JSON lines directly
//
// Usage: pendop_bench_scenarios [--quick] [--only NAME]... [--idle-seconds S] [--json FILE]
//        [--svg FILE] [--merge FILE]...   (FILE: more metric lines, e.g. from the Win32 bench)
//   --svg FILE writes the idle monitor's growth (CPU and bytes per resource
//   against N) as a plot.
//   --only NAME runs just that scenario (dispatch, terminate, report, watchdog,
//   report_stream, idle); repeat it for several.
#include <pendop/posix/monitor.hpp>
#include <pendop/posix/resource_runner.hpp>
#include <pendop/platform/thread_count.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <malloc.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bench_stats.hpp"
#include "growth_svg.hpp"

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;
using pendop_bench::metric;
using pendop_bench::percentile;

namespace {

double us_since(clock_type::time_point t0) {
  return std::chrono::duration<double, std::micro>(clock_type::now() - t0).count();
}

// Waits for final reports.
struct final_counter {
  std::mutex mu;
  std::condition_variable cv;
  std::uint64_t finals = 0;

  pendop::status_sink sink() {
    return [this](const pendop::status_report& r) {
      if (!r.final) return;
      std::lock_guard lk(mu);
      ++finals;
      cv.notify_all();
    };
  }
  void await(std::uint64_t n) {
    std::unique_lock lk(mu);
    cv.wait(lk, [&] { return finals >= n; });
  }
};

class instant final : public pendop::resource {
 public:
  pendop::result<void> online(pendop::operation&) override { return pendop::ok(); }
  pendop::result<void> offline(pendop::operation&) override { return pendop::ok(); }
};

class sleeper final : public pendop::resource {
 public:
  pendop::result<void> online(pendop::operation& op) override {
    ready.store(true);
    (void)op.wait_for(1h);
    return pendop::ok();
  }
  pendop::result<void> offline(pendop::operation&) override { return pendop::ok(); }
  std::atomic<bool> ready{false};
};

pendop::posix::resource_runner make_runner(std::shared_ptr<pendop::resource> r,
                                           pendop::status_sink sink) {
  auto runner = pendop::posix::resource_runner::create(std::move(r), std::move(sink));
  if (!runner) {
    std::fprintf(stderr, "bench: %s\n", runner.error().message.c_str());
    std::exit(1);
  }
  return std::move(*runner);
}

// 1. dispatch
std::vector<metric> bench_dispatch(int n) {
  std::vector<double> mine, raw;
  final_counter finals;
  auto runner = make_runner(std::make_shared<instant>(), finals.sink());
  std::uint64_t expected = 0;
  for (int block = 0; block < n / 100 + 1; ++block) {
    for (int i = 0; i < 100; ++i) {
      const auto t0 = clock_type::now();
      std::jthread t([] {});
      raw.push_back(us_since(t0));
    }
    for (int i = 0; i < 100; ++i) {
      const auto t0 = clock_type::now();
      (void)runner.online();
      mine.push_back(us_since(t0));
      finals.await(++expected);
      (void)runner.offline();
      finals.await(++expected);
    }
  }
  metric p99{"dispatch_p99", "us", percentile(mine, 0.99), "raw std::jthread start",
             percentile(raw, 0.99), 1.5, ""};
  metric p50{"dispatch_p50", "us", percentile(mine, 0.50), "raw std::jthread start",
             percentile(raw, 0.50), 1.5, ""};
  return {p50, p99};
}

// 2. terminate_latency: `rounds` rounds of n samples, each sample a raw
// stop and a runner's terminate, alternating; the metric compares the
// medians of the rounds' percentiles.
std::vector<metric> bench_terminate(int n, int round_count) {
  pendop_bench::rounds mine50, raw50, mine99, raw99;
  final_counter finals;
  auto res = std::make_shared<sleeper>();
  auto runner = make_runner(res, finals.sink());
  for (int round = 0; round < round_count; ++round) {
    std::vector<double> mine, raw;
    for (int i = 0; i < n; ++i) {
      {
        std::atomic<bool> ready{false};
        std::jthread t([&](std::stop_token st) {
          std::mutex mu;
          std::condition_variable_any cv;
          std::unique_lock lk(mu);
          ready = true;
          (void)cv.wait(lk, st, [] { return false; });
        });
        while (!ready) std::this_thread::yield();
        std::this_thread::sleep_for(50us);  // let it block in the wait
        const auto t0 = clock_type::now();
        t.request_stop();
        t.join();
        raw.push_back(us_since(t0));
      }
      res->ready = false;
      (void)runner.online();
      while (!res->ready) std::this_thread::yield();
      std::this_thread::sleep_for(50us);
      const auto t0 = clock_type::now();
      runner.terminate();
      mine.push_back(us_since(t0));
    }
    mine50.values.push_back(percentile(mine, 0.50));
    raw50.values.push_back(percentile(raw, 0.50));
    mine99.values.push_back(percentile(mine, 0.99));
    raw99.values.push_back(percentile(raw, 0.99));
  }
  const std::string note = "median of " + std::to_string(round_count) + " rounds of " +
                           std::to_string(n);
  const std::string base = "raw jthread + condition_variable_any";
  return {metric::from_rounds("terminate_latency_p50", "us", mine50, base, raw50, 1.5, note),
          metric::from_rounds("terminate_latency_p99", "us", mine99, base, raw99, 1.5, note)};
}

// 3. report. The floors run on the worker's own thread, right before its
// reports: on a VM the two virtual CPUs can differ in speed from moment to
// moment, and a floor measured on another thread compares two CPUs.
struct report_batch {
  double lock_ns = 0, floor_ns = 0, report_ns = 0;
};

report_batch lock_floors(int k) {
  report_batch b;
  std::mutex mu;
  std::uint64_t counter = 0;
  auto t0 = clock_type::now();
  for (int i = 0; i < k; ++i) {
    std::lock_guard lk(mu);
    ++counter;
  }
  b.lock_ns = us_since(t0) * 1000.0 / k;
  // The floor: what every correct report must do at least, take a lock
  // that excludes a concurrent stop and read the clock (its timestamp, and
  // the PendingTimeout deadline it moves).
  clock_type::time_point last{};
  t0 = clock_type::now();
  for (int i = 0; i < k; ++i) {
    std::lock_guard lk(mu);
    ++counter;
    last = clock_type::now();
  }
  b.floor_ns = us_since(t0) * 1000.0 / k;
  if (counter == 0 || last == clock_type::time_point{}) std::abort();
  return b;
}

std::vector<metric> bench_report(int batches, int per_batch) {
  std::vector<double> mine, raw, floor;
  // The sink counts (the runner never calls it concurrently for a resource).
  std::uint64_t seen = 0;
  for (int b = 0; b < batches; ++b) {
    report_batch got;
    class reporter final : public pendop::resource {
     public:
      reporter(int k, report_batch& out) : k_(k), out_(out) {}
      pendop::result<void> online(pendop::operation& op) override {
        out_ = lock_floors(k_);
        const pendop::progress p{.stage = "copy", .percent = 50};
        const auto t0 = clock_type::now();
        for (int i = 0; i < k_; ++i) (void)op.report(p);
        out_.report_ns = us_since(t0) * 1000.0 / k_;
        return pendop::ok();
      }
      pendop::result<void> offline(pendop::operation&) override { return pendop::ok(); }

     private:
      int k_;
      report_batch& out_;
    };
    final_counter finals;
    auto runner = make_runner(std::make_shared<reporter>(per_batch, got),
                              [&](const pendop::status_report& r) {
                                ++seen;
                                if (r.final) finals.sink()(r);
                              });
    (void)runner.online();
    finals.await(1);
    mine.push_back(got.report_ns);
    floor.push_back(got.floor_ns);
    raw.push_back(got.lock_ns);
  }
  if (seen < static_cast<std::uint64_t>(batches) * per_batch) std::abort();
  const double p50 = percentile(mine, 0.50);
  return {metric{"report_p50", "ns", p50, "mutex-protected counter update + steady_clock::now()",
                 percentile(floor, 0.50), 1.5, "the floor of a correct report, on the same thread"},
          metric{"report_p50_vs_mutex", "ns", p50, "mutex-protected counter update",
                 percentile(raw, 0.50), 0, "for comparison: the lock alone"}};
}

// 4. watchdog_lateness
class timed_out final : public pendop::resource {
 public:
  pendop::result<void> online(pendop::operation& op) override {
    (void)op.wait_for(1h);
    return pendop::ok();
  }
  pendop::result<void> offline(pendop::operation&) override { return pendop::ok(); }
  void terminate() noexcept override { called = clock_type::now(); }
  clock_type::time_point deadline{};
  clock_type::time_point called{};
};

// Waits (up to 30 s) until the process is back to `threads` threads: the
// threads an earlier scenario left parked or leaving must not load the
// machine while the next one is measured. (The monitor's parked threads
// leave 1 ms apart once it is quiet: 10 000 of them take about 11 s.)
void await_threads(int threads) {
  const auto give_up = clock_type::now() + 30s;
  while (pendop::platform::process_thread_count().value_or(0) > threads &&
         clock_type::now() < give_up) {
    std::this_thread::sleep_for(10ms);
  }
}

// 4a. watchdog_lateness_1: one operation pending at a time, many times (a
// single sample would be mostly noise, and the path's first run pays for
// the code it touches first: page faults, symbol binding).
std::vector<metric> bench_watchdog_alone(int samples, int quiet_threads) {
  constexpr auto timeout = 100ms;
  std::vector<double> mine, raw;
  {
    pendop::resource_properties p;
    p.pending_timeout = timeout;
    p.restart = pendop::restart_action::dont_restart;
    auto m = pendop::posix::monitor::create({.grow_futex_hash = true});
    if (!m) std::exit(1);
    auto r = std::make_shared<timed_out>();
    std::mutex mu;
    std::condition_variable cv;
    int failed = 0;
    auto events = m->subscribe([&](const pendop::monitor_event& e) {
      if (e.kind != pendop::event_kind::status) return;
      std::lock_guard lk(mu);
      if (e.to == pendop::resource_state::online_pending && e.checkpoint == 0) {
        r->deadline = e.at + timeout;
      } else if (e.to == pendop::resource_state::failed) {
        ++failed;
        cv.notify_all();
      }
    });
    (void)m->add("alone", r, p);
    for (int i = 0; i <= samples; ++i) {  // the first is the warm-up
      (void)m->online("alone");
      std::unique_lock lk(mu);
      cv.wait(lk, [&] { return failed == i + 1; });
      if (i > 0) {
        mine.push_back(std::chrono::duration<double, std::micro>(r->called - r->deadline).count());
      }
    }
    (void)m->shutdown(10s);
  }
  await_threads(quiet_threads);
  {
    boost::asio::io_context io;
    boost::asio::steady_timer t(io);
    for (int i = 0; i <= samples; ++i) {
      t.expires_after(timeout);
      const auto expiry = t.expiry();
      t.async_wait([&, i, expiry](const boost::system::error_code&) {
        if (i > 0) {
          raw.push_back(std::chrono::duration<double, std::micro>(clock_type::now() - expiry).count());
        }
      });
      io.run();
      io.restart();
    }
  }
  const std::string note = std::to_string(samples) + " operations, one at a time";
  return {metric{"watchdog_lateness_1_p50", "us", percentile(mine, 0.50),
                 "raw Asio steady_timer lateness", percentile(raw, 0.50), 1.5, note},
          metric{"watchdog_lateness_1_p99", "us", percentile(mine, 0.99),
                 "raw Asio steady_timer lateness", percentile(raw, 0.99), 1.5, note}};
}

// 4b. watchdog_lateness_N: N operations pending at once. One round: the
// monitor's lateness for N deadlines, then N raw timers' on the same
// schedule.
struct watchdog_round {
  std::vector<double> mine, raw;
  std::string overlap_note;
};

watchdog_round run_watchdog_round(int n, int quiet_threads) {
  // All N pending at once: the Online calls (about 100 µs each here) end
  // before the first deadline. The baseline's raw timers fall due on the
  // same schedule as the monitor's deadlines (one per Online call), so both
  // face the same spread of deadlines, not a burst that only one of them has.
  const auto timeout = 300ms + std::chrono::duration_cast<std::chrono::milliseconds>(n * 250us);
  std::vector<double> mine, raw;
  std::string overlap_note;
  std::vector<clock_type::time_point> schedule;
  {
    pendop::resource_properties p;
    p.pending_timeout = timeout;
    p.restart = pendop::restart_action::dont_restart;
    auto m = pendop::posix::monitor::create({.grow_futex_hash = true});
    if (!m) std::exit(1);
    std::vector<std::shared_ptr<timed_out>> res;
    std::mutex mu;
    std::condition_variable cv;
    std::size_t failed = 0;
    std::map<std::string, timed_out*> by_name;
    auto events = m->subscribe([&](const pendop::monitor_event& e) {
      if (e.kind != pendop::event_kind::status) return;
      std::lock_guard lk(mu);
      if (e.to == pendop::resource_state::online_pending && e.checkpoint == 0) {
        by_name[e.resource]->deadline = e.at + timeout;
      } else if (e.to == pendop::resource_state::failed) {
        // Wake the waiting thread once, at the end: it must not compete
        // with the timeouts it measures.
        if (++failed == static_cast<std::size_t>(n)) cv.notify_all();
      }
    });
    for (int i = 0; i < n; ++i) {
      auto r = std::make_shared<timed_out>();
      const std::string name = "r" + std::to_string(i);
      {
        std::lock_guard lk(mu);
        by_name[name] = r.get();
      }
      (void)m->add(name, r, p);
      res.push_back(std::move(r));
    }
    for (int i = 0; i < n; ++i) (void)m->online("r" + std::to_string(i));
    {
      std::unique_lock lk(mu);
      cv.wait(lk, [&] { return failed == static_cast<std::size_t>(n); });
    }
    const auto first_deadline = res.front()->deadline;
    int pending_at_first = 0;
    for (const auto& r : res) {
      mine.push_back(std::chrono::duration<double, std::micro>(r->called - r->deadline).count());
      if (r->deadline - timeout <= first_deadline) ++pending_at_first;
      schedule.push_back(r->deadline);
    }
    if (pending_at_first < n) {
      overlap_note = std::to_string(pending_at_first) + " of " + std::to_string(n) +
                     " pending at the first deadline";
    }
    (void)m->shutdown(10s);
  }
  // The baseline: the same deadlines, shifted to start one timeout from now,
  // on raw timers armed up front, once the bodies' threads have left.
  await_threads(quiet_threads);
  {
    boost::asio::io_context io;
    std::vector<std::unique_ptr<boost::asio::steady_timer>> timers;
    const auto base = clock_type::now() + timeout;
    const auto first = schedule.front();
    for (const auto d : schedule) {
      auto t = std::make_unique<boost::asio::steady_timer>(io, base + (d - first));
      const auto expiry = t->expiry();
      t->async_wait([&raw, expiry](const boost::system::error_code&) {
        raw.push_back(std::chrono::duration<double, std::micro>(clock_type::now() - expiry).count());
      });
      timers.push_back(std::move(t));
    }
    io.run();
  }
  return {std::move(mine), std::move(raw), std::move(overlap_note)};
}

// `round_count` rounds, each the monitor then its baseline; the metric
// compares the medians of the rounds' percentiles.
std::vector<metric> bench_watchdog(int n, int quiet_threads, int round_count) {
  pendop_bench::rounds mine50, raw50, mine99, raw99;
  std::string overlap_note;
  for (int round = 0; round < round_count; ++round) {
    await_threads(quiet_threads);
    auto r = run_watchdog_round(n, quiet_threads);
    mine50.values.push_back(percentile(r.mine, 0.50));
    raw50.values.push_back(percentile(r.raw, 0.50));
    mine99.values.push_back(percentile(r.mine, 0.99));
    raw99.values.push_back(percentile(r.raw, 0.99));
    if (!r.overlap_note.empty()) overlap_note = r.overlap_note;
  }
  const std::string name = "watchdog_lateness_" + std::to_string(n);
  const std::string base = "raw Asio steady_timer lateness";
  std::string note = "median of " + std::to_string(round_count) + " rounds";
  if (!overlap_note.empty()) note += "; " + overlap_note;
  auto p99 = metric::from_rounds(name + "_p99", "us", mine99, base, raw99, 1.5, note);
  if (n >= 10'000) p99.note += p99.value < 2000 ? "; p99 under 2 ms" : "; p99 over 2 ms";
  return {metric::from_rounds(name + "_p50", "us", mine50, base, raw50, 1.5, note), p99};
}

// 4c. report_stream
std::vector<metric> bench_report_stream(int reports) {
  std::FILE* sink = std::fopen("/dev/null", "w");
  if (!sink) std::exit(1);
  auto m = pendop::posix::monitor::create({.grow_futex_hash = true});
  if (!m) std::exit(1);
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  std::uint64_t lines = 0;
  pendop::monitor_event sample;
  const auto epoch = m->epoch();
  auto events = m->subscribe([&](const pendop::monitor_event& e) {
    std::fputs(pendop::to_json_line(e, epoch).c_str(), sink);
    std::fputc('\n', sink);
    std::lock_guard lk(mu);
    ++lines;
    if (e.kind == pendop::event_kind::status && e.checkpoint == 1) sample = e;
    if (e.kind == pendop::event_kind::status && e.to == pendop::resource_state::online) {
      done = true;
      cv.notify_all();
    }
  });
  class reporter final : public pendop::resource {
   public:
    explicit reporter(int k) : k_(k) {}
    pendop::result<void> online(pendop::operation& op) override {
      for (int i = 0; i < k_; ++i) {
        (void)op.report({.stage = "copy", .percent = i * 100 / k_, .text = "block"});
      }
      return pendop::ok();
    }
    pendop::result<void> offline(pendop::operation&) override { return pendop::ok(); }

   private:
    int k_;
  };
  (void)m->add("stream", std::make_shared<reporter>(reports));
  const auto t0 = clock_type::now();
  (void)m->online("stream");
  {
    std::unique_lock lk(mu);
    cv.wait(lk, [&] { return done; });
  }
  const double mine = us_since(t0) * 1000.0 / reports;
  (void)m->shutdown(10s);
  // The same lines written directly.
  const auto t1 = clock_type::now();
  for (int i = 0; i < reports; ++i) {
    sample.checkpoint = static_cast<std::uint32_t>(i + 1);
    std::fputs(pendop::to_json_line(sample, epoch).c_str(), sink);
    std::fputc('\n', sink);
  }
  const double raw = us_since(t1) * 1000.0 / reports;
  std::fclose(sink);
  const double per_second = 1e9 / mine;
  char note[128];
  std::snprintf(note, sizeof note, "%.0f reports per second through the monitor", per_second);
  return {metric{"report_stream_per_report", "ns", mine, "the same JSON lines written directly",
                 raw, 3.0, note}};
}

// 5. idle_scale
// Bytes the allocator has handed out and not taken back. Unlike the
// resident size it counts memory reused from earlier scenarios' frees.
double heap_in_use() {
  const struct mallinfo2 m = mallinfo2();
  return static_cast<double>(m.uordblks + m.hblkhd);
}

long rss_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

class idle final : public pendop::resource {
 public:
  pendop::result<void> online(pendop::operation&) override { return pendop::ok(); }
  pendop::result<void> offline(pendop::operation&) override { return pendop::ok(); }
  bool looks_alive() noexcept override { return true; }
  bool is_alive() noexcept override { return true; }
};

std::vector<metric> bench_idle(int n, int seconds) {
  auto m = pendop::posix::monitor::create({.grow_futex_hash = true});
  if (!m) std::exit(1);
  std::mutex mu;
  std::condition_variable cv;
  int online = 0;
  auto events = m->subscribe([&](const pendop::monitor_event& e) {
    if (e.kind == pendop::event_kind::status && e.to == pendop::resource_state::online) {
      std::lock_guard lk(mu);
      ++online;
      cv.notify_all();
    }
  });
  // Settle the allocator and the monitor's threads before the first reading.
  (void)m->add("warm-up", std::make_shared<idle>());
  (void)m->online("warm-up");
  {
    std::unique_lock lk(mu);
    cv.wait(lk, [&] { return online == 1; });
  }
  std::this_thread::sleep_for(100ms);
  const long before = rss_kib();
  const double heap_before = heap_in_use();
  for (int i = 0; i < n; ++i) {
    const std::string name = "idle" + std::to_string(i);
    (void)m->add(name, std::make_shared<idle>());
    (void)m->online(name);
  }
  {
    std::unique_lock lk(mu);
    cv.wait(lk, [&] { return online == n + 1; });
  }
  std::this_thread::sleep_for(200ms);  // worker threads of the Online calls have exited
  const long after = rss_kib();
  const double heap_after = heap_in_use();
  const int threads = pendop::platform::process_thread_count().value_or(-1);
  const double cpu0 = cpu_seconds();
  const auto t0 = clock_type::now();
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  const double share = (cpu_seconds() - cpu0) /
                       std::chrono::duration<double>(clock_type::now() - t0).count();
  (void)m->shutdown(10s);
  // The larger of the resident growth and the heap growth: neither memory
  // reused from earlier frees nor memory outside the heap goes unseen.
  const double per_resource =
      std::max(static_cast<double>(after - before) * 1024.0, heap_after - heap_before) / n;
  char note[128];
  std::snprintf(note, sizeof note, "%d threads in the process while %d resources were Online",
                threads, n + 1);
  return {metric{"idle_scale_cpu_share_" + std::to_string(n), "percent of one core", share * 100.0,
                 "1 percent of one core", 1.0, 1.0, note},
          metric{"idle_scale_memory_per_resource_" + std::to_string(n), "bytes", per_resource,
                 "4 KiB", 4096.0, 1.0, note}};
}

std::string machine_json() {
  utsname u{};
  uname(&u);
  std::string cpu = "unknown";
  std::ifstream info("/proc/cpuinfo");
  for (std::string line; std::getline(info, line);) {
    if (line.rfind("model name", 0) == 0) {
      cpu = line.substr(line.find(':') + 2);
      break;
    }
  }
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "{\"cpu\":\"%s\",\"cores\":%u,\"kernel\":\"%s %s\",\"compiler\":\"GCC %d.%d\"}",
                cpu.c_str(), std::thread::hardware_concurrency(), u.sysname, u.release, __GNUC__,
                __GNUC_MINOR__);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  int idle_seconds = 30;
  std::string json_path;
  std::string svg_path;
  std::vector<std::string> merges;
  std::vector<std::string> only;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--quick") {
      quick = true;
    } else if (a == "--idle-seconds" && i + 1 < argc) {
      idle_seconds = std::atoi(argv[++i]);
    } else if (a == "--json" && i + 1 < argc) {
      json_path = argv[++i];
    } else if (a == "--svg" && i + 1 < argc) {
      svg_path = argv[++i];
    } else if (a == "--merge" && i + 1 < argc) {
      merges.push_back(argv[++i]);
    } else if (a == "--only" && i + 1 < argc) {
      only.emplace_back(argv[++i]);
    } else {
      std::fprintf(stderr,
                   "usage: pendop_bench_scenarios [--quick] [--only NAME]... [--idle-seconds S] "
                   "[--json FILE] "
                   "[--svg FILE] [--merge FILE]...\n");
      return 2;
    }
  }
  if (quick) idle_seconds = 1;

  std::vector<metric> all;
  auto add = [&](std::vector<metric> ms) {
    for (auto& m : ms) {
      std::string spread;
      if (m.spread && m.baseline_spread) {
        char buf[128];
        std::snprintf(buf, sizeof buf, "  [%.1f-%.1f vs %.1f-%.1f]", m.spread->first,
                      m.spread->second, m.baseline_spread->first, m.baseline_spread->second);
        spread = buf;
      }
      char target[32] = "no target";
      if (m.has_target()) std::snprintf(target, sizeof target, "target <= %.2f", m.target_ratio);
      std::fprintf(stderr, "  %-40s %10.2f %-5s vs %10.2f (%s)  ratio %.2f  %s  %s%s\n",
                   m.name.c_str(), m.value, m.unit.c_str(), m.baseline_value,
                   m.baseline_name.c_str(), m.ratio(), target, m.verdict(), spread.c_str());
      all.push_back(std::move(m));
    }
  };
  const auto selected = [&](std::string_view name) {
    return only.empty() || std::find(only.begin(), only.end(), name) != only.end();
  };
  std::fprintf(stderr, "pendop benchmarks%s\n", quick ? " (quick)" : "");
  // Each scenario after the first starts once the threads an earlier one
  // left parked or leaving are gone.
  const int quiet_threads = pendop::platform::process_thread_count().value_or(0);
  if (selected("dispatch")) add(bench_dispatch(quick ? 100 : 2000));
  const int storm_rounds = quick ? 2 : 5;
  if (selected("terminate")) add(bench_terminate(quick ? 50 : 1000, storm_rounds));
  if (selected("report")) add(bench_report(quick ? 3 : 30, quick ? 1000 : 100'000));
  if (selected("watchdog")) {
    await_threads(quiet_threads);
    add(bench_watchdog_alone(quick ? 5 : 30, quiet_threads));
    for (int n : quick ? std::vector<int>{100} : std::vector<int>{1000, 10'000}) {
      add(bench_watchdog(n, quiet_threads, storm_rounds));
    }
  }
  if (selected("report_stream")) {
    await_threads(quiet_threads);
    add(bench_report_stream(quick ? 2000 : 200'000));
  }
  if (selected("idle")) {
    for (int n : quick ? std::vector<int>{200, 1000} : std::vector<int>{1000, 10'000, 100'000}) {
      await_threads(quiet_threads);
      add(bench_idle(n, idle_seconds));
    }
  }

  if (!svg_path.empty()) {
    // The idle monitor's growth: CPU and memory per resource against N.
    std::map<double, pendop_bench::growth_point> growth;
    const std::string cpu_prefix = "idle_scale_cpu_share_";
    const std::string mem_prefix = "idle_scale_memory_per_resource_";
    for (const auto& m : all) {
      if (m.name.rfind(cpu_prefix, 0) == 0) {
        const double n = std::stod(m.name.substr(cpu_prefix.size()));
        growth[n].resources = n;
        growth[n].cpu_percent = m.value;
      } else if (m.name.rfind(mem_prefix, 0) == 0) {
        const double n = std::stod(m.name.substr(mem_prefix.size()));
        growth[n].resources = n;
        growth[n].bytes_per_resource = m.value;
      }
    }
    std::vector<pendop_bench::growth_point> pts;
    for (const auto& [n, p] : growth) pts.push_back(p);
    if (!pts.empty()) {
      std::ofstream(svg_path) << pendop_bench::growth_svg(pts, 1.0, 4096.0);
      std::fprintf(stderr, "wrote %s\n", svg_path.c_str());
    }
  }

  std::string out = "{\"machine\":" + machine_json() + ",\"metrics\":[";
  for (std::size_t i = 0; i < all.size(); ++i) out += (i ? "," : "") + all[i].to_json();
  for (const auto& path : merges) {
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) {
      if (line.empty() || line[0] != '{') continue;
      out += "," + line;
      std::fprintf(stderr, "  (merged) %s\n", line.c_str());
    }
  }
  out += "]}\n";
  if (!json_path.empty()) {
    std::ofstream(json_path) << out;
    std::fprintf(stderr, "wrote %s\n", json_path.c_str());
  } else {
    std::fputs(out.c_str(), stdout);
  }
  return 0;
}
