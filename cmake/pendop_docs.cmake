# SPDX-License-Identifier: MIT
# The code blocks of README.md and docs/*.md, read at configure time so that
# the build compiles every C++ block and a test checks every command block.
#
# What a block may carry, as an HTML comment on the line just before its
# opening fence (invisible on a rendered page):
#
#   ```cpp   no comment: a whole translation unit, compiled as it is (POSIX)
#            <!-- compile: fragment NAME -->  a fragment, compiled inside
#              tests/docs/wrappers/NAME.cpp at its line `// @block@`
#            <!-- compile: win32 -->, <!-- compile: win32 fragment NAME -->
#              the same, compiled in a Windows (MinGW) build only
#            <!-- example: examples/FILE -->  a whole program, compiled as
#              it is, and checked to be a verbatim copy of examples/FILE
#   ```sh, ```console, ```powershell, ```cmake: a command block, which says
#            <!-- run by: PATH -->  the script or test in this repository
#              that runs these commands (PATH must exist)
#            <!-- illustrative: WHY -->  shown, not run (a Windows cluster,
#              a machine's own configuration), and why
#
# Other blocks (output, JSON, plain ```) are neither compiled nor checked.

# pendop_docs_code_blocks(FILES <md>... WRAPPERS <dir> OUT <dir>
#                         POSIX <var> WIN32 <var> COUNTS <var>)
# Writes each C++ block to OUT as a source file (rewritten only when it
# changed) and sets POSIX and WIN32 to the files to compile there. Fails
# configuration for a malformed marker or an unknown wrapper.
function(pendop_docs_code_blocks)
  cmake_parse_arguments(arg "" "WRAPPERS;OUT;POSIX;WIN32;COUNTS" "FILES" ${ARGN})
  set(posix_files)
  set(win32_files)
  set(total 0)
  foreach(md IN LISTS arg_FILES)
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${md})
    get_filename_component(stem ${md} NAME_WE)
    pendop_docs_blocks("${md}" blocks)
    set(n 0)
    if(blocks_count EQUAL 0)
      continue()
    endif()
    foreach(i RANGE 1 ${blocks_count})
      if(NOT blocks_${i}_lang STREQUAL "cpp")
        continue()
      endif()
      math(EXPR n "${n} + 1")
      set(marker "${blocks_${i}_marker}")
      set(body "${blocks_${i}_body}")
      set(where "${md}, C++ block ${n} (line ${blocks_${i}_line})")
      set(platform posix)
      set(wrapper "")
      if(marker MATCHES "^<!-- compile: (win32 )?(fragment ([a-z_]+) )?-->$")
        if(CMAKE_MATCH_1)
          set(platform win32)
        endif()
        set(wrapper "${CMAKE_MATCH_3}")
      elseif(marker MATCHES "^<!-- compile:")
        message(FATAL_ERROR "${where}: malformed marker '${marker}'; see cmake/pendop_docs.cmake")
      endif()
      if(wrapper)
        set(wrapper_file ${arg_WRAPPERS}/${wrapper}.cpp)
        if(NOT EXISTS ${wrapper_file})
          message(FATAL_ERROR "${where}: no wrapper ${wrapper_file}")
        endif()
        set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${wrapper_file})
        file(READ ${wrapper_file} text)
        string(FIND "${text}" "// @block@" slot)
        if(slot EQUAL -1)
          message(FATAL_ERROR "${wrapper_file} has no line '// @block@'")
        endif()
        string(REPLACE "// @block@" "${body}" body "${text}")
      endif()
      set(source "// Generated from ${md} (line ${blocks_${i}_line}); edit the document, not this file.\n${body}")
      set(out ${arg_OUT}/${stem}_${n}.cpp)
      set(old "")
      if(EXISTS ${out})
        file(READ ${out} old)
      endif()
      if(NOT old STREQUAL source)
        file(WRITE ${out} "${source}")
      endif()
      math(EXPR total "${total} + 1")
      if(platform STREQUAL "win32")
        list(APPEND win32_files ${out})
      else()
        list(APPEND posix_files ${out})
      endif()
    endforeach()
  endforeach()
  set(${arg_POSIX} ${posix_files} PARENT_SCOPE)
  set(${arg_WIN32} ${win32_files} PARENT_SCOPE)
  set(${arg_COUNTS} ${total} PARENT_SCOPE)
endfunction()

# pendop_docs_blocks(<md> <prefix>): the fenced blocks of <md>, as
# <prefix>_count and, for each block i, <prefix>_<i>_lang (the word after
# the fence), _body (its text, ending with a newline), _marker (the line
# before the fence when it is an HTML comment, else empty) and _line.
function(pendop_docs_blocks md prefix)
  file(READ ${md} text)
  set(rest "\n${text}")
  set(count 0)
  set(line 0)
  while(TRUE)
    string(FIND "${rest}" "\n```" at)
    if(at EQUAL -1)
      break()
    endif()
    string(SUBSTRING "${rest}" 0 ${at} before)
    # The line just before the fence: a marker when it is a whole comment.
    string(FIND "${before}" "\n" last_nl REVERSE)
    math(EXPR from "${last_nl} + 1")
    string(SUBSTRING "${before}" ${from} -1 previous)
    string(REGEX MATCHALL "\n" nls "${before}")
    list(LENGTH nls before_lines)
    math(EXPR line "${line} + ${before_lines} + 1")
    math(EXPR after "${at} + 4")
    string(SUBSTRING "${rest}" ${after} -1 rest)
    string(FIND "${rest}" "\n" nl)
    if(nl EQUAL -1)
      message(FATAL_ERROR "${md}:${line}: a fence with no block after it")
    endif()
    string(SUBSTRING "${rest}" 0 ${nl} lang)
    string(STRIP "${lang}" lang)
    string(SUBSTRING "${rest}" ${nl} -1 rest)  # starts with the fence line's newline
    string(FIND "${rest}" "\n```" close)
    if(close EQUAL -1)
      message(FATAL_ERROR "${md}:${line}: a ```${lang} block that never closes")
    endif()
    if(close EQUAL 0)
      set(body "")
    else()
      math(EXPR body_length "${close}")
      string(SUBSTRING "${rest}" 1 ${body_length} body)  # ends with its last newline
    endif()
    string(REGEX MATCHALL "\n" nls "${body}")
    list(LENGTH nls body_lines)
    math(EXPR line_after "${line} + ${body_lines} + 1")
    math(EXPR skip "${close} + 4")
    string(SUBSTRING "${rest}" ${skip} -1 rest)
    # Whatever follows the closing fence on its line (nothing, normally).
    string(FIND "${rest}" "\n" nl)
    if(nl EQUAL -1)
      set(rest "")
    else()
      string(SUBSTRING "${rest}" ${nl} -1 rest)
    endif()
    math(EXPR count "${count} + 1")
    set(${prefix}_${count}_lang "${lang}" PARENT_SCOPE)
    set(${prefix}_${count}_body "${body}" PARENT_SCOPE)
    set(${prefix}_${count}_line ${line} PARENT_SCOPE)
    if(previous MATCHES "^<!--.*-->$")
      set(${prefix}_${count}_marker "${previous}" PARENT_SCOPE)
    else()
      set(${prefix}_${count}_marker "" PARENT_SCOPE)
    endif()
    set(line ${line_after})
  endwhile()
  set(${prefix}_count ${count} PARENT_SCOPE)
endfunction()
