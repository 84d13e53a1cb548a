# Third-party dependencies, all from Debian's packages (see README "Dependencies").
find_package(Threads REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(ZLIB REQUIRED)
find_package(cpprestsdk REQUIRED)
find_package(prometheus-cpp REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(GTest REQUIRED)
find_package(benchmark REQUIRED)
find_package(PostgreSQL REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(RE2 REQUIRED IMPORTED_TARGET re2)
pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET hiredis)
pkg_check_modules(RABBITMQ REQUIRED IMPORTED_TARGET librabbitmq)

# cpprestsdk defines a macro U(...) that breaks templates with a parameter named U (GoogleTest).
# Targets that use cpprestsdk link this instead of cpprestsdk::cpprest directly.
if(NOT TARGET pulse_cpprest)
  add_library(pulse_cpprest INTERFACE)
  target_link_libraries(pulse_cpprest INTERFACE cpprestsdk::cpprest OpenSSL::SSL OpenSSL::Crypto)
  target_compile_definitions(pulse_cpprest INTERFACE _TURN_OFF_PLATFORM_STRING)
endif()
