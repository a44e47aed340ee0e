# SPDX-License-Identifier: MIT
# For the MinGW cross build: fmt (header-only), nlohmann/json, doctest and
# Boost (for Asio, header-only) are reached through a staging folder that
# links to just those folders of the host, never to the host's whole include
# folder (whose glibc headers would shadow MinGW's).
set(PENDOP_HOST_INCLUDE_DIR "/usr/include" CACHE PATH "Where the host's fmt, nlohmann, doctest and boost headers are")
set(PENDOP_HOST_CMAKE_DIR "/usr/lib/cmake" CACHE PATH "Where the host's doctest CMake module is")

set(staging "${PROJECT_BINARY_DIR}/staging/include")
file(MAKE_DIRECTORY "${staging}")
foreach(dir fmt nlohmann doctest boost)
  if(NOT EXISTS "${PENDOP_HOST_INCLUDE_DIR}/${dir}")
    message(FATAL_ERROR "pendop: ${PENDOP_HOST_INCLUDE_DIR}/${dir} is missing; install the host's "
                        "libfmt-dev, nlohmann-json3-dev, doctest-dev and libboost-dev")
  endif()
  file(CREATE_LINK "${PENDOP_HOST_INCLUDE_DIR}/${dir}" "${staging}/${dir}" SYMBOLIC)
endforeach()

# Header-only, and used only inside pendop's sources: an installed pendop
# exports them empty (they link to nothing), so a consumer needs neither.
add_library(pendop_staged_fmt INTERFACE)
target_include_directories(pendop_staged_fmt SYSTEM INTERFACE "$<BUILD_INTERFACE:${staging}>")
target_compile_definitions(pendop_staged_fmt INTERFACE $<BUILD_INTERFACE:FMT_HEADER_ONLY=1>)
add_library(fmt::fmt ALIAS pendop_staged_fmt)

add_library(pendop_staged_json INTERFACE)
target_include_directories(pendop_staged_json SYSTEM INTERFACE "$<BUILD_INTERFACE:${staging}>")
add_library(nlohmann_json::nlohmann_json ALIAS pendop_staged_json)

add_library(pendop_staged_doctest INTERFACE)
target_include_directories(pendop_staged_doctest SYSTEM INTERFACE "${staging}")
add_library(doctest::doctest ALIAS pendop_staged_doctest)
list(APPEND CMAKE_MODULE_PATH "${PENDOP_HOST_CMAKE_DIR}/doctest")

# Boost.Asio: the headers are the host's (they are the same for every
# target), the sockets Windows's. Its io_context runs on an I/O completion
# port and starts Winsock, so whatever links the host links ws2_32 and
# mswsock; an installed pendop exports just those (a consumer who includes
# <pendop/posix/asio_executor.hpp> brings Boost's headers).
add_library(pendop_staged_boost INTERFACE)
target_include_directories(pendop_staged_boost SYSTEM INTERFACE "$<BUILD_INTERFACE:${staging}>")
target_link_libraries(pendop_staged_boost INTERFACE ws2_32 mswsock)
add_library(Boost::headers ALIAS pendop_staged_boost)
