# SPDX-License-Identifier: MIT
# Fails unless the installed include tree (INCLUDE_DIR) holds only pendop's
# two public tiers: <pendop/...> for resource authors and embedders (the core
# and each host's folder: posix, ocf, testing, win32) and <pendop/host/...>
# for those who write a host. Private headers (<pendop/detail/...>, the
# platform primitives) must not be there.
# Usage: cmake -DINCLUDE_DIR=<prefix>/include -P check_installed_headers.cmake
cmake_minimum_required(VERSION 3.25)
file(GLOB_RECURSE headers RELATIVE ${INCLUDE_DIR} ${INCLUDE_DIR}/*)
set(private_names futex_hash thread_count thread_name thread_priority timer_slack
                  resource_tracker pending_watchdog state_machine restart_policy call_watch)
set(bad)
set(count 0)
foreach(h IN LISTS headers)
  math(EXPR count "${count} + 1")
  get_filename_component(name ${h} NAME_WE)
  if(NOT h MATCHES "^pendop/(host/|posix/|ocf/|testing/|win32/)?[a-z0-9_]+\\.hpp$")
    list(APPEND bad "${h} (outside the public tiers)")
  elseif(name IN_LIST private_names)
    list(APPEND bad "${h} (a private header)")
  endif()
endforeach()
if(count EQUAL 0)
  message(FATAL_ERROR "no headers under ${INCLUDE_DIR}")
endif()
if(NOT EXISTS ${INCLUDE_DIR}/pendop/pendop.hpp)
  list(APPEND bad "pendop/pendop.hpp is missing (the umbrella header)")
endif()
if(bad)
  list(JOIN bad "\n  " text)
  message(FATAL_ERROR "installed headers that are not public:\n  ${text}")
endif()
message("installed headers: ${count}, all public")
