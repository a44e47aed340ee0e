# SPDX-License-Identifier: MIT
# Fails unless DOC (a Markdown page) holds SOURCE verbatim in a ```cpp block
# right after the line "<!-- example: examples/<name of SOURCE> -->", so the
# page's example is the one CI compiles and runs.
# Usage: cmake -DDOC=<page.md> -DSOURCE=<examples/file.cpp> -P check_doc_example.cmake
file(READ "${DOC}" doc)
file(READ "${SOURCE}" source)
get_filename_component(name "${SOURCE}" NAME)
get_filename_component(page "${DOC}" NAME)
set(marker "<!-- example: examples/${name} -->\n```cpp\n")
string(FIND "${doc}" "${marker}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "${page} has no block marked '<!-- example: examples/${name} -->'")
endif()
string(LENGTH "${marker}" marker_length)
math(EXPR start "${at} + ${marker_length}")
string(SUBSTRING "${doc}" ${start} -1 rest)
string(FIND "${rest}" "```\n" end)
string(SUBSTRING "${rest}" 0 ${end} block)
if(NOT block STREQUAL source)
  message(FATAL_ERROR "${page}'s copy of examples/${name} differs from the file; update ${page}")
endif()
