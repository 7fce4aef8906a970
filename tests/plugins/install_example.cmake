# Runs an out-of-tree SDK example against an installed Keel (cmake -P):
#   install KEEL_BUILD_DIR into WORK_DIR/prefix, configure EXAMPLE_DIR with
#   CMAKE_PREFIX_PATH pointing there, build it, run its ctest.
file(REMOVE_RECURSE ${WORK_DIR})

function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc})")
  endif()
endfunction()

run("install" ${CMAKE_COMMAND} --install ${KEEL_BUILD_DIR} --prefix ${WORK_DIR}/prefix)
foreach(f lib/libkeel.so include/keel/ext/index_method.hpp lib/cmake/keel/keelConfig.cmake lib/pkgconfig/keel.pc)
  if(NOT EXISTS ${WORK_DIR}/prefix/${f})
    message(FATAL_ERROR "not installed: ${f}")
  endif()
endforeach()
run("configure" ${CMAKE_COMMAND} -S ${EXAMPLE_DIR} -B ${WORK_DIR}/build -G ${GENERATOR}
    -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix -DCMAKE_BUILD_TYPE=RelWithDebInfo)
run("build" ${CMAKE_COMMAND} --build ${WORK_DIR}/build)
run("test" ${CTEST} --test-dir ${WORK_DIR}/build --output-on-failure)

# The same module through pkg-config (keel.pc), when pkg-config is present.
find_program(PKG_CONFIG pkg-config)
if(PKG_CONFIG)
  set(ENV{PKG_CONFIG_PATH} ${WORK_DIR}/prefix/lib/pkgconfig)
  execute_process(COMMAND ${PKG_CONFIG} --cflags --libs keel OUTPUT_VARIABLE flags RESULT_VARIABLE rc
                  OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "pkg-config keel failed")
  endif()
  separate_arguments(flags UNIX_COMMAND "${flags}")
  run("pkg-config build" c++ -shared -fPIC -fvisibility=hidden ${EXAMPLE_DIR}/trigram.cpp ${flags}
      -Wl,--no-undefined -o ${WORK_DIR}/keel_trigram_pc.so)
endif()
