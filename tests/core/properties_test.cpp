// SPDX-License-Identifier: MIT
#include <pendop/properties.hpp>

#include <doctest/doctest.h>

#include <string>

using namespace std::chrono_literals;
using pendop::errc;

namespace {

// Parses `json` and expects failure with `code` and exactly `message`.
void expect_error(const std::string& json, errc code, const std::string& message) {
  CAPTURE(json);
  auto r = pendop::parse_properties(json);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == code);
  CHECK(r.error().message == message);
}

struct range_case {
  const char* name;
  unsigned long long min;
};

// Every DWORD millisecond property with its ResApi minimum
// (docs/resapi.md, "Properties and timeouts").
constexpr range_case k_ranges[] = {
    {"PendingTimeout", 10},       {"LooksAlivePollInterval", 1}, {"IsAlivePollInterval", 1},
    {"DeadlockTimeout", 1000},    {"RestartPeriod", 0},          {"RestartDelay", 0},
    {"RestartThreshold", 0},
};

}  // namespace

TEST_SUITE("core/properties") {

TEST_CASE("defaults are ResApi's") {
  const pendop::resource_properties p;
  CHECK(p.pending_timeout == 180'000ms);
  CHECK(p.looks_alive_poll_interval == 5'000ms);
  CHECK(p.is_alive_poll_interval == 60'000ms);
  CHECK(p.deadlock_timeout == 300'000ms);
  CHECK(p.restart == pendop::restart_action::restart_notify);
  CHECK(static_cast<unsigned>(p.restart) == 2);
  CHECK(p.restart_threshold == 3);
  CHECK(p.restart_period == 900'000ms);
  CHECK(p.restart_delay == 500ms);
  CHECK(p.retry_period_on_failure == 3'600'000ms);
  CHECK(p.operation_limit == 0ms);  // pendop's extension: no limit
  CHECK(pendop::validate(p));
}

TEST_CASE("an empty object gives the defaults") {
  auto r = pendop::parse_properties("{}");
  REQUIRE(r);
  CHECK(*r == pendop::resource_properties{});
}

TEST_CASE("every field is read from its ResApi name") {
  auto r = pendop::parse_properties(R"({
    "PendingTimeout": 60000, "LooksAlivePollInterval": 1000, "IsAlivePollInterval": 30000,
    "DeadlockTimeout": 120000, "RestartAction": 1, "RestartThreshold": 5,
    "RestartPeriod": 600000, "RestartDelay": 0, "RetryPeriodOnFailure": 4294967295,
    "OperationLimit": 900000 })");
  REQUIRE(r);
  CHECK(r->pending_timeout == 60'000ms);
  CHECK(r->looks_alive_poll_interval == 1'000ms);
  CHECK(r->is_alive_poll_interval == 30'000ms);
  CHECK(r->deadlock_timeout == 120'000ms);
  CHECK(r->restart == pendop::restart_action::restart_no_notify);
  CHECK(r->restart_threshold == 5);
  CHECK(r->restart_period == 600'000ms);
  CHECK(r->restart_delay == 0ms);
  CHECK(r->retry_period_on_failure == pendop::milliseconds(4294967295LL));
  CHECK(r->operation_limit == 900'000ms);
}

TEST_CASE("to_json and parse_properties round-trip") {
  pendop::resource_properties p;
  p.pending_timeout = 12'345ms;
  p.restart = pendop::restart_action::dont_restart;
  p.restart_threshold = 0;
  auto back = pendop::parse_properties(pendop::to_json(p));
  REQUIRE(back);
  CHECK(*back == p);
  CHECK(pendop::to_json(pendop::resource_properties{}).find("\"PendingTimeout\":180000") !=
        std::string::npos);
}

TEST_CASE("each field's minimum is accepted and one below is rejected with its range") {
  for (const auto& c : k_ranges) {
    CAPTURE(std::string(c.name));
    const std::string at_min = "{\"" + std::string(c.name) + "\": " + std::to_string(c.min) + "}";
    CHECK(pendop::parse_properties(at_min).has_value());
    if (c.min == 0) continue;
    expect_error("{\"" + std::string(c.name) + "\": " + std::to_string(c.min - 1) + "}",
                 errc::property_out_of_range,
                 std::string(c.name) + ": " + std::to_string(c.min - 1) +
                     " is out of range, allowed " + std::to_string(c.min) + "..4294967295");
  }
}

TEST_CASE("each field rejects values above the DWORD range") {
  for (const auto& c : k_ranges) {
    CAPTURE(std::string(c.name));
    expect_error("{\"" + std::string(c.name) + "\": 4294967296}", errc::property_out_of_range,
                 std::string(c.name) + ": 4294967296 is out of range, allowed 0..4294967295");
    // RetryPeriodOnFailure must keep up with RestartPeriod, so give it "never".
    CHECK(pendop::parse_properties("{\"" + std::string(c.name) +
                                   "\": 4294967295, \"RetryPeriodOnFailure\": 4294967295}")
              .has_value());
  }
}

TEST_CASE("negative values are out of range") {
  expect_error(R"({"RestartDelay": -1})", errc::property_out_of_range,
               "RestartDelay: -1 is out of range, allowed 0..4294967295");
}

TEST_CASE("PendingTimeout below 10 ms is rejected") {
  expect_error(R"({"PendingTimeout": 5})", errc::property_out_of_range,
               "PendingTimeout: 5 is out of range, allowed 10..4294967295");
}

TEST_CASE("DeadlockTimeout below 1000 ms is rejected") {
  expect_error(R"({"DeadlockTimeout": 999})", errc::property_out_of_range,
               "DeadlockTimeout: 999 is out of range, allowed 1000..4294967295");
}

TEST_CASE("RestartAction accepts 0..2 and the action names") {
  auto by_name = pendop::parse_properties(R"({"RestartAction": "dont_restart"})");
  REQUIRE(by_name);
  CHECK(by_name->restart == pendop::restart_action::dont_restart);
  expect_error(R"({"RestartAction": 3})", errc::property_out_of_range,
               "RestartAction: 3 is out of range, allowed 0..2");
  expect_error(R"({"RestartAction": "sometimes"})", errc::property_out_of_range,
               "RestartAction: \"sometimes\" is not an action, allowed 0..2 or \"dont_restart\", "
               "\"restart_no_notify\", \"restart_notify\"");
}

TEST_CASE("RetryPeriodOnFailure may not be shorter than RestartPeriod") {
  expect_error(R"({"RestartPeriod": 60000, "RetryPeriodOnFailure": 59999})",
               errc::property_out_of_range,
               "RetryPeriodOnFailure: 59999 is out of range, allowed 60000..4294967295 (at least "
               "RestartPeriod, 4294967295 = never retry)");
  CHECK(pendop::parse_properties(R"({"RestartPeriod": 60000, "RetryPeriodOnFailure": 60000})"));
}

TEST_CASE("wrong JSON types name the field and the type") {
  expect_error(R"({"PendingTimeout": "180000"})", errc::property_wrong_type,
               "PendingTimeout: expected an integer (DWORD milliseconds), got string \"180000\"");
  expect_error(R"({"RestartThreshold": 1.5})", errc::property_wrong_type,
               "RestartThreshold: expected an integer (DWORD milliseconds), got number 1.5");
  expect_error(R"({"IsAlivePollInterval": true})", errc::property_wrong_type,
               "IsAlivePollInterval: expected an integer (DWORD milliseconds), got boolean true");
  expect_error(R"({"RestartDelay": null})", errc::property_wrong_type,
               "RestartDelay: expected an integer (DWORD milliseconds), got null null");
}

TEST_CASE("an unknown key is named, with the known ones listed") {
  expect_error(R"({"PendingTimeOut": 1000})", errc::property_unknown,
               "unknown property \"PendingTimeOut\", known: PendingTimeout, LooksAlivePollInterval, "
               "IsAlivePollInterval, DeadlockTimeout, RestartPeriod, RestartDelay, "
               "RetryPeriodOnFailure, OperationLimit, RestartAction, RestartThreshold");
}

TEST_CASE("malformed JSON reports the byte offset") {
  auto r = pendop::parse_properties(R"({"PendingTimeout": 10,})");
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::malformed_json);
  CHECK(r.error().message.rfind("properties: malformed JSON at byte 23:", 0) == 0);
  auto empty = pendop::parse_properties("");
  REQUIRE_FALSE(empty);
  CHECK(empty.error().code == errc::malformed_json);
}

TEST_CASE("a JSON value that is not an object is rejected") {
  expect_error("[1, 2]", errc::malformed_json, "properties: expected a JSON object, got array");
  expect_error("42", errc::malformed_json, "properties: expected a JSON object, got number");
}

TEST_CASE("validate names the first bad field of a struct") {
  pendop::resource_properties p;
  p.looks_alive_poll_interval = 0ms;
  auto v = pendop::validate(p);
  REQUIRE_FALSE(v);
  CHECK(v.error().message == "LooksAlivePollInterval: 0 is out of range, allowed 1..4294967295");
  p = {};
  p.restart_delay = -5ms;
  CHECK(pendop::validate(p).error().message ==
        "RestartDelay: -5 is out of range, allowed 0..4294967295");
}

TEST_CASE("a number too large for any type is malformed JSON, not an exception") {
  auto r = pendop::parse_properties(R"({"PendingTimeout": 3e600000})");
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::malformed_json);
  CHECK(r.error().message.rfind("properties: malformed JSON: ", 0) == 0);
}

}  // TEST_SUITE
