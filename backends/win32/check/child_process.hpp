// SPDX-License-Identifier: MIT
// `run_child`: runs a command line as a child process with its standard
// output captured, and kills it at a deadline. pendop_check runs each of its
// scenarios this way, so a DLL that crashes or hangs is a finding, not a
// crash or a hang of the checker.
#pragma once

#include <pendop/time.hpp>

#include <cstdint>
#include <string>

namespace pendop::win32 {

/// How a child ended.
struct child_result {
  bool started = false;      ///< false: CreateProcess failed (`error` says why)
  bool timed_out = false;    ///< the deadline passed: the child was killed
  std::uint32_t exit_code = 0;
  std::string out;           ///< everything it wrote to stdout
  std::string error;         ///< why it could not start
};

/// Runs `command_line` (the program and its arguments, quoted as Windows
/// expects) and waits up to `deadline` for it to end.
[[nodiscard]] child_result run_child(const std::wstring& command_line, milliseconds deadline);

/// `arg` quoted for a Windows command line (CommandLineToArgvW's rules).
[[nodiscard]] std::wstring quote_argument(const std::wstring& arg);

}  // namespace pendop::win32
