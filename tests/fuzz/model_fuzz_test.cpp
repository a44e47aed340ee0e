// SPDX-License-Identifier: MIT
// Seeded random drivers, bounded in count (label fuzz): long random event
// sequences against resource_tracker and restart_policy, each checked step by
// step against a small reference model; and random corruptions of property
// JSON, which must give a clear error or a valid value, never a crash.
#include <pendop/detail/resource_tracker.hpp>
#include <pendop/detail/restart_policy.hpp>
#include <pendop/properties.hpp>

#include <doctest/doctest.h>

#include <deque>
#include <map>
#include <random>
#include <string>

using namespace std::chrono_literals;
using pendop::exit_state;
using pendop::operation_kind;
using pendop::resource_state;
using pendop::stop_reason;

namespace {

constexpr int k_sequences = 300;
constexpr int k_steps = 400;

}  // namespace

TEST_SUITE("fuzz") {

TEST_CASE("random tracker sequences keep every invariant of the reference model") {
  std::size_t finals_seen = 0, steps = 0;
  for (int seq = 0; seq < k_sequences; ++seq) {
    std::mt19937 rng(static_cast<unsigned>(seq));
    pendop::resource_tracker t("r", 100ms);
    pendop::time_point now{};
    // The reference model.
    resource_state state = resource_state::offline;
    bool pending = false, stopping = false;
    std::uint64_t op = 0;
    std::uint32_t cp = 0;
    std::map<std::uint64_t, int> finals;
    auto final_report = [&](const std::optional<pendop::status_report>& r) {
      if (!r) return;
      CHECK(r->final);
      ++finals[r->operation];
      ++finals_seen;
      state = r->state;
    };
    for (int i = 0; i < k_steps; ++i, ++steps) {
      now += std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 60)(rng));
      CAPTURE(seq);
      CAPTURE(i);
      switch (std::uniform_int_distribution<int>(0, 6)(rng)) {
        case 0:
        case 1: {  // Online / Offline
          const auto kind = rng() % 2 ? operation_kind::online : operation_kind::offline;
          auto r = t.begin(kind, now);
          if (pending) {
            REQUIRE_FALSE(r);
            CHECK(r.error().code == pendop::errc::operation_pending);
          } else if (r) {
            ++op;
            cp = 0;
            CHECK(r->operation == op);
            CHECK(r->checkpoint == 0);
            state = r->state;
            pending = !r->final;
            stopping = false;
          }
          break;
        }
        case 2: {  // a report from the current or a stale operation
          const std::uint64_t id = rng() % 4 == 0 && op > 1 ? op - 1 : op;
          auto o = t.report(id, {}, now);
          const bool live = pending && !stopping && id == op;
          CHECK((o.answer == exit_state::proceed) == live);
          CHECK(o.report.has_value() == live);
          if (live) CHECK(o.report->checkpoint == ++cp);
          if (o.report) CHECK(o.report->state == state);  // progress changes nothing
          break;
        }
        case 3: {  // the body returns
          const bool ok = rng() % 3 != 0;
          const std::uint64_t id = op;
          auto r = t.finish(id, ok ? pendop::ok() : pendop::result<void>(pendop::make_error(pendop::errc::operation_failed, "x")), now);
          if (pending && !stopping) {
            REQUIRE(r);
            CHECK(r->checkpoint == ++cp);
            if (ok) CHECK((r->state == resource_state::online || r->state == resource_state::offline));
            else CHECK(r->state == resource_state::failed);
            final_report(r);
            pending = false;
          } else {
            CHECK_FALSE(r.has_value());  // stale or stopping: the stopper reports
          }
          break;
        }
        case 4: {  // a stop, then its settle
          const auto why = rng() % 2 ? stop_reason::terminate_called : stop_reason::shutdown;
          const auto outcome = t.request_stop(why);
          if (!pending) {
            CHECK(outcome == pendop::resource_tracker::stop_outcome::nothing_pending);
          } else if (stopping) {
            CHECK(outcome == pendop::resource_tracker::stop_outcome::already_stopping);
          } else {
            CHECK(outcome == pendop::resource_tracker::stop_outcome::started);
            stopping = true;
            if (rng() % 2) {  // the stopper settles now (else later)
              auto r = t.settle(why, now);
              REQUIRE(r);
              CHECK(r->state == resource_state::offline);
              CHECK(r->state != resource_state::online);
              final_report(r);
              pending = stopping = false;
            }
          }
          break;
        }
        case 5: {  // the watchdog
          if (t.poll_timeout(now)) {
            CHECK(pending);
            CHECK_FALSE(stopping);
            REQUIRE(t.request_stop(stop_reason::pending_timeout) ==
                    pendop::resource_tracker::stop_outcome::started);
            auto r = t.settle(stop_reason::pending_timeout, now);
            REQUIRE(r);
            CHECK(r->state == resource_state::failed);
            final_report(r);
            pending = stopping = false;
          }
          break;
        }
        case 6: {  // a settle owed by an earlier stop
          if (pending && stopping) {
            auto r = t.settle(stop_reason::terminate_called, now);
            REQUIRE(r);
            final_report(r);
            pending = stopping = false;
          }
          break;
        }
      }
      CHECK(t.pending() == pending);
      CHECK(t.state() == (pending ? t.state() : state));
    }
    for (const auto& [id, n] : finals) {
      CAPTURE(id);
      CHECK(n == 1);  // exactly one final report per operation
    }
  }
  MESSAGE("tracker: ", steps, " random steps, ", finals_seen, " final reports checked");
}

TEST_CASE("random failure histories: restart_policy matches a brute-force model") {
  std::size_t decisions = 0;
  for (int seq = 0; seq < k_sequences; ++seq) {
    std::mt19937 rng(static_cast<unsigned>(1000 + seq));
    pendop::resource_properties p;
    p.restart = static_cast<pendop::restart_action>(rng() % 3);
    p.restart_threshold = static_cast<std::uint32_t>(rng() % 5);
    p.restart_period = std::chrono::milliseconds(100 + rng() % 2000);
    p.restart_delay = std::chrono::milliseconds(rng() % 100);
    p.retry_period_on_failure =
        rng() % 10 == 0 ? pendop::milliseconds(pendop::dword_max)
                        : p.restart_period + std::chrono::milliseconds(rng() % 1000);
    pendop::restart_policy policy(p);
    std::vector<pendop::time_point> history;
    bool retry_pending = false;
    pendop::time_point now{};
    for (int i = 0; i < k_steps; ++i, ++decisions) {
      now += std::chrono::milliseconds(rng() % 400);
      if (rng() % 5 == 0) {
        policy.on_online();
        retry_pending = false;
        continue;
      }
      const auto d = policy.on_failure(now);
      // The model: every failure ever, counted inside (now - period, now].
      history.push_back(now);
      std::size_t in_window = 0;
      for (auto t : history) in_window += (t > now - p.restart_period) ? 1 : 0;
      CAPTURE(seq);
      CAPTURE(i);
      CHECK(d.failures_in_period == in_window);
      using action = pendop::restart_decision::action;
      if (p.restart == pendop::restart_action::dont_restart) {
        CHECK(d.what == action::stay_failed);
      } else if (retry_pending) {
        CHECK(d.what == action::stay_failed);
        retry_pending = false;
      } else if (in_window <= p.restart_threshold) {
        CHECK(d.what == action::restart);
        CHECK(d.at == now + p.restart_delay);
      } else {
        CHECK(d.escalate == (p.restart == pendop::restart_action::restart_notify));
        if (static_cast<std::uint64_t>(p.retry_period_on_failure.count()) == pendop::dword_max) {
          CHECK(d.what == action::stay_failed);
        } else {
          CHECK(d.what == action::retry_later);
          CHECK(d.at == now + p.retry_period_on_failure);
          retry_pending = true;
        }
      }
    }
  }
  MESSAGE("restart_policy: ", decisions, " random decisions checked");
}

TEST_CASE("corrupted property JSON gives a clear error or a valid value, never a crash") {
  const std::string seed_doc = pendop::to_json(pendop::resource_properties{}, -1);
  const std::string alphabet = "{}[]\":,0123456789-+.eEtruefalsn \\PendingTimeoutRestart";
  std::size_t accepted = 0, rejected = 0;
  for (int i = 0; i < 20000; ++i) {
    std::mt19937 rng(static_cast<unsigned>(5000 + i));
    std::string doc = seed_doc;
    const int edits = 1 + static_cast<int>(rng() % 8);
    for (int e = 0; e < edits && !doc.empty(); ++e) {
      const std::size_t at = rng() % doc.size();
      switch (rng() % 4) {
        case 0: doc[at] = alphabet[rng() % alphabet.size()]; break;
        case 1: doc.erase(at, 1 + rng() % 4); break;
        case 2: doc.insert(at, 1, alphabet[rng() % alphabet.size()]); break;
        case 3: doc.resize(at); break;
      }
    }
    auto r = pendop::parse_properties(doc);
    if (r) {
      ++accepted;
      CHECK(pendop::validate(*r));
      auto again = pendop::parse_properties(pendop::to_json(*r));
      REQUIRE(again);
      CHECK(*again == *r);
    } else {
      ++rejected;
      CHECK_FALSE(r.error().message.empty());
      CHECK(r.error().code.category() == pendop::pendop_category());
    }
  }
  MESSAGE("properties: ", accepted, " corrupted documents accepted (valid), ", rejected,
          " rejected with an error");
}

}  // TEST_SUITE
