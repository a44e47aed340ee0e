// SPDX-License-Identifier: MIT
#include <pendop/example/example_resource.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <thread>

namespace pendop::example {
namespace {

constexpr std::string_view k_keys =
    "online_ms, offline_ms, report_ms, ignore_terminate, looks_alive, is_alive, fail_online";

result<milliseconds> to_ms(std::string_view key, std::string_view value) {
  long long n = -1;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec != std::errc{} || end != value.data() + value.size() || n < 0 || n > 86'400'000) {
    return make_error(errc::invalid_argument,
                      fmt::format("example resource: {}: \"{}\" is not a number of milliseconds "
                                  "(0..86400000)",
                                  key, value));
  }
  return milliseconds{n};
}

result<bool> to_flag(std::string_view key, std::string_view value) {
  if (value == "0") return false;
  if (value == "1") return true;
  return make_error(errc::invalid_argument,
                    fmt::format("example resource: {}: \"{}\" is not a flag (0 or 1)", key, value));
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

}  // namespace

result<example_config> parse_example_config(std::string_view text) {
  example_config c;
  while (!text.empty()) {
    const auto semi = text.find(';');
    const std::string_view segment = trim(text.substr(0, semi));
    text = semi == std::string_view::npos ? std::string_view{} : text.substr(semi + 1);
    if (segment.empty()) continue;
    const auto eq = segment.find('=');
    if (eq == std::string_view::npos) {
      return make_error(errc::invalid_argument,
                        fmt::format("example resource: \"{}\" is not key=value (keys: {})",
                                    segment, k_keys));
    }
    const std::string_view key = trim(segment.substr(0, eq));
    const std::string_view value = trim(segment.substr(eq + 1));
    milliseconds* ms = key == "online_ms"    ? &c.online
                       : key == "offline_ms" ? &c.offline
                       : key == "report_ms"  ? &c.report
                                             : nullptr;
    bool* flag = key == "ignore_terminate" ? &c.ignore_terminate
                 : key == "looks_alive"    ? &c.looks_alive
                 : key == "is_alive"       ? &c.is_alive
                 : key == "fail_online"    ? &c.fail_online
                                           : nullptr;
    if (ms) {
      auto v = to_ms(key, value);
      if (!v) return v.error();
      *ms = *v;
    } else if (flag) {
      auto v = to_flag(key, value);
      if (!v) return v.error();
      *flag = *v;
    } else {
      return make_error(errc::invalid_argument,
                        fmt::format("example resource: unknown key \"{}\" (keys: {})", key, k_keys));
    }
  }
  if (c.report.count() == 0) {
    return make_error(errc::invalid_argument, "example resource: report_ms: must be at least 1");
  }
  return c;
}

std::string to_string(const example_config& c) {
  return fmt::format(
      "online_ms={};offline_ms={};report_ms={};ignore_terminate={};looks_alive={};is_alive={};"
      "fail_online={}",
      c.online.count(), c.offline.count(), c.report.count(), int{c.ignore_terminate},
      int{c.looks_alive}, int{c.is_alive}, int{c.fail_online});
}

result<void> example_resource::run(operation& op, milliseconds total, std::string_view stage,
                                   bool may_fail) {
  milliseconds done{0};
  while (done < total) {
    const milliseconds step = std::min(config_.report, total - done);
    if (config_.ignore_terminate) {
      std::this_thread::sleep_for(step);  // deliberately deaf to stop requests
    } else if (!op.wait_for(step)) {
      return ok();  // stopped: return at once, report nothing
    }
    done += step;
    const int percent = static_cast<int>(done.count() * 100 / std::max<long long>(total.count(), 1));
    const exit_state answer =
        op.report({.stage = std::string(stage), .percent = percent,
                   .text = fmt::format("{} of {} ms", done.count(), total.count())});
    if (answer == exit_state::terminate && !config_.ignore_terminate) return ok();
    if (may_fail && config_.fail_online) {
      return make_error(errc::operation_failed, "fail_online=1: refusing to come online");
    }
  }
  return ok();
}

result<void> example_resource::online(operation& op) {
  return run(op, config_.online, "online", /*may_fail=*/true);
}

result<void> example_resource::offline(operation& op) {
  return run(op, config_.offline, "offline", /*may_fail=*/false);
}

}  // namespace pendop::example
