# SPDX-License-Identifier: MIT
# Install and export: find_package(pendop) gives pendop::core, pendop::posix
# and pendop::testing (the conformance kit).
include(CMakePackageConfigHelpers)

set(pendop_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/pendop)
set(pendop_targets pendop_core)
if(TARGET pendop_platform_posix)
  list(APPEND pendop_targets pendop_platform_posix pendop_backend_posix pendop_testing)
endif()

install(TARGETS ${pendop_targets} EXPORT pendop-targets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        FILE_SET HEADERS DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT pendop-targets NAMESPACE pendop:: DESTINATION ${pendop_cmake_dir})
export(EXPORT pendop-targets NAMESPACE pendop:: FILE ${PROJECT_BINARY_DIR}/pendop-targets.cmake)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/pendop-config.cmake.in
                              ${PROJECT_BINARY_DIR}/pendop-config.cmake
                              INSTALL_DESTINATION ${pendop_cmake_dir})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/pendop-config-version.cmake
                                 COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/pendop-config.cmake
              ${PROJECT_BINARY_DIR}/pendop-config-version.cmake
        DESTINATION ${pendop_cmake_dir})
