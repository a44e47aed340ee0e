// SPDX-License-Identifier: MIT
#include <pendop/status_report.hpp>

#include <fmt/format.h>

namespace pendop {

std::string to_string(const status_report& r) {
  std::string out = fmt::format("{} {} cp={}", r.resource, to_string(r.state), r.checkpoint);
  const progress& p = r.progress;
  if (!p.stage.empty() || p.percent) {
    out += " [";
    out += p.stage;
    if (p.percent) out += fmt::format("{}{}%", p.stage.empty() ? "" : " ", *p.percent);
    out += "]";
  }
  if (!p.text.empty()) out += fmt::format(" {}", p.text);
  if (r.reason != stop_reason::none) out += fmt::format(" reason={}", to_string(r.reason));
  if (!r.error_text.empty()) out += fmt::format(" error=\"{}\"", r.error_text);
  if (r.final) out += " (final)";
  return out;
}

}  // namespace pendop
