# Warnings and sanitizers applied to every pulse target.
add_compile_options(-Wall -Wextra -Wpedantic)
if(PULSE_WERROR)
  add_compile_options(-Werror)
endif()
if(PULSE_SANITIZE)
  # halt_on_error is set at run time through UBSAN_OPTIONS (see PulseTesting.cmake).
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
