// SPDX-License-Identifier: MIT
// The `pendop` command line, parsed with CLI11: the commands, their options
// and help texts, and what a bad command line is told. Help and --version
// are printed here, and so is every error, with the command and the
// argument at fault; the caller then exits with the code given.
#pragma once

#include "check_dll.hpp"

#include <optional>
#include <string>

namespace pendop_cli {

/// What `demo`, `run` and `validate` were asked to do.
struct run_options {
  std::string out_dir = "pendop-out";
  bool log = false;
  bool leave_running = false;
};

struct command_line {
  std::string command;  ///< demo, run, validate or check-dll
  std::string file;     ///< the scenario of run and validate
  run_options run;
  check_dll_options check;  ///< for check-dll
};

/// A command to carry out, or the exit code when there is none (help,
/// --version, or an error already printed).
struct parse_outcome {
  command_line line;
  std::optional<int> exit_code;
};

[[nodiscard]] parse_outcome parse_command_line(int argc, const char* const* argv);

}  // namespace pendop_cli
