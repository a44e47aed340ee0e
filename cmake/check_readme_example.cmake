# SPDX-License-Identifier: MIT
# Fails unless README.md holds SOURCE verbatim in a ```cpp block right after
# the line "<!-- example: examples/<name of SOURCE> -->", so the README's
# example is the one CI compiles and runs.
file(READ "${README}" readme)
file(READ "${SOURCE}" source)
get_filename_component(name "${SOURCE}" NAME)
set(marker "<!-- example: examples/${name} -->\n```cpp\n")
string(FIND "${readme}" "${marker}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "README.md has no block marked '<!-- example: examples/${name} -->'")
endif()
string(LENGTH "${marker}" marker_length)
math(EXPR start "${at} + ${marker_length}")
string(SUBSTRING "${readme}" ${start} -1 rest)
string(FIND "${rest}" "```\n" end)
string(SUBSTRING "${rest}" 0 ${end} block)
if(NOT block STREQUAL source)
  message(FATAL_ERROR "README.md's copy of examples/${name} differs from the file; update the README")
endif()
