// SPDX-License-Identifier: MIT
// `example_resource`: the resource every pendop backend ships as its example
// (the Win32 DLL, the POSIX demo, the OCF agent). Its seven settings are
// declared once, as `pendop::parameter`s (`example_parameters()`), and every
// host takes them from there: the DLL's DWORD private properties, the OCF
// agent's parameters, the `key=value;...` text of the demo and the tests:
//
//   online_ms=1000      how long Online takes (0..86400000)
//   offline_ms=500      how long Offline takes (0..86400000)
//   report_ms=200       the interval between progress reports (1..86400000)
//   ignore_terminate=0  1: the body neither wakes on a stop nor heeds `terminate` answers
//   looks_alive=1       what LooksAlive answers
//   is_alive=1          what IsAlive answers
//   fail_online=0       1: Online fails after its first report
//
// e.g. "online_ms=3000;report_ms=500". Errors name the key and the allowed values.
#pragma once

#include <pendop/parameter.hpp>
#include <pendop/resource.hpp>
#include <pendop/result.hpp>
#include <pendop/time.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace pendop::example {

/// The example resource's settings.
struct example_config {
  milliseconds online{1000};
  milliseconds offline{500};
  milliseconds report{200};
  bool ignore_terminate = false;
  bool looks_alive = true;
  bool is_alive = true;
  bool fail_online = false;

  friend bool operator==(const example_config&, const example_config&) = default;
};

/// The example's settings as declared parameters (all DWORDs).
[[nodiscard]] const std::vector<parameter>& example_parameters();

/// The configuration that `values` (of `example_parameters()`) describe.
[[nodiscard]] example_config to_example_config(const parameter_values& values);

/// Parses "key=value;key=value" against `example_parameters()`. Errors name
/// the key: unknown keys (`property_unknown`), values that are not whole
/// numbers (`property_wrong_type`) or out of range (`property_out_of_range`),
/// segments without '=' (`invalid_argument`).
[[nodiscard]] result<example_config> parse_example_config(std::string_view text);

/// The configuration as "online_ms=...;offline_ms=...;..." (every key).
[[nodiscard]] std::string to_string(const example_config& c);

/// A resource that comes online and goes offline in steps, reporting progress.
class example_resource final : public resource {
 public:
  explicit example_resource(example_config c) noexcept : config_(c) {}

  result<void> online(operation& op) override;
  result<void> offline(operation& op) override;
  /// Takes new settings (hosts call it only between operations).
  result<void> apply(const parameter_values& values) override {
    config_ = to_example_config(values);
    return ok();
  }
  bool looks_alive() noexcept override { return config_.looks_alive; }
  bool is_alive() noexcept override { return config_.is_alive; }

  [[nodiscard]] const example_config& config() const noexcept { return config_; }

 private:
  result<void> run(operation& op, milliseconds total, std::string_view stage, bool may_fail);

  example_config config_;
};

}  // namespace pendop::example
