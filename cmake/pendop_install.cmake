# SPDX-License-Identifier: MIT
# Install and export. find_package(pendop [COMPONENTS ...]) gives
#   pendop::core, pendop::posix, pendop::testing  always
#   pendop::ocf                                   on POSIX systems
#   pendop::win32, pendop::dll_host               in a Windows (MinGW) build
# and the `pendop` command when it was built (PENDOP_BUILD_TOOLS).
include(CMakePackageConfigHelpers)

set(pendop_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/pendop)
set(pendop_targets pendop_core)
set(pendop_components core)
list(APPEND pendop_targets pendop_platform pendop_backend_posix pendop_testing)
list(APPEND pendop_components posix testing)
if(TARGET pendop_backend_ocf)
  list(APPEND pendop_targets pendop_backend_ocf)
  list(APPEND pendop_components ocf)
endif()
if(TARGET pendop_backend_win32)
  list(APPEND pendop_targets pendop_platform_win32 pendop_backend_win32 pendop_dll_host)
  list(APPEND pendop_components win32 dll_host)
endif()
if(TARGET pendop_staged_fmt)  # MinGW: the header-only fmt and json, exported empty
  list(APPEND pendop_targets pendop_staged_fmt pendop_staged_json pendop_staged_boost)
endif()

# Components, one Debian package each (cmake/pendop_package.cmake): libs (the
# shared libraries), dev (headers, CMake package, link names), cli (the
# command), agents (the example OCF agent).
install(TARGETS ${pendop_targets} EXPORT pendop-targets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT libs NAMELINK_COMPONENT dev
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT libs
        FILE_SET HEADERS DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev)
install(EXPORT pendop-targets NAMESPACE pendop:: DESTINATION ${pendop_cmake_dir} COMPONENT dev)
export(EXPORT pendop-targets NAMESPACE pendop:: FILE ${PROJECT_BINARY_DIR}/pendop-targets.cmake)
# The DLL author's tools, with the doubles they load in place of Wine's
# resutils.dll and clusapi.dll: `pendop check-dll` runs pendop_check.exe
# from this directory, and `pendop run` pendop_test_host.exe. Installed as
# lib/pendop/win32 into the prefix of a Linux pendop, they are found without
# PENDOP_WIN32_DIR.
if(TARGET pendop_check)
  set(PENDOP_INSTALL_WIN32_TOOLSDIR ${CMAKE_INSTALL_BINDIR} CACHE STRING
      "Where the Windows tools and doubles go (lib/pendop/win32: beside a Linux pendop)")
  install(TARGETS pendop_check pendop_test_host pendop_test_resutils pendop_test_clusapi
          RUNTIME DESTINATION ${PENDOP_INSTALL_WIN32_TOOLSDIR} COMPONENT tools
          LIBRARY DESTINATION ${PENDOP_INSTALL_WIN32_TOOLSDIR} COMPONENT tools
          ARCHIVE EXCLUDE_FROM_ALL COMPONENT tools)
endif()
if(PENDOP_BUILD_TOOLS AND TARGET pendop_cli)
  install(TARGETS pendop_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT cli)
endif()
# The example agent as ocf:pendop:example.
if(TARGET pendop_example_agent AND NOT WIN32)
  set(agent_dir ${CMAKE_INSTALL_PREFIX}/lib/ocf/resource.d/pendop)
  install(PROGRAMS $<TARGET_FILE:pendop_example_agent> DESTINATION ${agent_dir} RENAME example
          COMPONENT agents)
  # install(PROGRAMS) is not stripped with the targets: strip it the same way.
  # Nor does it drop the build tree's RPATH where installs carry none.
  set(agent_file "\$ENV{DESTDIR}${agent_dir}/example")
  if(CMAKE_SKIP_INSTALL_RPATH)
    install(CODE "file(RPATH_REMOVE FILE \"${agent_file}\")" COMPONENT agents)
  endif()
  if(CMAKE_STRIP)
    install(CODE "if(CMAKE_INSTALL_DO_STRIP)
                    execute_process(COMMAND \"${CMAKE_STRIP}\" \"${agent_file}\")
                  endif()"
            COMPONENT agents)
  endif()
endif()
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/pendop
        COMPONENT dev)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/pendop-config.cmake.in
                              ${PROJECT_BINARY_DIR}/pendop-config.cmake
                              INSTALL_DESTINATION ${pendop_cmake_dir})
# 0.x: a minor version may change the API, so only the same minor version is
# compatible; from 1.0 on, SameMajorVersion.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/pendop-config-version.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/pendop-config.cmake
              ${PROJECT_BINARY_DIR}/pendop-config-version.cmake
        DESTINATION ${pendop_cmake_dir} COMPONENT dev)
if(WIN32)
  # A resource DLL's project needs the function and, cross-building, the
  # toolchain (which makes this installation a find root of its own).
  install(FILES ${PROJECT_SOURCE_DIR}/cmake/pendop_resource_dll.cmake
          DESTINATION ${pendop_cmake_dir} COMPONENT dev)
  if(CMAKE_CROSSCOMPILING AND CMAKE_TOOLCHAIN_FILE)
    install(FILES ${CMAKE_TOOLCHAIN_FILE} DESTINATION ${pendop_cmake_dir} COMPONENT dev)
    install(PROGRAMS ${PROJECT_SOURCE_DIR}/cmake/wine-run.sh DESTINATION ${pendop_cmake_dir}
            COMPONENT dev)
  endif()
endif()

if(PENDOP_DEB)
  include(pendop_package)
endif()
