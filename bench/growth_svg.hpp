// SPDX-License-Identifier: MIT
// growth_svg: the idle monitor's growth in one figure, two panels side by
// side: CPU share of one core and bytes per resource against the number of
// Online resources (log scale), each with its target as a dashed line.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace pendop_bench {

struct growth_point {
  double resources = 0;
  double cpu_percent = 0;
  double bytes_per_resource = 0;
};

namespace detail {

inline std::string growth_panel(const std::vector<growth_point>& pts, double x0, const char* title,
                                const char* unit, double target, double growth_point::*field) {
  constexpr double w = 340, h = 220, left = 60, top = 40, plot_w = 250, plot_h = 140;
  double y_max = target * 1.25;
  for (const auto& p : pts) y_max = std::max(y_max, p.*field * 1.15);
  const double lx_min = std::log10(pts.front().resources);
  const double lx_max = std::max(lx_min + 1, std::log10(pts.back().resources));
  const auto x = [&](double n) {
    return x0 + left + (std::log10(n) - lx_min) / (lx_max - lx_min) * plot_w;
  };
  const auto y = [&](double v) { return top + plot_h - v / y_max * plot_h; };
  std::string s;
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "<text x='%.0f' y='22' font-size='14' font-weight='bold'>%s</text>\n"
                "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' stroke='#333'/>\n"
                "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' stroke='#333'/>\n",
                x0 + left, title, x0 + left, top, x0 + left, top + plot_h, x0 + left, top + plot_h,
                x0 + left + plot_w, top + plot_h);
  s += buf;
  std::snprintf(buf, sizeof buf,
                "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' stroke='#c33' "
                "stroke-dasharray='5,4'/>\n<text x='%.1f' y='%.1f' font-size='11' "
                "fill='#c33'>target %g %s</text>\n",
                x0 + left, y(target), x0 + left + plot_w, y(target), x0 + left + 4, y(target) - 4,
                target, unit);
  s += buf;
  std::string path;
  for (const auto& p : pts) {
    std::snprintf(buf, sizeof buf, "%s%.1f,%.1f", path.empty() ? "" : " ", x(p.resources),
                  y(p.*field));
    path += buf;
    std::snprintf(buf, sizeof buf,
                  "<circle cx='%.1f' cy='%.1f' r='4' fill='#26a'/>\n"
                  "<text x='%.1f' y='%.1f' font-size='11' text-anchor='middle'>%.*f</text>\n"
                  "<text x='%.1f' y='%.1f' font-size='11' text-anchor='middle'>%.0f</text>\n",
                  x(p.resources), y(p.*field), x(p.resources), y(p.*field) - 8,
                  p.*field >= 100 ? 0 : 2, p.*field,
                  x(p.resources), top + plot_h + 16, p.resources);
    s += buf;
  }
  s += "<polyline fill='none' stroke='#26a' stroke-width='2' points='" + path + "'/>\n";
  std::snprintf(buf, sizeof buf,
                "<text x='%.1f' y='%.1f' font-size='11' text-anchor='middle'>Online resources "
                "(log scale)</text>\n<text x='%.1f' y='%.1f' font-size='11' "
                "transform='rotate(-90 %.1f %.1f)' text-anchor='middle'>%s</text>\n",
                x0 + left + plot_w / 2, top + plot_h + 34, x0 + 18, top + plot_h / 2, x0 + 18,
                top + plot_h / 2, unit);
  s += buf;
  (void)w;
  (void)h;
  return s;
}

}  // namespace detail

/// The SVG text; `pts` sorted by resources, at least one.
inline std::string growth_svg(const std::vector<growth_point>& pts, double cpu_target_percent,
                              double bytes_target) {
  std::string s =
      "<svg xmlns='http://www.w3.org/2000/svg' width='700' height='230' "
      "font-family='sans-serif'>\n<rect width='700' height='230' fill='white'/>\n";
  s += detail::growth_panel(pts, 0, "Idle CPU, share of one core", "% of a core",
                            cpu_target_percent, &growth_point::cpu_percent);
  s += detail::growth_panel(pts, 350, "Memory per resource", "bytes", bytes_target,
                            &growth_point::bytes_per_resource);
  s += "</svg>\n";
  return s;
}

}  // namespace pendop_bench
