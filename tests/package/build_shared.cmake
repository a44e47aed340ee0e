# SPDX-License-Identifier: MIT
# Builds and installs pendop's libraries as shared libraries into STAGE:
#   cmake -DSOURCE=<pendop> -DBINARY=<build dir> -DSTAGE=<prefix> -DGENERATOR=<gen> -P build_shared.cmake
foreach(var SOURCE BINARY STAGE GENERATOR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "build_shared.cmake: ${var} is not set")
  endif()
endforeach()
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}")
  endif()
endfunction()
run(${CMAKE_COMMAND} -S ${SOURCE} -B ${BINARY} -G ${GENERATOR} -DCMAKE_BUILD_TYPE=Release
    -DBUILD_SHARED_LIBS=ON -DPENDOP_BUILD_TESTS=OFF -DPENDOP_BUILD_EXAMPLES=OFF
    -DPENDOP_BUILD_TOOLS=OFF -DPENDOP_BUILD_BENCH=OFF -DCMAKE_INSTALL_PREFIX=${STAGE})
run(${CMAKE_COMMAND} --build ${BINARY} --parallel 2)
run(${CMAKE_COMMAND} --install ${BINARY})
file(GLOB libs "${STAGE}/lib*/libpendop_core.so.*")
if(NOT libs)
  message(FATAL_ERROR "build_shared.cmake: no versioned libpendop_core.so in ${STAGE}")
endif()
message(STATUS "installed shared: ${libs}")
