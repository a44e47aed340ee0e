// SPDX-License-Identifier: MIT
// Samples, percentiles and the metric record the scenario benchmarks print:
// every metric is a value measured against a baseline in the same run. A
// metric from repeated rounds carries its spread (the rounds' min and max,
// for the value and for the baseline) besides the medians it compares.
#pragma once

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pendop_bench {

/// The q-quantile (0..1) of `v` (sorted in place), nearest-rank.
inline double percentile(std::vector<double>& v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto rank = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(rank, v.size() - 1)];
}

/// Several rounds' figures: their median and their spread.
struct rounds {
  std::vector<double> values;

  [[nodiscard]] double median() const {
    auto v = values;
    return percentile(v, 0.5);
  }
  [[nodiscard]] std::pair<double, double> spread() const {
    if (values.empty()) return {0, 0};
    const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
    return {*lo, *hi};
  }
};

/// One row of pendop-bench.json.
struct metric {
  metric(std::string name_, std::string unit_, double value_, std::string baseline_name_,
         double baseline_value_, double target_ratio_, std::string note_ = {})
      : name(std::move(name_)),
        unit(std::move(unit_)),
        value(value_),
        baseline_name(std::move(baseline_name_)),
        baseline_value(baseline_value_),
        target_ratio(target_ratio_),
        note(std::move(note_)) {}

  std::string name;
  std::string unit;
  double value = 0;
  std::string baseline_name;
  double baseline_value = 0;
  double target_ratio = 0;  // ratio must be <= this; 0: shown for comparison, no target
  std::string note;
  // From repeated rounds: value and baseline_value are medians; these are
  // the rounds' min and max.
  std::optional<std::pair<double, double>> spread;
  std::optional<std::pair<double, double>> baseline_spread;

  /// value and baseline_value: the medians of `mine` and `base`.
  static metric from_rounds(std::string name, std::string unit, const rounds& mine,
                            std::string baseline_name, const rounds& base, double target_ratio,
                            std::string note = {}) {
    metric m(std::move(name), std::move(unit), mine.median(), std::move(baseline_name),
             base.median(), target_ratio, std::move(note));
    m.spread = mine.spread();
    m.baseline_spread = base.spread();
    return m;
  }

  [[nodiscard]] bool has_target() const { return target_ratio > 0; }
  [[nodiscard]] double ratio() const { return baseline_value > 0 ? value / baseline_value : 0; }
  [[nodiscard]] bool pass() const { return !has_target() || ratio() <= target_ratio; }
  [[nodiscard]] const char* verdict() const {
    return !has_target() ? "" : pass() ? "PASS" : "MISS";
  }

  [[nodiscard]] std::string to_json() const {
    char buf[1536];
    char target[32];
    if (has_target()) {
      std::snprintf(target, sizeof target, "%.3f", target_ratio);
    } else {
      std::snprintf(target, sizeof target, "null");
    }
    std::string spreads;
    if (spread && baseline_spread) {
      char s[160];
      std::snprintf(s, sizeof s, ",\"spread\":[%.3f,%.3f],\"baseline_spread\":[%.3f,%.3f]",
                    spread->first, spread->second, baseline_spread->first,
                    baseline_spread->second);
      spreads = s;
    }
    std::snprintf(buf, sizeof buf,
                  "{\"name\":\"%s\",\"unit\":\"%s\",\"value\":%.3f,\"baseline_name\":\"%s\","
                  "\"baseline_value\":%.3f,\"ratio\":%.3f,\"target_ratio\":%s,\"pass\":%s%s,"
                  "\"note\":\"%s\"}",
                  name.c_str(), unit.c_str(), value, baseline_name.c_str(), baseline_value, ratio(),
                  target, has_target() ? (pass() ? "true" : "false") : "null", spreads.c_str(),
                  note.c_str());
    return buf;
  }
};

}  // namespace pendop_bench
