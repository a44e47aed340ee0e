// SPDX-License-Identifier: MIT
#include <pendop/properties.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>

namespace pendop {
namespace {

using json = nlohmann::json;

// One DWORD-millisecond property: its ResApi name, where it lives, its range.
struct duration_field {
  std::string_view name;
  milliseconds resource_properties::*member;
  std::uint64_t min;
};

// ResApi ranges (docs/resapi.md, "Properties and timeouts"). Maxima are all
// 0xFFFFFFFF. RetryPeriodOnFailure has a floor that depends on RestartPeriod
// and is checked separately.
constexpr std::array<duration_field, 8> k_duration_fields{{
    {"PendingTimeout", &resource_properties::pending_timeout, 10},
    {"LooksAlivePollInterval", &resource_properties::looks_alive_poll_interval, 1},
    {"IsAlivePollInterval", &resource_properties::is_alive_poll_interval, 1},
    {"DeadlockTimeout", &resource_properties::deadlock_timeout, 1000},
    {"RestartPeriod", &resource_properties::restart_period, 0},
    {"RestartDelay", &resource_properties::restart_delay, 0},
    {"RetryPeriodOnFailure", &resource_properties::retry_period_on_failure, 0},
    {"OperationLimit", &resource_properties::operation_limit, 0},  // pendop's; 0 = none
}};

constexpr std::string_view k_restart_action = "RestartAction";
constexpr std::string_view k_restart_threshold = "RestartThreshold";

std::string known_names() {
  std::string out;
  for (const auto& f : k_duration_fields) out += fmt::format("{}, ", f.name);
  return out + fmt::format("{}, {}", k_restart_action, k_restart_threshold);
}

error out_of_range(std::string_view name, long long value, std::uint64_t min, std::uint64_t max) {
  return make_error(errc::property_out_of_range,
                    fmt::format("{}: {} is out of range, allowed {}..{}", name, value, min, max));
}

// A DWORD from JSON: an integer in 0..0xFFFFFFFF.
result<std::uint32_t> to_dword(std::string_view name, const json& v) {
  if (v.is_number_unsigned() || v.is_number_integer()) {
    if (v.is_number_integer() && v.get<std::int64_t>() < 0)
      return out_of_range(name, v.get<std::int64_t>(), 0, dword_max);
    const auto u = v.get<std::uint64_t>();
    if (u > dword_max) {
      return make_error(errc::property_out_of_range,
                        fmt::format("{}: {} is out of range, allowed 0..{}", name, u, dword_max));
    }
    return static_cast<std::uint32_t>(u);
  }
  return make_error(errc::property_wrong_type,
                    fmt::format("{}: expected an integer (DWORD milliseconds), got {} {}", name,
                                v.type_name(), v.dump()));
}

result<restart_action> to_restart_action(const json& v) {
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    for (unsigned i = 0; i <= 2; ++i) {
      const auto a = static_cast<restart_action>(i);
      if (s == to_string(a)) return a;
    }
    return make_error(errc::property_out_of_range,
                      fmt::format("{}: \"{}\" is not an action, allowed 0..2 or "
                                  "\"dont_restart\", \"restart_no_notify\", \"restart_notify\"",
                                  k_restart_action, s));
  }
  auto n = to_dword(k_restart_action, v);
  if (!n) return n.error();
  if (auto a = restart_action_from(*n)) return *a;
  return out_of_range(k_restart_action, *n, 0, 2);
}

}  // namespace

result<void> validate(const resource_properties& p) {
  for (const auto& f : k_duration_fields) {
    const auto count = (p.*f.member).count();
    if (count < 0 || static_cast<std::uint64_t>(count) < f.min ||
        static_cast<std::uint64_t>(count) > dword_max) {
      return out_of_range(f.name, count, f.min, dword_max);
    }
  }
  if (!restart_action_from(static_cast<unsigned>(p.restart))) {
    return out_of_range(k_restart_action, static_cast<long long>(p.restart), 0, 2);
  }
  // RetryPeriodOnFailure may not be shorter than RestartPeriod; 0xFFFFFFFF means "never".
  const auto retry = static_cast<std::uint64_t>(p.retry_period_on_failure.count());
  const auto period = static_cast<std::uint64_t>(p.restart_period.count());
  if (retry != dword_max && retry < period) {
    return make_error(errc::property_out_of_range,
                      fmt::format("RetryPeriodOnFailure: {} is out of range, allowed {}..{} "
                                  "(at least RestartPeriod, {} = never retry)",
                                  retry, period, dword_max, dword_max));
  }
  return ok();
}

result<resource_properties> parse_properties(std::string_view text) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    return make_error(errc::malformed_json,
                      fmt::format("properties: malformed JSON at byte {}: {}", e.byte, e.what()));
  } catch (const json::exception& e) {  // e.g. a number too large for any type
    return make_error(errc::malformed_json, fmt::format("properties: malformed JSON: {}", e.what()));
  }
  if (!doc.is_object()) {
    return make_error(errc::malformed_json,
                      fmt::format("properties: expected a JSON object, got {}", doc.type_name()));
  }

  resource_properties p;
  for (const auto& [key, value] : doc.items()) {
    bool known = false;
    for (const auto& f : k_duration_fields) {
      if (key != f.name) continue;
      auto n = to_dword(f.name, value);
      if (!n) return n.error();
      p.*f.member = milliseconds{*n};
      known = true;
      break;
    }
    if (known) continue;
    if (key == k_restart_action) {
      auto a = to_restart_action(value);
      if (!a) return a.error();
      p.restart = *a;
    } else if (key == k_restart_threshold) {
      auto n = to_dword(k_restart_threshold, value);
      if (!n) return n.error();
      p.restart_threshold = *n;
    } else {
      return make_error(errc::property_unknown,
                        fmt::format("unknown property \"{}\", known: {}", key, known_names()));
    }
  }
  if (auto v = validate(p); !v) return v.error();
  return p;
}

std::string to_json(const resource_properties& p, int indent) {
  json doc = json::object();
  for (const auto& f : k_duration_fields) doc[std::string(f.name)] = (p.*f.member).count();
  doc[std::string(k_restart_action)] = static_cast<unsigned>(p.restart);
  doc[std::string(k_restart_threshold)] = p.restart_threshold;
  return doc.dump(indent);
}

}  // namespace pendop
