# keel_add_kernel_layer(name SOURCES ... DEPS ...)
#   One kernel layer: a static, position-independent library that libkeel
#   absorbs whole. DEPS are the lower layers it may use; nothing else is
#   visible to it, so a layer cannot reach upward.
function(keel_add_kernel_layer name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC
    ${PROJECT_SOURCE_DIR}/kernel ${PROJECT_SOURCE_DIR}/sdk/include)
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
  set_property(GLOBAL APPEND PROPERTY KEEL_KERNEL_LAYERS ${name})
endfunction()

# keel_add_test(name SOURCES ... LIBS ...)
#   A GoogleTest binary registered with ctest, test by test.
function(keel_add_test name)
  if(NOT KEEL_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS;PROPERTIES" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gtest_main)
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bin/tests)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES ${ARG_PROPERTIES})
endfunction()

# keel_add_module(name SOURCES ... [LIBS ...] [TEST_ONLY])
#   A feature module: the shared library keel_<name>.so in lib/keel/modules/
#   (test-only modules: lib/keel/test-modules/, never installed), linked only
#   against the shared libkeel and its own LIBS, exporting nothing but its
#   entry points (hidden visibility), with no undefined symbols and an
#   $ORIGIN rpath so it finds libkeel.so wherever the tree is installed.
#   -DKEEL_MODULES=a;b builds only the named modules ("all" by default).
function(keel_add_module name)
  cmake_parse_arguments(ARG "TEST_ONLY" "" "SOURCES;LIBS" ${ARGN})
  if(NOT ARG_TEST_ONLY AND NOT KEEL_MODULES STREQUAL "all" AND NOT name IN_LIST KEEL_MODULES)
    message(STATUS "module ${name}: not built (KEEL_MODULES=${KEEL_MODULES})")
    return()
  endif()
  set(target keel_${name})
  add_library(${target} SHARED ${ARG_SOURCES})
  if(ARG_TEST_ONLY)
    set(dir ${CMAKE_BINARY_DIR}/lib/keel/test-modules)
  else()
    set(dir ${CMAKE_BINARY_DIR}/lib/keel/modules)
  endif()
  set_target_properties(${target} PROPERTIES
    PREFIX "" OUTPUT_NAME keel_${name}
    LIBRARY_OUTPUT_DIRECTORY ${dir}
    CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON
    BUILD_RPATH "$ORIGIN/../.." INSTALL_RPATH "$ORIGIN/../..")
  target_link_libraries(${target} PRIVATE keel ${ARG_LIBS})
  target_link_options(${target} PRIVATE -Wl,--no-undefined)
  if(NOT ARG_TEST_ONLY)
    set_property(GLOBAL APPEND PROPERTY KEEL_BUILT_MODULES ${name})
    install(TARGETS ${target} LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/keel/modules)
  endif()
endfunction()
