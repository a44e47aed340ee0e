// SPDX-License-Identifier: MIT
#include <pendop/example/example_resource.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <thread>

namespace pendop::example {
namespace {

constexpr std::uint64_t k_day_ms = 86'400'000;

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

parameter_values example_defaults() {
  auto d = parameter_values::defaults(example_parameters());
  return std::move(*d);  // the declaration below is consistent (a test checks it)
}

}  // namespace

const std::vector<parameter>& example_parameters() {
  static const std::vector<parameter> declared = [] {
    auto ms = [](std::string name, std::string description, std::uint64_t def, std::uint64_t min) {
      return parameter{.name = std::move(name), .description = std::move(description),
                       .default_value = def, .min = min, .max = k_day_ms};
    };
    auto flag = [](std::string name, std::string description, std::uint64_t def) {
      return parameter{.name = std::move(name), .description = std::move(description),
                       .default_value = def, .max = 1};
    };
    return std::vector<parameter>{
        ms("online_ms", "How long Online takes, in milliseconds", 1000, 0),
        ms("offline_ms", "How long Offline takes, in milliseconds", 500, 0),
        ms("report_ms", "Interval between progress reports, in milliseconds", 200, 1),
        flag("ignore_terminate", "1: ignore stop requests (misbehave on purpose)", 0),
        flag("looks_alive", "What the shallow health check (LooksAlive) answers", 1),
        flag("is_alive", "What the deep health check (IsAlive) answers", 1),
        flag("fail_online", "1: Online fails after its first report", 0),
    };
  }();
  return declared;
}

example_config to_example_config(const parameter_values& v) {
  return example_config{.online = milliseconds(static_cast<long long>(v.number("online_ms"))),
                        .offline = milliseconds(static_cast<long long>(v.number("offline_ms"))),
                        .report = milliseconds(static_cast<long long>(v.number("report_ms"))),
                        .ignore_terminate = v.number("ignore_terminate") != 0,
                        .looks_alive = v.number("looks_alive") != 0,
                        .is_alive = v.number("is_alive") != 0,
                        .fail_online = v.number("fail_online") != 0};
}

result<example_config> parse_example_config(std::string_view text) {
  parameter_values values = example_defaults();
  while (!text.empty()) {
    const auto semi = text.find(';');
    const std::string_view segment = trim(text.substr(0, semi));
    text = semi == std::string_view::npos ? std::string_view{} : text.substr(semi + 1);
    if (segment.empty()) continue;
    const auto eq = segment.find('=');
    if (eq == std::string_view::npos) {
      return make_error(errc::invalid_argument,
                        fmt::format("example resource: \"{}\" is not key=value", segment));
    }
    if (auto set = values.set_text(trim(segment.substr(0, eq)), trim(segment.substr(eq + 1)));
        !set) {
      return make_error(set.error().code, "example resource: " + set.error().message);
    }
  }
  return to_example_config(values);
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
