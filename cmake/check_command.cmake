# SPDX-License-Identifier: MIT
# Runs COMMAND and checks its exit code (EXPECT_RC) and that its output
# (stdout and stderr) matches every regex in EXPECT. Both are lists with
# "@@" between items (a ';' would not survive add_test).
# With OUT_DIR, also checks that trace.json there is JSON with traceEvents and
# that timeline.svg is well-formed XML.
string(REPLACE "@@" ";" COMMAND "${COMMAND}")
string(REPLACE "@@" ";" EXPECT "${EXPECT}")
execute_process(COMMAND ${COMMAND} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
set(all "${out}${err}")
if(NOT rc STREQUAL "${EXPECT_RC}")
  message(FATAL_ERROR "exit code ${rc}, expected ${EXPECT_RC}; output:\n${all}")
endif()
foreach(pattern IN LISTS EXPECT)
  string(REGEX MATCH "${pattern}" found "${all}")
  if(NOT found)
    message(FATAL_ERROR "output does not match '${pattern}'; output:\n${all}")
  endif()
endforeach()
if(OUT_DIR)
  file(READ "${OUT_DIR}/trace.json" trace)
  string(JSON events ERROR_VARIABLE json_error LENGTH "${trace}" traceEvents)
  if(json_error OR events LESS 1)
    message(FATAL_ERROR "trace.json has no traceEvents: ${json_error}")
  endif()
  execute_process(COMMAND xmllint --noout "${OUT_DIR}/timeline.svg" RESULT_VARIABLE xml_rc
                  ERROR_VARIABLE xml_err)
  if(NOT xml_rc EQUAL 0)
    message(FATAL_ERROR "timeline.svg is not well-formed: ${xml_err}")
  endif()
  file(STRINGS "${OUT_DIR}/events.jsonl" lines)
  list(LENGTH lines n)
  if(n LESS 1)
    message(FATAL_ERROR "events.jsonl is empty")
  endif()
endif()
