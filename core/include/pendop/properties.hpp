// SPDX-License-Identifier: MIT
// `resource_properties`: the ResApi common properties that govern timing and
// recovery, as a plain struct holding ResApi's defaults, with validation and
// JSON in and out (docs/resapi.md, "Properties and timeouts").
//
// JSON uses the ResApi property names ("PendingTimeout", ...) with DWORD
// millisecond values, exactly as a cluster stores them. Every field is
// optional in JSON; a missing field keeps its default. Every error names the
// field and the allowed range or type. The JSON library stays inside
// pendop's sources; this header does not expose it.
#pragma once

#include <pendop/result.hpp>
#include <pendop/time.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pendop {

/// The RestartAction common property (CLUSTER_RESOURCE_RESTART_ACTION).
/// What to do when a resource fails. Values are ResApi's.
enum class restart_action : unsigned {
  dont_restart = 0,       ///< ClusterResourceDontRestart: stay Failed
  restart_no_notify = 1,  ///< ClusterResourceRestartNoNotify: restart; never escalate
  restart_notify = 2,     ///< ClusterResourceRestartNotify: restart; escalate past the threshold
};

/// "dont_restart", "restart_no_notify" or "restart_notify".
[[nodiscard]] std::string_view to_string(restart_action a) noexcept;

/// The action for a RestartAction number, nullopt outside 0..2.
[[nodiscard]] constexpr std::optional<restart_action> restart_action_from(unsigned long long v) noexcept {
  if (v > 2) return std::nullopt;
  return static_cast<restart_action>(v);
}

/// Timing and recovery properties of one resource. Durations are whole
/// milliseconds up to 0xFFFFFFFF (DWORD), like the cluster's.
struct resource_properties {
  /// Longest gap between status reports while pending (min 10).
  milliseconds pending_timeout{180'000};
  /// Period of LooksAlive polls while Online (min 1).
  milliseconds looks_alive_poll_interval{5'000};
  /// Period of IsAlive polls while Online (min 1).
  milliseconds is_alive_poll_interval{60'000};
  /// Longest any single entry-point call may take (min 1000).
  milliseconds deadlock_timeout{300'000};
  /// What to do after a failure.
  restart_action restart{restart_action::restart_notify};
  /// Restarts allowed within `restart_period` before escalation.
  std::uint32_t restart_threshold{3};
  /// Sliding window for `restart_threshold`.
  milliseconds restart_period{900'000};
  /// Delay before each restart.
  milliseconds restart_delay{500};
  /// Time in Failed before one more attempt once restarts are used up
  /// (at least `restart_period`; 0xFFFFFFFF means never).
  milliseconds retry_period_on_failure{3'600'000};
  /// A pendop extension, not a ResApi property ("OperationLimit"): the
  /// longest a whole Online or Offline may take, however often it reports
  /// (PendingTimeout only bounds the silence between reports). 0: no limit.
  milliseconds operation_limit{0};

  friend bool operator==(const resource_properties&, const resource_properties&) = default;
};

/// The largest value of a DWORD property (also "never"/"infinite" in ResApi).
inline constexpr std::uint32_t dword_max = 0xFFFF'FFFFu;

/// Checks every field against its ResApi range. The error
/// (`errc::property_out_of_range`) names the first bad field, its value and
/// the allowed range, e.g. "PendingTimeout: 5 is out of range, allowed 10..4294967295".
[[nodiscard]] result<void> validate(const resource_properties& p);

/// Parses a JSON object of ResApi-named properties onto the defaults, then
/// validates. Errors: `malformed_json` (with the byte offset), `property_unknown`
/// (names the key and lists the known ones), `property_wrong_type`,
/// `property_out_of_range`.
[[nodiscard]] result<resource_properties> parse_properties(std::string_view json);

/// Every field as a JSON object with ResApi names (pretty-printed when `indent` >= 0).
[[nodiscard]] std::string to_json(const resource_properties& p, int indent = -1);

}  // namespace pendop
