// SPDX-License-Identifier: MIT
// The conformance suite: every rule of docs/resapi.md about pending
// operations, written once as a doctest template and run against every host
// (label conformance). A host is a small adapter type:
//
//   static constexpr host_traits traits;     what the host's consumer sees
//   explicit H(std::shared_ptr<scripted_resource>, host_config);
//   start_answer online(), offline();        the entry points
//   void terminate();                        ResApi Terminate
//   start_answer cancel();                   (traits.cancel) V2 Cancel
//   void close();                            (traits.close) ResApi Close
//   void advance(duration);                  (traits.virtual_time) move time
//   std::vector<seen_report> reports();      what the host's consumer got
//   void await_reports(std::size_t n);       ... until there are n
//   std::size_t zombies();
//   std::string last_error();                the text of the last failure
//   void answer_terminate_from(std::size_t n);  (traits.answers_terminate)
//                                            the consumer answers every
//                                            report from the n-th on with
//                                            ResourceExitStateTerminate
//
// Hosts differ only where docs/resapi.md says they do (traits); every other
// expectation is the same line for all of them. No rule sleeps: bodies block
// on gates or on the host's clock, and "nothing more happened" is checked
// once the body has returned (a body reports before it returns).
//
// Each host's test file invokes PENDOP_CONFORMANCE_SUITE(host_type), plus
// PENDOP_CONFORMANCE_TIMING for hosts on virtual time,
// PENDOP_CONFORMANCE_CLOSE for hosts with ResApi Close and
// PENDOP_CONFORMANCE_RESOURCE_DLL for the resource DLL's own entry points.
#pragma once

#include <pendop/operation.hpp>
#include <pendop/result.hpp>
#include <pendop/states.hpp>

#include <doctest/doctest.h>

#include "scripted_resource.hpp"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace pendop_conformance {

using namespace std::chrono_literals;
using pendop::duration;
using pendop::exit_state;
using pendop::resource_state;
using pendop_test::gate;
using pendop_test::scripted_resource;

/// Where hosts differ, as docs/resapi.md states.
struct host_traits {
  /// The consumer gets the pending state as a report with CheckPoint 0
  /// (pendop's own hosts); a resource DLL's monitor sets it from
  /// ERROR_IO_PENDING itself, so body reports start at CheckPoint 1.
  bool reports_start = true;
  /// Terminate's final state is reported (POSIX hosts); the Resource Monitor
  /// that calls Terminate decides the state itself (resource DLL).
  bool reports_terminate = true;
  /// The consumer can answer a report with ResourceExitStateTerminate.
  bool answers_terminate = false;
  /// Time is virtual (PendingTimeout and the operation limit are enforced
  /// by the host and tested here).
  bool virtual_time = false;
  /// V2 Cancel is a resource-DLL entry point.
  bool cancel = false;
  /// The host has ResApi Close (PENDOP_CONFORMANCE_CLOSE).
  bool close = false;
  /// Starting a started resource succeeds without running anything (OCF's
  /// rule); elsewhere an Online of an Online resource is refused.
  bool start_of_started_succeeds = false;
};

/// How a rule sets a host up.
struct host_config {
  pendop::milliseconds pending_timeout = 180s;
  /// How long a stop waits for a body before abandoning it.
  duration stop_wait = 2s;
  /// pendop's operation limit (virtual-time hosts).
  std::optional<duration> operation_limit{};
};

/// What an entry point answered.
struct start_answer {
  enum class kind { pending, settled, refused } what = kind::refused;
  std::string error;  // refused: why
};

/// One report as the host's consumer saw it.
struct seen_report {
  resource_state state = resource_state::unknown;
  std::uint32_t checkpoint = 0;
  [[nodiscard]] bool final() const { return !pendop::is_pending(state); }
};

inline std::size_t finals(const std::vector<seen_report>& rs) {
  std::size_t n = 0;
  for (const auto& r : rs) n += r.final() ? 1 : 0;
  return n;
}

/// The checkpoints of one operation's reports: from 0 (or 1 where the
/// consumer sets the pending state itself), each one higher, the final last.
inline void check_one_operation(const std::vector<seen_report>& rs, const host_traits& t,
                                bool expect_final = true) {
  REQUIRE_FALSE(rs.empty());
  const std::uint32_t first = t.reports_start ? 0 : 1;
  for (std::size_t i = 0; i < rs.size(); ++i) {
    CAPTURE(i);
    CHECK(rs[i].checkpoint == first + i);
    if (i + 1 < rs.size()) CHECK_FALSE(rs[i].final());
  }
  CHECK(rs.back().final() == expect_final);
}

/// Counts a body's returns, so a rule knows when no more can come from it.
class body_tracker {
 public:
  scripted_resource::body wrap(scripted_resource::body b) {
    return [this, b = std::move(b)](pendop::operation& op) {
      auto r = b(op);
      done_.store(true);
      returned_.arrive();
      return r;
    };
  }
  void await_return() { returned_.await_arrival(); }
  [[nodiscard]] bool has_returned() const { return done_.load(); }

 private:
  gate returned_;
  std::atomic<bool> done_{false};
};

// Waits (bounded, by condition) for a host to have `n` reports.
template <class H>
void await_reports(H& h, std::size_t n) {
  h.await_reports(n);
  REQUIRE(h.reports().size() >= n);
}

// --- the rules ---------------------------------------------------------------

TEST_CASE_TEMPLATE_DEFINE("Online returns pending at once and ends Online", H, rule_pending) {
  gate release;
  gate inside;
  auto res = std::make_shared<scripted_resource>([&](pendop::operation&) {
    inside.arrive();
    release.wait();
    return pendop::ok();
  });
  H h(res, {});
  CHECK(h.online().what == start_answer::kind::pending);  // while the body is blocked
  inside.await_arrival();
  release.open();
  await_reports(h, H::traits.reports_start ? 2 : 1);
  const auto rs = h.reports();
  check_one_operation(rs, H::traits);
  CHECK(rs.back().state == resource_state::online);
}

TEST_CASE_TEMPLATE_DEFINE("reports carry CheckPoint plus one and end in exactly one final",
                          H, rule_checkpoints) {
  auto res = std::make_shared<scripted_resource>([](pendop::operation& op) {
    for (int i = 0; i < 3; ++i) CHECK(op.report({.stage = "step"}) == exit_state::proceed);
    return pendop::ok();
  });
  H h(res, {});
  REQUIRE(h.online().what == start_answer::kind::pending);
  await_reports(h, (H::traits.reports_start ? 1 : 0) + 4);
  const auto rs = h.reports();
  CHECK(rs.size() == (H::traits.reports_start ? 1u : 0u) + 4u);
  check_one_operation(rs, H::traits);
  CHECK(rs.back().state == resource_state::online);
}

TEST_CASE_TEMPLATE_DEFINE("Terminate during Online: the body is woken, nothing after the stop",
                          H, rule_terminate_online) {
  body_tracker body;
  std::atomic<exit_state> late{exit_state::proceed};
  auto res = std::make_shared<scripted_resource>(body.wrap([&](pendop::operation& op) {
    (void)op.report({.stage = "starting"});
    (void)op.wait_for(24h);  // woken by the stop
    late = op.report({.stage = "after the stop"});
    return pendop::ok();     // a success after the stop: never Online
  }));
  H h(res, {});
  REQUIRE(h.online().what == start_answer::kind::pending);
  await_reports(h, H::traits.reports_start ? 2 : 1);
  h.terminate();
  body.await_return();
  CHECK(late.load() == exit_state::terminate);
  CHECK(res->terminates == 1);
  const auto rs = h.reports();
  if (H::traits.reports_terminate) {
    check_one_operation(rs, H::traits);
    CHECK(rs.back().state == resource_state::offline);
  } else {
    check_one_operation(rs, H::traits, /*expect_final=*/false);
  }
  for (const auto& r : rs) CHECK(r.state != resource_state::online);
}

TEST_CASE_TEMPLATE_DEFINE("Terminate during Offline ends Offline with nothing after it", H,
                          rule_terminate_offline) {
  body_tracker body;
  auto res = std::make_shared<scripted_resource>(
      scripted_resource::ok_body(), body.wrap([](pendop::operation& op) {
        (void)op.wait_for(24h);
        (void)op.report({.stage = "after the stop"});
        return pendop::ok();
      }));
  H h(res, {});
  REQUIRE(h.online().what == start_answer::kind::pending);
  await_reports(h, H::traits.reports_start ? 2 : 1);
  const std::size_t before = h.reports().size();
  REQUIRE(h.offline().what == start_answer::kind::pending);
  if (H::traits.reports_start) await_reports(h, before + 1);
  h.terminate();
  body.await_return();
  const auto all = h.reports();
  const std::vector<seen_report> rs(all.begin() + static_cast<std::ptrdiff_t>(before), all.end());
  if (H::traits.reports_terminate) {
    check_one_operation(rs, H::traits);
    CHECK(rs.back().state == resource_state::offline);
  } else {
    CHECK(finals(rs) == 0);
  }
}

TEST_CASE_TEMPLATE_DEFINE("Terminate racing the final report: one final state, never two", H,
                          rule_terminate_race) {
  for (int round = 0; round < 20; ++round) {
    CAPTURE(round);
    gate go;
    auto res = std::make_shared<scripted_resource>([&](pendop::operation&) {
      go.wait();
      return pendop::ok();
    });
    H h(res, {});
    REQUIRE(h.online().what == start_answer::kind::pending);
    std::jthread racer([&] { go.open(); });
    h.terminate();
    racer.join();
    // Either the body won (Online, then Terminate takes it Offline) or the
    // stop did (Offline): one final per operation, Online at most once.
    const auto rs = h.reports();
    std::size_t onlines = 0;
    for (const auto& r : rs) onlines += r.state == resource_state::online ? 1 : 0;
    CHECK(onlines <= 1);
    if (H::traits.reports_terminate) {
      REQUIRE_FALSE(rs.empty());
      CHECK(rs.back().state == resource_state::offline);
      CHECK(finals(rs) == onlines + 1);
    } else {
      CHECK(finals(rs) == onlines);
    }
  }
}

TEST_CASE_TEMPLATE_DEFINE("a body that throws ends Failed once, the text kept", H,
                          rule_throws) {
  auto res = std::make_shared<scripted_resource>([](pendop::operation&) -> pendop::result<void> {
    throw std::runtime_error("disk gone");
  });
  H h(res, {});
  REQUIRE(h.online().what == start_answer::kind::pending);
  await_reports(h, H::traits.reports_start ? 2 : 1);
  const auto rs = h.reports();
  check_one_operation(rs, H::traits);
  CHECK(rs.back().state == resource_state::failed);
  CHECK(h.last_error().find("disk gone") != std::string::npos);
}

TEST_CASE_TEMPLATE_DEFINE("a body that returns an error ends Failed once", H, rule_error) {
  auto res = std::make_shared<scripted_resource>([](pendop::operation&) {
    return pendop::result<void>(pendop::make_error(pendop::errc::invalid_argument, "port in use"));
  });
  H h(res, {});
  REQUIRE(h.online().what == start_answer::kind::pending);
  await_reports(h, H::traits.reports_start ? 2 : 1);
  const auto rs = h.reports();
  check_one_operation(rs, H::traits);
  CHECK(rs.back().state == resource_state::failed);
  CHECK(h.last_error().find("port in use") != std::string::npos);
}

TEST_CASE_TEMPLATE_DEFINE("a body that ignores stop is a counted zombie and holds nobody", H,
                          rule_zombie) {
  body_tracker body;
  gate release;
  gate inside;
  auto res = std::make_shared<scripted_resource>(body.wrap([&](pendop::operation& op) {
    inside.arrive();
    release.wait();  // ignores every stop
    (void)op.report({.stage = "a zombie's report"});
    return pendop::ok();
  }));
  host_config c;
  c.stop_wait = 200ms;
  H h(res, c);
  REQUIRE(h.online().what == start_answer::kind::pending);
  inside.await_arrival();
  const auto t0 = std::chrono::steady_clock::now();
  h.terminate();
  CHECK(std::chrono::steady_clock::now() - t0 < 30s);  // bounded by stop_wait, not the body
  CHECK(h.zombies() == 1);
  const auto rs = h.reports();
  if (H::traits.reports_terminate) {
    check_one_operation(rs, H::traits);
    CHECK(rs.back().state == resource_state::offline);
  }
  release.open();
  body.await_return();  // the zombie has returned: it reported nothing
  CHECK(h.reports().size() == rs.size());
}

TEST_CASE_TEMPLATE_DEFINE("Offline of an Offline resource settles at once and runs nothing", H,
                          rule_offline_of_offline) {
  std::atomic<int> ran{0};
  auto res = std::make_shared<scripted_resource>(scripted_resource::ok_body(),
                                                 [&](pendop::operation&) {
                                                   ++ran;
                                                   return pendop::ok();
                                                 });
  H h(res, {});
  CHECK(h.offline().what == start_answer::kind::settled);
  CHECK(ran == 0);
  CHECK(finals(h.reports()) == (H::traits.reports_start ? 1u : 0u));
  for (const auto& r : h.reports()) CHECK(r.state == resource_state::offline);
}

TEST_CASE_TEMPLATE_DEFINE("Online of an Online resource is refused (OCF: succeeds) and runs nothing", H,
                          rule_online_of_online) {
  std::atomic<int> ran{0};
  auto res = std::make_shared<scripted_resource>([&](pendop::operation&) {
    ++ran;
    return pendop::ok();
  });
  H h(res, {});
  REQUIRE(h.online().what == start_answer::kind::pending);
  await_reports(h, H::traits.reports_start ? 2 : 1);
  const std::size_t n = h.reports().size();
  const auto again = h.online();
  CHECK(ran == 1);
  if (H::traits.start_of_started_succeeds) {
    CHECK(again.what == start_answer::kind::settled);
    const auto rs = h.reports();
    REQUIRE(rs.size() == n + (H::traits.reports_start ? 1 : 0));
    CHECK(rs.back().state == resource_state::online);
  } else {
    CHECK(again.what == start_answer::kind::refused);
    CHECK(h.reports().size() == n);
  }
}

TEST_CASE_TEMPLATE_DEFINE("a second Online while one is pending is refused", H,
                          rule_online_while_pending) {
  gate release;
  auto res = std::make_shared<scripted_resource>([&](pendop::operation&) {
    release.wait();
    return pendop::ok();
  });
  H h(res, {});
  REQUIRE(h.online().what == start_answer::kind::pending);
  CHECK(h.online().what == start_answer::kind::refused);
  CHECK(h.offline().what == start_answer::kind::refused);
  release.open();
  await_reports(h, H::traits.reports_start ? 2 : 1);
  check_one_operation(h.reports(), H::traits);
}

TEST_CASE_TEMPLATE_DEFINE("Terminate from two threads at once: one stop, both return after it", H,
                          rule_concurrent_terminate) {
  body_tracker body;
  auto res = std::make_shared<scripted_resource>(body.wrap([](pendop::operation& op) {
    (void)op.wait_for(24h);
    return pendop::ok();
  }));
  H h(res, {});
  REQUIRE(h.online().what == start_answer::kind::pending);
  std::atomic<int> returned_early{0};
  {
    auto stop = [&] {
      h.terminate();
      if (!body.has_returned()) ++returned_early;  // each caller returns with the body over
    };
    std::jthread a(stop);
    std::jthread b(stop);
  }
  CHECK(returned_early == 0);
  CHECK(res->terminates >= 1);  // once for the stop; a Terminate that came after may call again
  const auto rs = h.reports();
  CHECK(finals(rs) == (H::traits.reports_terminate ? 1u : 0u));
}

TEST_CASE_TEMPLATE_DEFINE("Terminate of an Online resource calls terminate() and leaves it down",
                          H, rule_terminate_settled) {
  H h(std::make_shared<scripted_resource>(), {});
  REQUIRE(h.online().what == start_answer::kind::pending);
  await_reports(h, H::traits.reports_start ? 2 : 1);
  const std::size_t n = h.reports().size();
  h.terminate();
  const auto rs = h.reports();
  if (H::traits.reports_terminate) {
    REQUIRE(rs.size() == n + 1);
    CHECK(rs.back().state == resource_state::offline);
  } else {
    CHECK(rs.size() == n);
  }
  // Down means a new Online is accepted.
  CHECK(h.online().what == start_answer::kind::pending);
}

// --- host-specific rules (by trait) ---------------------------------------------

TEST_CASE_TEMPLATE_DEFINE("PendingTimeout is an inactivity timer between reports", H,
                          rule_pending_timeout) {
  static_assert(H::traits.virtual_time);
  {
    auto res = std::make_shared<scripted_resource>([](pendop::operation& op) {
      for (int i = 0; i < 10; ++i) {
        if (!op.wait_for(60s)) return pendop::ok();
        if (op.report({.stage = "copy"}) == exit_state::terminate) return pendop::ok();
      }
      (void)op.wait_for(24h);  // then silent
      return pendop::ok();
    });
    H h(res, {.pending_timeout = 180s});
    REQUIRE(h.online().what == start_answer::kind::pending);
    h.advance(600s);  // 10 reports, 60 s apart: 10 min under a 3 min PendingTimeout
    CHECK(finals(h.reports()) == 0);
    h.advance(179s);
    CHECK(finals(h.reports()) == 0);
    h.advance(1s);  // 180 s of silence
    await_reports(h, (H::traits.reports_start ? 1u : 0u) + 11u);
    const auto rs = h.reports();
    check_one_operation(rs, H::traits);
    CHECK(rs.back().state == resource_state::failed);
    CHECK(res->terminates == 1);
  }
}

TEST_CASE_TEMPLATE_DEFINE("the operation limit stops a body that reports forever", H,
                          rule_operation_limit) {
  static_assert(H::traits.virtual_time);
  {
    auto res = std::make_shared<scripted_resource>([](pendop::operation& op) {
      while (op.wait_for(30s)) {
        if (op.report({.stage = "forever"}) == exit_state::terminate) break;
      }
      return pendop::ok();
    });
    H h(res, {.pending_timeout = 180s, .operation_limit = 10min});
    REQUIRE(h.online().what == start_answer::kind::pending);
    h.advance(10min - 1s);
    CHECK(finals(h.reports()) == 0);
    h.advance(1s);
    const auto rs = h.reports();
    REQUIRE_FALSE(rs.empty());
    CHECK(rs.back().state == resource_state::failed);
    CHECK(finals(rs) == 1);
  }
}

TEST_CASE_TEMPLATE_DEFINE("ResourceExitStateTerminate: the body stops, nothing more is reported",
                          H, rule_exit_state_terminate) {
  static_assert(H::traits.answers_terminate);
  {
    body_tracker body;
    std::atomic<int> reports_made{0};
    std::atomic<exit_state> first{exit_state::proceed};
    auto res = std::make_shared<scripted_resource>(body.wrap([&](pendop::operation& op) {
      first = op.report({.stage = "one"});
      ++reports_made;
      (void)op.report({.stage = "two"});  // after the answer: not sent
      ++reports_made;
      return pendop::ok();
    }));
    H h(res, {});
    h.answer_terminate_from(1);
    REQUIRE(h.online().what == start_answer::kind::pending);
    body.await_return();
    CHECK(first.load() == exit_state::terminate);
    CHECK(h.reports().size() == 1);  // the answered report, then nothing
    // The monitor then calls Terminate: the operation is over, no report.
    h.terminate();
    CHECK(h.reports().size() == 1);
  }
}

TEST_CASE_TEMPLATE_DEFINE("Cancel stops the pending operation and reports its final state", H,
                          rule_cancel) {
  static_assert(H::traits.cancel);
  {
    body_tracker body;
    auto res = std::make_shared<scripted_resource>(body.wrap([](pendop::operation& op) {
      (void)op.wait_for(24h);
      return pendop::ok();
    }));
    H h(res, {});
    REQUIRE(h.online().what == start_answer::kind::pending);
    CHECK(h.cancel().what == start_answer::kind::settled);
    body.await_return();
    const auto rs = h.reports();
    REQUIRE(finals(rs) == 1);
    CHECK(rs.back().state == resource_state::offline);
    CHECK(h.cancel().what == start_answer::kind::refused);  // nothing pending now
  }
}

// After Close: nothing from the closed operation but (where the consumer
// gets Terminate's state) its final Offline, and every later start refused.
template <class H>
void check_closed(H& h, std::size_t reports_before) {
  const auto rs = h.reports();
  if (H::traits.reports_terminate) {
    REQUIRE(rs.size() == reports_before + 1);
    CHECK(rs.back().state == resource_state::offline);
  } else {
    CHECK(rs.size() == reports_before);
  }
  CHECK(h.online().what == start_answer::kind::refused);
}

TEST_CASE_TEMPLATE_DEFINE("Close while pending stops the body, and nothing is reported after it", H,
                          rule_close_pending) {
  static_assert(H::traits.close);
  {
    body_tracker body;
    auto res = std::make_shared<scripted_resource>(body.wrap([](pendop::operation& op) {
      (void)op.wait_for(24h);
      (void)op.report({.stage = "after close"});
      return pendop::ok();
    }));
    H h(res, {});
    REQUIRE(h.online().what == start_answer::kind::pending);
    const std::size_t n = h.reports().size();
    h.close();
    body.await_return();
    CHECK(res->terminates == 1);
    check_closed(h, n);
  }
}

TEST_CASE_TEMPLATE_DEFINE("Close of an Online resource calls terminate() first", H,
                          rule_close_online) {
  static_assert(H::traits.close);
  {
    auto res = std::make_shared<scripted_resource>();
    H h(res, {});
    REQUIRE(h.online().what == start_answer::kind::pending);
    await_reports(h, H::traits.reports_start ? 2 : 1);
    const std::size_t n = h.reports().size();
    h.close();
    CHECK(res->terminates == 1);
    check_closed(h, n);
  }
}

TEST_CASE_TEMPLATE_DEFINE("Close of an Offline resource calls nothing and reports nothing", H,
                          rule_close_offline) {
  static_assert(H::traits.close);
  {
    auto res = std::make_shared<scripted_resource>();
    H h(res, {});
    h.close();
    CHECK(res->terminates == 0);
    CHECK(h.reports().empty());
    CHECK(h.online().what == start_answer::kind::refused);
  }
}

}  // namespace pendop_conformance

/// The rules every host keeps.
#define PENDOP_CONFORMANCE_SUITE(host_type)                                                   \
  TEST_CASE_TEMPLATE_INVOKE(rule_pending, host_type);                                          \
  TEST_CASE_TEMPLATE_INVOKE(rule_checkpoints, host_type);                                      \
  TEST_CASE_TEMPLATE_INVOKE(rule_terminate_online, host_type);                                 \
  TEST_CASE_TEMPLATE_INVOKE(rule_terminate_offline, host_type);                                \
  TEST_CASE_TEMPLATE_INVOKE(rule_terminate_race, host_type);                                   \
  TEST_CASE_TEMPLATE_INVOKE(rule_throws, host_type);                                           \
  TEST_CASE_TEMPLATE_INVOKE(rule_error, host_type);                                            \
  TEST_CASE_TEMPLATE_INVOKE(rule_zombie, host_type);                                           \
  TEST_CASE_TEMPLATE_INVOKE(rule_offline_of_offline, host_type);                               \
  TEST_CASE_TEMPLATE_INVOKE(rule_online_of_online, host_type);                                 \
  TEST_CASE_TEMPLATE_INVOKE(rule_online_while_pending, host_type);                             \
  TEST_CASE_TEMPLATE_INVOKE(rule_concurrent_terminate, host_type);                             \
  TEST_CASE_TEMPLATE_INVOKE(rule_terminate_settled, host_type)

/// The timing rules, for hosts on virtual time.
#define PENDOP_CONFORMANCE_TIMING(host_type)                                                  \
  TEST_CASE_TEMPLATE_INVOKE(rule_pending_timeout, host_type);                                  \
  TEST_CASE_TEMPLATE_INVOKE(rule_operation_limit, host_type)

/// The rules of a resource DLL's own entry points and callbacks.
#define PENDOP_CONFORMANCE_RESOURCE_DLL(host_type)                                            \
  TEST_CASE_TEMPLATE_INVOKE(rule_exit_state_terminate, host_type);                             \
  TEST_CASE_TEMPLATE_INVOKE(rule_cancel, host_type)

/// ResApi Close (a DLL's Close, monitor::remove, resource_runner::close).
#define PENDOP_CONFORMANCE_CLOSE(host_type)                                                   \
  TEST_CASE_TEMPLATE_INVOKE(rule_close_pending, host_type);                                    \
  TEST_CASE_TEMPLATE_INVOKE(rule_close_online, host_type);                                     \
  TEST_CASE_TEMPLATE_INVOKE(rule_close_offline, host_type)
