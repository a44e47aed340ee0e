# SPDX-License-Identifier: MIT
# Helpers that give every pendop target the same language level, warnings and
# sanitizers, always target-scoped (never CMAKE_CXX_FLAGS).

# pendop_setup_target(<target>)
function(pendop_setup_target target)
  target_compile_features(${target} PUBLIC cxx_std_20)
  set_target_properties(${target} PROPERTIES CXX_EXTENSIONS OFF)
  # Static libraries and programs keep their symbols to themselves. A shared
  # build (ELF only, see CMakeLists.txt) exports what the headers declare.
  if(NOT BUILD_SHARED_LIBS)
    set_target_properties(${target} PROPERTIES CXX_VISIBILITY_PRESET hidden
                                               VISIBILITY_INLINES_HIDDEN ON)
  endif()
  if(WIN32)
    # pendop's own Windows code; consumers keep their own settings.
    target_compile_definitions(${target} PRIVATE WIN32_LEAN_AND_MEAN NOMINMAX _WIN32_WINNT=0x0A00
                                                 UNICODE _UNICODE)
  endif()
  if(MSVC)
    target_compile_options(${target} PRIVATE /W4 /permissive-)
    if(PENDOP_WARNINGS_AS_ERRORS)
      target_compile_options(${target} PRIVATE /WX)
    endif()
  else()
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
                                              -Wno-sign-conversion -Wnon-virtual-dtor)
    if(PENDOP_WARNINGS_AS_ERRORS)
      target_compile_options(${target} PRIVATE -Werror)
    endif()
  endif()
  if(MINGW)
    target_link_options(${target} PRIVATE -static)
  endif()
  pendop_apply_sanitizers(${target})
endfunction()

# pendop_apply_sanitizers(<target>): compile and link flags for PENDOP_SANITIZERS.
function(pendop_apply_sanitizers target)
  if(NOT PENDOP_SANITIZERS)
    return()
  endif()
  list(JOIN PENDOP_SANITIZERS "," sanitizers)
  set(flags -fsanitize=${sanitizers} -fno-omit-frame-pointer)
  if("undefined" IN_LIST PENDOP_SANITIZERS)
    list(APPEND flags -fno-sanitize-recover=undefined)
  endif()
  target_compile_options(${target} PRIVATE ${flags})
  if("thread" IN_LIST PENDOP_SANITIZERS AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # Boost.Asio's handler recycling uses std::atomic_thread_fence, which GCC
    # warns TSan cannot model; the fences order memory that a mutex already
    # orders, and the TSan runs stay clean.
    target_compile_options(${target} PRIVATE -Wno-tsan)
  endif()
  target_link_options(${target} PRIVATE ${flags})
endfunction()

# pendop_add_library(<name> ALIAS <alias> [STATIC] SOURCES ... ) -> pendop_<name>,
# pendop::<alias>. STATIC: always a static library (one that is not
# installed, linked into programs that are).
function(pendop_add_library name)
  cmake_parse_arguments(arg "STATIC" "ALIAS" "SOURCES" ${ARGN})
  if(arg_STATIC)
    add_library(pendop_${name} STATIC ${arg_SOURCES})
    set_target_properties(pendop_${name} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  else()
    add_library(pendop_${name} ${arg_SOURCES})
  endif()
  add_library(pendop::${arg_ALIAS} ALIAS pendop_${name})
  # Shared (ELF): versioned, and each finds its pendop siblings beside it.
  # While 0.x, a minor version may break the ABI: it is part of the SONAME
  # (libpendop_core.so.0.3), as it is of the CMake version check.
  if(PROJECT_VERSION_MAJOR EQUAL 0)
    set(soversion ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR})
  else()
    set(soversion ${PROJECT_VERSION_MAJOR})
  endif()
  set_target_properties(pendop_${name} PROPERTIES EXPORT_NAME ${arg_ALIAS}
                        VERSION ${PROJECT_VERSION} SOVERSION ${soversion}
                        INSTALL_RPATH "$ORIGIN")
  pendop_setup_target(pendop_${name})
endfunction()

# pendop_use_core_detail(<target>): the core's private headers
# (<pendop/detail/...>: the tracker, watchdog, state machine, restart policy
# and DeadlockTimeout watch) for pendop's own libraries and tests. They are
# never installed, and no installed header includes one.
function(pendop_use_core_detail target)
  target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR}/core/detail)
endfunction()
