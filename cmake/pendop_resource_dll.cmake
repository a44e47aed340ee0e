# SPDX-License-Identifier: MIT
# pendop_add_resource_dll(<target> SOURCES <file>... [OUTPUT_NAME <name>])
#
# A Failover Cluster resource DLL that rhs.exe can load:
#   - a MODULE library named <name>.dll (default: <target>.dll), without the
#     "lib" prefix MinGW would give it;
#   - the C and C++ runtimes linked statically (a cluster node has no MinGW
#     runtime DLLs); on MSVC the static runtime (/MT);
#   - exactly two exports, Startup and StartupEx (a generated .def file;
#     PENDOP_RESOURCE_DLL defines both), whatever else the sources export;
#   - linked with pendop::win32, which imports resutils.dll and clusapi.dll.
# Installed with pendop's Windows build and included by find_package(pendop
# COMPONENTS win32).
function(pendop_add_resource_dll target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "OUTPUT_NAME" "SOURCES")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "pendop_add_resource_dll(${target}): unknown arguments "
                        "'${arg_UNPARSED_ARGUMENTS}' (it takes SOURCES and OUTPUT_NAME)")
  endif()
  if(NOT arg_SOURCES)
    message(FATAL_ERROR "pendop_add_resource_dll(${target}): no SOURCES")
  endif()
  if(NOT WIN32)
    message(FATAL_ERROR "pendop_add_resource_dll(${target}): a resource DLL builds for Windows "
                        "only (MinGW-w64: -DCMAKE_TOOLCHAIN_FILE=<pendop>/lib/cmake/pendop/"
                        "mingw-w64-x86_64.cmake)")
  endif()
  if(NOT TARGET pendop::win32)
    message(FATAL_ERROR "pendop_add_resource_dll(${target}): pendop::win32 is missing "
                        "(find_package(pendop COMPONENTS core win32))")
  endif()
  if(NOT arg_OUTPUT_NAME)
    set(arg_OUTPUT_NAME ${target})
  endif()
  set(def "${CMAKE_CURRENT_BINARY_DIR}/${target}_exports.def")
  file(CONFIGURE OUTPUT "${def}" CONTENT "LIBRARY ${arg_OUTPUT_NAME}\nEXPORTS\n  Startup\n  StartupEx\n")
  add_library(${target} MODULE ${arg_SOURCES} "${def}")
  set_target_properties(${target} PROPERTIES PREFIX "" OUTPUT_NAME ${arg_OUTPUT_NAME}
                                             MSVC_RUNTIME_LIBRARY "MultiThreaded$<$<CONFIG:Debug>:Debug>")
  target_link_libraries(${target} PRIVATE pendop::win32)
  if(MINGW)
    target_link_options(${target} PRIVATE -static)
  endif()
endfunction()
