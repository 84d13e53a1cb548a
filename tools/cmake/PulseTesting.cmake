# Helpers to register GoogleTest programs and benchmarks with CTest.
#
#   pulse_add_test(NAME SOURCES src... [LIBS lib...] [LABELS label...] [FIXTURES fixture...]
#                  [TIMEOUT seconds] [RUN_SERIAL])
#     Builds one GoogleTest executable and registers it as a single CTest test named NAME.
#     FIXTURES names test-environment servers (kube, prometheus, alertmanager, rabbitmq,
#     postgres, redis, s3); CTest starts them before and stops them after (tests/CMakeLists.txt).
#
#   pulse_add_benchmark(NAME SOURCES src... [LIBS lib...])
#     Builds one Google Benchmark executable, registered with label "benchmark" and a quick
#     setting (--benchmark_min_time) so `ctest -L benchmark` checks it runs; scripts/bench.sh
#     runs them for real.

set(PULSE_TESTENV_DIR "${CMAKE_BINARY_DIR}/testenv" CACHE PATH "State of test servers (ports, pids, data)")
set(PULSE_TEST_ENVIRONMENT
    "PULSE_TESTENV_DIR=${PULSE_TESTENV_DIR}"
    "PULSE_SOURCE_DIR=${CMAKE_SOURCE_DIR}"
    "PULSE_BINARY_DIR=${CMAKE_BINARY_DIR}"
    "ASAN_OPTIONS=detect_leaks=1:abort_on_error=0"
    "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1"
    "LSAN_OPTIONS=suppressions=${CMAKE_SOURCE_DIR}/tools/sanitizers/lsan.supp:print_suppressions=0")

# Servers whose whole state a test may measure (dead-letter totals, connection counts, bucket
# sizes): under `ctest -j` the tests that share one never overlap (one RESOURCE_LOCK per server).
# The kube and Prometheus fixtures are shared freely: their tests work in namespaces and servers
# of their own.
set(PULSE_EXCLUSIVE_SERVERS rabbitmq postgres s3 redis)
function(pulse_lock_exclusive_servers name)
  set(locks "")
  foreach(f IN LISTS ARGN)
    if(f IN_LIST PULSE_EXCLUSIVE_SERVERS)
      list(APPEND locks ${f})
    endif()
  endforeach()
  if(locks)
    set_property(TEST ${name} APPEND PROPERTY RESOURCE_LOCK ${locks})
  endif()
endfunction()

function(pulse_add_test name)
  cmake_parse_arguments(T "RUN_SERIAL" "TIMEOUT" "SOURCES;LIBS;LABELS;FIXTURES" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} pulse::testing GTest::gtest GTest::gtest_main GTest::gmock)
  add_test(NAME ${name} COMMAND ${name} --gtest_color=no)
  if(NOT T_LABELS)
    set(T_LABELS unit)
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  set_tests_properties(${name} PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT}
                                          ENVIRONMENT "${PULSE_TEST_ENVIRONMENT}")
  if(T_FIXTURES)
    set_tests_properties(${name} PROPERTIES FIXTURES_REQUIRED "${T_FIXTURES}")
    pulse_lock_exclusive_servers(${name} ${T_FIXTURES})
  endif()
  if(T_RUN_SERIAL)
    set_tests_properties(${name} PROPERTIES RUN_SERIAL ON)
  endif()
endfunction()

# Registers a shell/other command as a CTest test with the shared environment.
function(pulse_add_command_test name)
  cmake_parse_arguments(T "RUN_SERIAL" "TIMEOUT" "COMMAND;LABELS;FIXTURES" ${ARGN})
  add_test(NAME ${name} COMMAND ${T_COMMAND})
  if(NOT T_LABELS)
    set(T_LABELS unit)
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  set_tests_properties(${name} PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT}
                                          ENVIRONMENT "${PULSE_TEST_ENVIRONMENT}")
  if(T_FIXTURES)
    set_tests_properties(${name} PROPERTIES FIXTURES_REQUIRED "${T_FIXTURES}")
    pulse_lock_exclusive_servers(${name} ${T_FIXTURES})
  endif()
  if(T_RUN_SERIAL)
    set_tests_properties(${name} PROPERTIES RUN_SERIAL ON)
  endif()
endfunction()

function(pulse_add_benchmark name)
  cmake_parse_arguments(B "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${B_SOURCES})
  target_link_libraries(${name} PRIVATE ${B_LIBS} benchmark::benchmark benchmark::benchmark_main)
  add_test(NAME ${name} COMMAND ${name} --benchmark_min_time=0.01)
  set_tests_properties(${name} PROPERTIES LABELS benchmark TIMEOUT 600
                                          ENVIRONMENT "${PULSE_TEST_ENVIRONMENT}")
endfunction()
