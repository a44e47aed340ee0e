// SPDX-License-Identifier: MIT
#include <pendop/error.hpp>
#include <pendop/result.hpp>

#include <doctest/doctest.h>

#include <cerrno>
#include <system_error>

#include <string>

TEST_SUITE("core/error") {

TEST_CASE("errc converts to a std::error_code of the pendop category") {
  const std::error_code ec = pendop::errc::operation_pending;
  CHECK(ec.category().name() == std::string("pendop"));
  CHECK(ec.value() == static_cast<int>(pendop::errc::operation_pending));
  CHECK(ec.message() == "an operation is already pending");
  CHECK(ec == pendop::errc::operation_pending);
  CHECK(ec != pendop::errc::invalid_state);
}

TEST_CASE("every errc has its own message") {
  for (int v = 1; v <= static_cast<int>(pendop::errc::shutting_down); ++v) {
    CAPTURE(v);
    const std::string text = pendop::to_string(static_cast<pendop::errc>(v));
    CHECK(text != "unknown pendop error");
    for (int w = 1; w < v; ++w) CHECK(text != pendop::to_string(static_cast<pendop::errc>(w)));
  }
}

TEST_CASE("result<T> holds a value or an error") {
  pendop::result<int> good = 42;
  REQUIRE(good.has_value());
  CHECK(*good == 42);
  pendop::result<int> bad = pendop::make_error(pendop::errc::invalid_argument, "x is NULL");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == pendop::errc::invalid_argument);
  CHECK(bad.error().message == "x is NULL");
  CHECK(bad.error().describe() == "x is NULL (pendop:8 invalid argument)");
}

TEST_CASE("result<void> is ok() or an error") {
  pendop::result<void> good = pendop::ok();
  CHECK(good.has_value());
  pendop::result<void> bad = pendop::make_error(pendop::errc::stopped, "stopped");
  CHECK_FALSE(bad.has_value());
  CHECK(bad.error().code == pendop::errc::stopped);
}

TEST_CASE("an std::error_code or an errno value becomes an error without spelling it out") {
  const auto refused = std::make_error_code(std::errc::connection_refused);
  pendop::result<void> bare = refused;  // e.g. `return ec;` from a body
  REQUIRE_FALSE(bare);
  CHECK(bare.error().code == refused);
  CHECK(bare.error().message == refused.message());
  pendop::result<int> value_or_code = refused;
  REQUIRE_FALSE(value_or_code);
  CHECK(value_or_code.error().code == std::errc::connection_refused);
  const auto e = pendop::errno_error(ENOENT, "open /data");
  CHECK(e.code == std::errc::no_such_file_or_directory);
  CHECK(e.message == "open /data: " + std::generic_category().message(ENOENT));
  CHECK(pendop::make_error(refused, "port 8080").message == "port 8080");
}

}  // TEST_SUITE
