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
