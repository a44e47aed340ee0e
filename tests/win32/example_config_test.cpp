// SPDX-License-Identifier: MIT
#include <pendop/example/example_resource.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace std::chrono_literals;
using pendop::example::example_config;
using pendop::example::parse_example_config;

TEST_SUITE("example/config") {

TEST_CASE("an empty configuration gives the documented defaults") {
  auto c = parse_example_config("");
  REQUIRE(c);
  CHECK(c->online == 1000ms);
  CHECK(c->offline == 500ms);
  CHECK(c->report == 200ms);
  CHECK_FALSE(c->ignore_terminate);
  CHECK(c->looks_alive);
  CHECK(c->is_alive);
  CHECK_FALSE(c->fail_online);
}

TEST_CASE("every key is read and the configuration round-trips") {
  auto c = parse_example_config(
      "online_ms=3000; offline_ms=10;report_ms=500;ignore_terminate=1;looks_alive=0;is_alive=0;"
      "fail_online=1;");
  REQUIRE(c);
  CHECK(c->online == 3000ms);
  CHECK(c->offline == 10ms);
  CHECK(c->report == 500ms);
  CHECK(c->ignore_terminate);
  CHECK_FALSE(c->looks_alive);
  CHECK_FALSE(c->is_alive);
  CHECK(c->fail_online);
  auto back = parse_example_config(pendop::example::to_string(*c));
  REQUIRE(back);
  CHECK(*back == *c);
}

TEST_CASE("bad configurations name the key and the allowed values") {
  struct bad {
    const char* text;
    pendop::errc code;
    const char* message;
  };
  const bad cases[] = {
      {"onlin_ms=5", pendop::errc::property_unknown,
       "example resource: unknown parameter \"onlin_ms\", known: online_ms, offline_ms, "
       "report_ms, ignore_terminate, looks_alive, is_alive, fail_online"},
      {"online_ms=fast", pendop::errc::property_wrong_type,
       "example resource: online_ms: \"fast\" is not a whole number"},
      {"online_ms=-1", pendop::errc::property_wrong_type,
       "example resource: online_ms: \"-1\" is not a whole number"},
      {"online_ms=86400001", pendop::errc::property_out_of_range,
       "example resource: online_ms: 86400001 is out of range, allowed 0..86400000"},
      {"fail_online=2", pendop::errc::property_out_of_range,
       "example resource: fail_online: 2 is out of range, allowed 0..1"},
      {"db", pendop::errc::invalid_argument, "example resource: \"db\" is not key=value"},
      {"report_ms=0", pendop::errc::property_out_of_range,
       "example resource: report_ms: 0 is out of range, allowed 1..86400000"},
  };
  for (const auto& c : cases) {
    CAPTURE(std::string(c.text));
    auto r = parse_example_config(c.text);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == c.code);
    CHECK(r.error().message == c.message);
  }
}

}  // TEST_SUITE

TEST_SUITE("example/config") {

TEST_CASE("the example declares its seven settings once, as DWORD parameters with defaults") {
  const auto& declared = pendop::example::example_parameters();
  auto values = pendop::parameter_values::defaults(declared);
  REQUIRE(values);
  std::vector<std::string> names;
  for (const auto& p : declared) {
    names.push_back(p.name);
    CHECK(p.type == pendop::parameter_type::dword);
    CHECK_FALSE(p.description.empty());
  }
  CHECK(names == std::vector<std::string>{"online_ms", "offline_ms", "report_ms",
                                          "ignore_terminate", "looks_alive", "is_alive",
                                          "fail_online"});
  CHECK(pendop::example::to_example_config(*values) == example_config{});
}

}  // TEST_SUITE
