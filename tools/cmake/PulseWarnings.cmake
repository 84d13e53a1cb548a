# Warnings and sanitizers applied to every pulse target.
add_compile_options(-Wall -Wextra -Wpedantic)
# GCC 12 reports -Wrestrict inside libstdc++'s std::string at -O2 for code with no overlap
# (GCC bug 105329, fixed in 13); keep the warning for other compilers and versions.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  add_compile_options(-Wno-restrict)
endif()
if(PULSE_WERROR)
  add_compile_options(-Werror)
endif()
if(PULSE_SANITIZE)
  # halt_on_error is set at run time through UBSAN_OPTIONS (see PulseTesting.cmake).
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
