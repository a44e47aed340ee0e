# SPDX-License-Identifier: MIT
# Fails unless every command block (```sh, ```console, ```powershell,
# ```cmake) in FILES says who runs it: `<!-- run by: PATH -->` naming a
# script or test of this repository (relative to ROOT; it must exist), or
# `<!-- illustrative: WHY -->` on the line before its fence.
# Usage: cmake -DROOT=<source dir> -DFILES="<md>;<md>..." -P check_docs_commands.cmake
cmake_minimum_required(VERSION 3.25)
include(${CMAKE_CURRENT_LIST_DIR}/pendop_docs.cmake)

set(failures 0)
set(run 0)
set(shown 0)
foreach(md IN LISTS FILES)
  pendop_docs_blocks(${md} b)
  if(b_count EQUAL 0)
    continue()
  endif()
  foreach(i RANGE 1 ${b_count})
    if(NOT b_${i}_lang MATCHES "^(sh|bash|console|powershell|cmake)$")
      continue()
    endif()
    set(marker "${b_${i}_marker}")
    if(marker MATCHES "^<!-- run by: ([^ ]+) -->$")
      if(EXISTS ${ROOT}/${CMAKE_MATCH_1})
        math(EXPR run "${run} + 1")
      else()
        message(SEND_ERROR "${md}:${b_${i}_line}: '${marker}' names ${CMAKE_MATCH_1}, which does not exist")
        math(EXPR failures "${failures} + 1")
      endif()
    elseif(marker MATCHES "^<!-- illustrative: .+ -->$")
      math(EXPR shown "${shown} + 1")
    else()
      message(SEND_ERROR "${md}:${b_${i}_line}: a ```${b_${i}_lang} block says neither "
                         "'<!-- run by: PATH -->' nor '<!-- illustrative: WHY -->'")
      math(EXPR failures "${failures} + 1")
    endif()
  endforeach()
endforeach()
math(EXPR total "${run} + ${shown}")
message("docs: ${total} command blocks: ${run} run by a script or test, ${shown} illustrative")
if(failures GREATER 0)
  message(FATAL_ERROR "docs: ${failures} command blocks fail the check")
endif()
