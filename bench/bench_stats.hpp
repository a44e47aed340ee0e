// SPDX-License-Identifier: MIT
// Samples, percentiles and the metric record the scenario benchmarks print:
// every metric is a value measured against a baseline in the same run.
#pragma once

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

namespace pendop_bench {

/// The q-quantile (0..1) of `v` (sorted in place), nearest-rank.
inline double percentile(std::vector<double>& v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto rank = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(rank, v.size() - 1)];
}

/// One row of pendop-bench.json.
struct metric {
  std::string name;
  std::string unit;
  double value = 0;
  std::string baseline_name;
  double baseline_value = 0;
  double target_ratio = 0;  // ratio must be <= this
  std::string note;

  [[nodiscard]] double ratio() const { return baseline_value > 0 ? value / baseline_value : 0; }
  [[nodiscard]] bool pass() const { return ratio() <= target_ratio; }

  [[nodiscard]] std::string to_json() const {
    char buf[1024];
    std::snprintf(buf, sizeof buf,
                  "{\"name\":\"%s\",\"unit\":\"%s\",\"value\":%.3f,\"baseline_name\":\"%s\","
                  "\"baseline_value\":%.3f,\"ratio\":%.3f,\"target_ratio\":%.3f,\"pass\":%s,"
                  "\"note\":\"%s\"}",
                  name.c_str(), unit.c_str(), value, baseline_name.c_str(), baseline_value, ratio(),
                  target_ratio, pass() ? "true" : "false", note.c_str());
    return buf;
  }
};

}  // namespace pendop_bench
