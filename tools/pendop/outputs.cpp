// SPDX-License-Identifier: MIT
#include "outputs.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <stdexcept>

namespace pendop_cli {
namespace {

struct span {
  pendop::resource_state state;
  double from_ms;
  double to_ms;
};

struct mark {
  std::string kind;  // "terminated", "restart", "deadlock", "zombie", "gave_up"
  double at_ms;
  std::string text;
};

double ms_since(pendop::time_point epoch, pendop::time_point t) {
  return std::chrono::duration<double, std::milli>(t - epoch).count();
}

const char* colour(pendop::resource_state s) {
  switch (s) {
    case pendop::resource_state::online: return "#2e9e44";
    case pendop::resource_state::online_pending: return "#a6d96a";
    case pendop::resource_state::offline_pending: return "#fdae61";
    case pendop::resource_state::failed: return "#d7301f";
    default: return "#d0d0d0";
  }
}

// Text for SVG: markup escaped, and control characters (not allowed in XML
// 1.0 even as references) replaced.
std::string xml(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '&') out += "&amp;";
    else if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '"') out += "&quot;";
    else if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n') out += '?';
    else out += c;
  }
  return out;
}

// Text for a terminal: no control character reaches it.
std::string printable(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return out;
}

// A reader sees the old file or the whole new one: written to a temporary
// name, every step checked (a full disk fails fwrite, fflush or fclose),
// then renamed into place.
void write_file(const std::filesystem::path& p, const std::string& text) {
  const std::filesystem::path tmp = p.string() + fmt::format(".tmp-{}", ::getpid());
  auto fail = [&](const char* step) {
    const int err = errno;
    std::remove(tmp.c_str());
    throw std::runtime_error(fmt::format("cannot write {}: {} failed: {}", p.string(), step,
                                         std::strerror(err)));
  };
  std::FILE* f = std::fopen(tmp.c_str(), "w");
  if (!f) fail("open");
  if (std::fwrite(text.data(), 1, text.size(), f) != text.size()) {
    const int err = errno;
    std::fclose(f);
    errno = err;
    fail("write");
  }
  if (std::fflush(f) != 0 || ::fsync(::fileno(f)) != 0) {
    const int err = errno;
    std::fclose(f);
    errno = err;
    fail("flush");
  }
  if (std::fclose(f) != 0) fail("close");
  if (std::rename(tmp.c_str(), p.c_str()) != 0) fail("rename");
}

}  // namespace

std::optional<std::string> prepare_out_dir(const std::string& dir) {
  namespace fs = std::filesystem;
  if (dir.empty()) return "--out: the directory name is empty";
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec)) {
    return fmt::format("--out {}: exists and is not a directory", dir);
  }
  if (!fs::create_directories(dir, ec) && ec) {
    return fmt::format("--out {}: cannot create it: {}", dir, ec.message());
  }
  // Write a probe file the way the outputs are written.
  const fs::path probe = fs::path(dir) / fmt::format(".pendop-probe-{}", ::getpid());
  try {
    write_file(probe, "probe\n");
  } catch (const std::exception& e) {
    return fmt::format("--out {}: not writable: {}", dir, e.what());
  }
  fs::remove(probe, ec);
  return std::nullopt;
}

std::vector<std::string> write_outputs(const std::string& dir,
                                       const std::vector<pendop::monitor_event>& events,
                                       const std::vector<std::string>& resources,
                                       pendop::time_point epoch, pendop::time_point end) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error(fmt::format("cannot create {}: {}", dir, ec.message()));
  const double end_ms = ms_since(epoch, end);

  // Spans and marks per resource.
  std::map<std::string, std::vector<span>> spans;
  std::map<std::string, std::vector<mark>> marks;
  for (const auto& r : resources) spans[r].push_back({pendop::resource_state::offline, 0, end_ms});
  std::string jsonl;
  for (const auto& e : events) {
    jsonl += pendop::to_json_line(e, epoch) + "\n";
    const double t = ms_since(epoch, e.at);
    if (e.kind == pendop::event_kind::status) {
      auto& v = spans[e.resource];
      if (!v.empty() && v.back().state == e.to) continue;
      if (!v.empty()) v.back().to_ms = t;
      v.push_back({e.to, t, end_ms});
    } else if (e.kind == pendop::event_kind::terminated || e.kind == pendop::event_kind::restart ||
               e.kind == pendop::event_kind::deadlock || e.kind == pendop::event_kind::zombie ||
               e.kind == pendop::event_kind::gave_up) {
      marks[e.resource].push_back({std::string(pendop::to_string(e.kind)), t,
                                   e.detail.empty() ? std::string(pendop::to_string(e.reason))
                                                    : e.detail});
    }
  }

  // Chrome trace events: one thread per resource, one slice per state.
  nlohmann::json trace = nlohmann::json::array();
  int tid = 1;
  for (const auto& name : resources) {
    trace.push_back({{"name", "thread_name"}, {"ph", "M"}, {"pid", 1}, {"tid", tid},
                     {"args", {{"name", name}}}});
    for (const auto& s : spans[name]) {
      trace.push_back({{"name", std::string(pendop::to_string(s.state))}, {"cat", "state"},
                       {"ph", "X"}, {"pid", 1}, {"tid", tid}, {"ts", s.from_ms * 1000.0},
                       {"dur", (s.to_ms - s.from_ms) * 1000.0}});
    }
    for (const auto& m : marks[name]) {
      trace.push_back({{"name", m.kind}, {"cat", "decision"}, {"ph", "i"}, {"s", "t"}, {"pid", 1},
                       {"tid", tid}, {"ts", m.at_ms * 1000.0}, {"args", {{"detail", m.text}}}});
    }
    ++tid;
  }

  // timeline.svg
  const int label_w = 140, plot_w = 820, row_h = 28, top = 40;
  const int height = top + static_cast<int>(resources.size()) * row_h + 70;
  const double scale = end_ms > 0 ? plot_w / end_ms : 1;
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      "<text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">pendop timeline</text>\n",
      label_w + plot_w + 20, height);
  for (int s = 0; s <= static_cast<int>(end_ms / 1000); s += std::max(1, static_cast<int>(end_ms / 10000))) {
    const double x = label_w + s * 1000 * scale;
    svg += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" stroke=\"#eeeeee\"/>"
        "<text x=\"{0:.1f}\" y=\"{3}\" text-anchor=\"middle\" fill=\"#666\">{4}s</text>\n",
        x, top - 5, top + resources.size() * row_h, top + resources.size() * row_h + 15, s);
  }
  int row = 0;
  for (const auto& name : resources) {
    const int y = top + row * row_h;
    svg += fmt::format("<text x=\"10\" y=\"{}\">{}</text>\n", y + 18, xml(name));
    for (const auto& s : spans[name]) {
      svg += fmt::format(
          "<rect x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" fill=\"{}\">"
          "<title>{} {:.0f}-{:.0f} ms</title></rect>\n",
          label_w + s.from_ms * scale, y + 4, std::max(0.5, (s.to_ms - s.from_ms) * scale),
          row_h - 8, colour(s.state), pendop::to_string(s.state), s.from_ms, s.to_ms);
    }
    for (const auto& m : marks[name]) {
      const double x = label_w + m.at_ms * scale;
      const char* c = m.kind == "restart" ? "#1f5fbf" : "#000000";
      const char* glyph = m.kind == "restart" ? "&#9650;" : m.kind == "zombie" ? "Z" : "&#10005;";
      svg += fmt::format(
          "<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\" fill=\"{}\" font-weight=\"bold\">"
          "{}<title>{} at {:.0f} ms: {}</title></text>\n",
          x, y + 19, c, glyph, xml(m.kind), m.at_ms, xml(m.text));
    }
    ++row;
  }
  int lx = 10;
  const int ly = top + static_cast<int>(resources.size()) * row_h + 35;
  for (auto s : {pendop::resource_state::offline, pendop::resource_state::online_pending,
                 pendop::resource_state::online, pendop::resource_state::offline_pending,
                 pendop::resource_state::failed}) {
    svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"12\" height=\"12\" fill=\"{}\"/>"
                       "<text x=\"{}\" y=\"{}\">{}</text>\n",
                       lx, ly, colour(s), lx + 16, ly + 11, pendop::to_string(s));
    lx += 125;
  }
  svg += fmt::format("<text x=\"{}\" y=\"{}\">&#10005; terminate   &#9650; restart   Z zombie</text>\n",
                     lx, ly + 11);
  svg += "</svg>\n";

  const fs::path d(dir);
  write_file(d / "events.jsonl", jsonl);
  write_file(d / "trace.json", nlohmann::json{{"traceEvents", trace}, {"displayTimeUnit", "ms"}}.dump());
  write_file(d / "timeline.svg", svg);
  return {(d / "events.jsonl").string(), (d / "trace.json").string(),
          (d / "timeline.svg").string()};
}

std::string summary_table(const std::vector<pendop::posix::resource_diagnostics>& rows) {
  std::string out = fmt::format("{:<14} {:<15} {:>10} {:>8} {:>8} {:>7} {:>9}  {}\n", "resource",
                                "final", "terminates", "restarts", "failures", "zombies",
                                "deadlocks", "last error");
  for (const auto& r : rows) {
    out += fmt::format("{:<14} {:<15} {:>10} {:>8} {:>8} {:>7} {:>9}  {}\n", r.name,
                       pendop::to_string(r.state), r.terminates, r.restarts, r.failures, r.zombies,
                       r.deadlocks, printable(r.last_error.substr(0, 60)));
  }
  return out;
}

}  // namespace pendop_cli
