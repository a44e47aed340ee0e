// SPDX-License-Identifier: MIT
#include <pendop/host/invoke_operation.hpp>

#include <doctest/doctest.h>

#include <stdexcept>

namespace {

// An operation that only knows its kind: enough for invoke_operation.
class fake_operation final : public pendop::operation {
 public:
  explicit fake_operation(pendop::operation_kind k) : kind_(k) {}
  pendop::operation_kind kind() const noexcept override { return kind_; }
  bool stop_requested() const noexcept override { return false; }
  bool wait_for(pendop::duration) noexcept override { return true; }
  pendop::exit_state report(const pendop::progress&) override { return pendop::exit_state::proceed; }
  pendop::duration time_left() const noexcept override { return {}; }
  pendop::stop_reason reason() const noexcept override { return pendop::stop_reason::none; }

 private:
  pendop::operation_kind kind_;
};

class two_faced final : public pendop::resource {
 public:
  pendop::result<void> online(pendop::operation&) override {
    ++onlines;
    return pendop::make_error(pendop::errc::operation_failed, "port in use");
  }
  pendop::result<void> offline(pendop::operation&) override {
    ++offlines;
    throw std::runtime_error("disk gone");
  }
  int onlines = 0;
  int offlines = 0;
};

}  // namespace

TEST_SUITE("core/invoke_operation") {

TEST_CASE("the entry point follows the operation's kind, and errors are named") {
  two_faced res;
  fake_operation on(pendop::operation_kind::online);
  auto r = pendop::invoke_operation(res, on);
  CHECK(res.onlines == 1);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == pendop::errc::operation_failed);
  CHECK(r.error().message == "Online failed: port in use");

  fake_operation off(pendop::operation_kind::offline);
  r = pendop::invoke_operation(res, off);
  CHECK(res.offlines == 1);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == pendop::errc::worker_threw);
  CHECK(r.error().message == "Offline threw: disk gone");
}

}  // TEST_SUITE
