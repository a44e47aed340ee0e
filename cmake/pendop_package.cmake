# SPDX-License-Identifier: MIT
# Debian packages of the install components (scripts/package builds them with
# `cpack -G DEB` in the `package` preset, prefix /usr):
#   libpendop0.3            the shared libraries (their SONAME carries the
#                           minor version while 0.x)
#   libpendop-dev           headers, the CMake package, the link names
#   pendop                  the command
#   pendop-resource-agents  the example OCF agent, ocf:pendop:example
# Each package carries the Debian copyright file and changelog; the command
# its man page. lintian's verdict and the reasons for its overrides are in
# docs/install.md.
set(pendop_deb_version ${PROJECT_VERSION})
set(pendop_deb_release 1)
set(pendop_libs_package libpendop${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR})
set(PENDOP_MAINTAINER "pendop maintainers <maintainers@users.noreply.r-seed-4f56a515.example>"
    CACHE STRING "The Maintainer field of the Debian packages")
set(PENDOP_LIBS_PACKAGE ${pendop_libs_package})

# What every package's /usr/share/doc/PACKAGE holds.
set(pendop_deb_docs ${PROJECT_BINARY_DIR}/deb-docs)
configure_file(${PROJECT_SOURCE_DIR}/packaging/debian/changelog.in
               ${pendop_deb_docs}/changelog.Debian @ONLY)
configure_file(${PROJECT_SOURCE_DIR}/packaging/debian/pendop.1 ${pendop_deb_docs}/pendop.1 @ONLY)
configure_file(${PROJECT_SOURCE_DIR}/CHANGELOG.md ${pendop_deb_docs}/changelog COPYONLY)
find_program(PENDOP_GZIP gzip REQUIRED)
# gzip -9n: no name or time stamp in the archive (reproducible, as lintian asks).
add_custom_command(
  OUTPUT ${pendop_deb_docs}/changelog.Debian.gz ${pendop_deb_docs}/pendop.1.gz
         ${pendop_deb_docs}/changelog.gz
  COMMAND ${PENDOP_GZIP} -9nkf ${pendop_deb_docs}/changelog.Debian ${pendop_deb_docs}/pendop.1
          ${pendop_deb_docs}/changelog
  DEPENDS ${pendop_deb_docs}/changelog.Debian ${pendop_deb_docs}/pendop.1
          ${pendop_deb_docs}/changelog
  COMMENT "Compressing the Debian changelog, the upstream changelog and the man page")
add_custom_target(pendop_deb_docs ALL
                  DEPENDS ${pendop_deb_docs}/changelog.Debian.gz ${pendop_deb_docs}/pendop.1.gz
                          ${pendop_deb_docs}/changelog.gz)

set(pendop_deb_packages
    libs ${pendop_libs_package}
    dev libpendop-dev
    cli pendop
    agents pendop-resource-agents)
while(pendop_deb_packages)
  list(POP_FRONT pendop_deb_packages component package)
  install(FILES ${PROJECT_SOURCE_DIR}/packaging/debian/copyright
                ${pendop_deb_docs}/changelog.Debian.gz ${pendop_deb_docs}/changelog.gz
          DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/${package} COMPONENT ${component})
  # lintian's overrides, each with its reason (packaging/debian/*.lintian-overrides.in).
  set(PENDOP_PACKAGE ${package})
  configure_file(${PROJECT_SOURCE_DIR}/packaging/debian/all.lintian-overrides.in
                 ${pendop_deb_docs}/overrides/${package} @ONLY)
  if(component STREQUAL "libs")
    file(READ ${PROJECT_SOURCE_DIR}/packaging/debian/libpendop.lintian-overrides.in libs_overrides)
    string(CONFIGURE "${libs_overrides}" libs_overrides @ONLY)
    file(APPEND ${pendop_deb_docs}/overrides/${package} "${libs_overrides}")
  endif()
  install(FILES ${pendop_deb_docs}/overrides/${package}
          DESTINATION ${CMAKE_INSTALL_DATADIR}/lintian/overrides COMPONENT ${component})
endwhile()
install(FILES ${pendop_deb_docs}/pendop.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1
        COMPONENT cli)
install(FILES ${PROJECT_SOURCE_DIR}/README.md
        DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/libpendop-dev COMPONENT dev)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME pendop)
set(CPACK_PACKAGE_VENDOR "The pendop authors")
set(CPACK_PACKAGE_VERSION ${pendop_deb_version})
set(CPACK_PACKAGE_CONTACT ${PENDOP_MAINTAINER})
set(CPACK_PACKAGE_HOMEPAGE_URL "https://github.com/pendop/pendop")
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Windows cluster pending-operation semantics in C++")
set(CPACK_COMPONENTS_ALL libs dev cli agents)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE ${pendop_deb_release})
set(CPACK_DEBIAN_PACKAGE_MAINTAINER ${PENDOP_MAINTAINER})
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS ${PROJECT_BINARY_DIR}/core
    ${PROJECT_BINARY_DIR}/backends/posix ${PROJECT_BINARY_DIR}/backends/ocf
    ${PROJECT_BINARY_DIR}/testing ${PROJECT_BINARY_DIR}/examples/example_resource)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY "=")
set(pendop_exact "(= ${pendop_deb_version}-${pendop_deb_release})")

set(CPACK_DEBIAN_LIBS_PACKAGE_NAME ${pendop_libs_package})
configure_file(${PROJECT_SOURCE_DIR}/packaging/debian/libpendop.triggers
               ${pendop_deb_docs}/control/triggers COPYONLY)
set(CPACK_DEBIAN_LIBS_PACKAGE_CONTROL_EXTRA ${pendop_deb_docs}/control/triggers)
set(CPACK_DEBIAN_LIBS_PACKAGE_SECTION libs)
set(CPACK_DEBIAN_LIBS_DESCRIPTION
    "Windows cluster pending-operation semantics in C++ (libraries)
pendop runs a resource's Online and Offline the way a Windows Failover
Cluster's Resource Monitor does: they return a pending state at once, run
on a worker thread, report progress, and are stopped when PendingTimeout
passes without a report. The same resource runs in a Windows resource DLL,
embedded in a service, and as a Pacemaker OCF agent.

This package holds the shared libraries.")

set(CPACK_DEBIAN_DEV_PACKAGE_NAME libpendop-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS
    "${pendop_libs_package} ${pendop_exact}, libboost-dev, libfmt-dev, nlohmann-json3-dev")
set(CPACK_DEBIAN_DEV_DESCRIPTION
    "Windows cluster pending-operation semantics in C++ (development files)
pendop runs a resource's Online and Offline the way a Windows Failover
Cluster's Resource Monitor does, in a Windows resource DLL, embedded in a
service, or as a Pacemaker OCF agent.

This package holds the headers and the CMake package:
find_package(pendop ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR} COMPONENTS posix ocf testing).")

set(CPACK_DEBIAN_CLI_PACKAGE_NAME pendop)
set(CPACK_DEBIAN_CLI_PACKAGE_SECTION admin)
# dpkg-shlibdeps finds our own libraries in the build tree (PRIVATE_DIRS) and
# so cannot name their package: the packages that link them say it here.
set(CPACK_DEBIAN_CLI_PACKAGE_DEPENDS "${pendop_libs_package} ${pendop_exact}")
set(CPACK_DEBIAN_CLI_DESCRIPTION
    "run cluster resources with Windows pending-operation semantics
The pendop command hosts resources the way a Windows cluster's Resource
Monitor does: PendingTimeout, LooksAlive and IsAlive polling, restarts by
policy. It runs a built-in demonstration, or resources and a script from
a scenario file, and writes events, a trace and a timeline.")

set(CPACK_DEBIAN_AGENTS_PACKAGE_NAME pendop-resource-agents)
set(CPACK_DEBIAN_AGENTS_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_AGENTS_PACKAGE_DEPENDS "${pendop_libs_package} ${pendop_exact}")
set(CPACK_DEBIAN_AGENTS_PACKAGE_SUGGESTS "pacemaker")
set(CPACK_DEBIAN_AGENTS_DESCRIPTION
    "OCF resource agent of pendop's example resource
ocf:pendop:example, a resource that comes online and goes offline in
steps and reports progress, run by a resident host per instance that
owns it from start to stop. It shows what an agent built with pendop
does under Pacemaker.")
set(CPACK_COMPONENT_AGENTS_DEPENDS libs)
set(CPACK_COMPONENT_CLI_DEPENDS libs)
set(CPACK_COMPONENT_DEV_DEPENDS libs)

include(CPack)
