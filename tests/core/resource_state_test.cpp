// SPDX-License-Identifier: MIT
#include <pendop/states.hpp>

#include <doctest/doctest.h>

#include <string>

using pendop::resource_state;

TEST_SUITE("core/resource_state") {

TEST_CASE("states carry the CLUSTER_RESOURCE_STATE numbers") {
  CHECK(pendop::to_cluster_state(resource_state::unknown) == -1);
  CHECK(pendop::to_cluster_state(resource_state::initializing) == 1);
  CHECK(pendop::to_cluster_state(resource_state::online) == 2);
  CHECK(pendop::to_cluster_state(resource_state::offline) == 3);
  CHECK(pendop::to_cluster_state(resource_state::failed) == 4);
  CHECK(pendop::to_cluster_state(resource_state::online_pending) == 129);
  CHECK(pendop::to_cluster_state(resource_state::offline_pending) == 130);
}

TEST_CASE("to_string gives the ResApi names and parse_resource_state inverts it") {
  CHECK(pendop::to_string(resource_state::online_pending) == "OnlinePending");
  CHECK(pendop::to_string(resource_state::offline_pending) == "OfflinePending");
  CHECK(pendop::to_string(resource_state::unknown) == "Unknown");
  for (resource_state s : pendop::all_resource_states) {
    CAPTURE(std::string(pendop::to_string(s)));
    CHECK(pendop::parse_resource_state(pendop::to_string(s)) == s);
  }
  CHECK_FALSE(pendop::parse_resource_state("online").has_value());
  CHECK_FALSE(pendop::parse_resource_state("").has_value());
}

TEST_CASE("from_cluster_state round-trips every state") {
  for (resource_state s : pendop::all_resource_states) {
    auto back = pendop::from_cluster_state(pendop::to_cluster_state(s));
    REQUIRE(back);
    CHECK(*back == s);
  }
}

TEST_CASE("from_cluster_state rejects group-level and placement numbers by name") {
  for (int v : {0, 128, 126, 127, 5, -2, 131}) {
    CAPTURE(v);
    auto r = pendop::from_cluster_state(v);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == pendop::errc::invalid_argument);
    CHECK(r.error().message.find(std::to_string(v)) == 0);
  }
}

TEST_CASE("is_pending is true only for the two pending states") {
  for (resource_state s : pendop::all_resource_states) {
    const bool expected = s == resource_state::online_pending || s == resource_state::offline_pending;
    CHECK(pendop::is_pending(s) == expected);
  }
}

}  // TEST_SUITE
