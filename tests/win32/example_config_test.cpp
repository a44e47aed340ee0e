// SPDX-License-Identifier: MIT
#include <pendop/example/example_resource.hpp>

#include <doctest/doctest.h>

#include <string>

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
    const char* message;
  };
  const bad cases[] = {
      {"onlin_ms=5", "example resource: unknown key \"onlin_ms\" (keys: online_ms, offline_ms, "
                     "report_ms, ignore_terminate, looks_alive, is_alive, fail_online)"},
      {"online_ms=fast",
       "example resource: online_ms: \"fast\" is not a number of milliseconds (0..86400000)"},
      {"online_ms=-1",
       "example resource: online_ms: \"-1\" is not a number of milliseconds (0..86400000)"},
      {"fail_online=yes", "example resource: fail_online: \"yes\" is not a flag (0 or 1)"},
      {"db", "example resource: \"db\" is not key=value (keys: online_ms, offline_ms, report_ms, "
             "ignore_terminate, looks_alive, is_alive, fail_online)"},
      {"report_ms=0", "example resource: report_ms: must be at least 1"},
  };
  for (const auto& c : cases) {
    CAPTURE(std::string(c.text));
    auto r = parse_example_config(c.text);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == pendop::errc::invalid_argument);
    CHECK(r.error().message == c.message);
  }
}

}  // TEST_SUITE
