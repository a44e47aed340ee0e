// SPDX-License-Identifier: MIT
// What a run leaves behind: the JSON-lines event log, a Chrome trace-event
// file (opens in Perfetto / chrome://tracing), and timeline.svg, a picture
// of each resource's states over time with terminates and restarts marked.
#pragma once

#include <pendop/monitor_event.hpp>
#include <pendop/posix/monitor.hpp>

#include <optional>
#include <string>
#include <vector>

namespace pendop_cli {

/// Checks, before a run starts, that `dir` is (or can be made) a writable
/// directory; the problem, naming the directory and the reason, if not.
std::optional<std::string> prepare_out_dir(const std::string& dir);

/// Writes events.jsonl, trace.json and timeline.svg into `dir` (created),
/// each to a temporary name, checked, then renamed into place. Returns the
/// paths written, or throws std::runtime_error naming the file and the reason.
std::vector<std::string> write_outputs(const std::string& dir,
                                       const std::vector<pendop::monitor_event>& events,
                                       const std::vector<std::string>& resources,
                                       pendop::time_point epoch, pendop::time_point end);

/// The summary table: one row per resource with its final state and counters.
std::string summary_table(const std::vector<pendop::posix::resource_diagnostics>& rows);

}  // namespace pendop_cli
