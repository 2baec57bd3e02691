# Warning and sanitizer flags shared by every Sightline target.
function(sl_target_defaults target)
  # -Wshadow=local is GCC's; clang (the fuzz build) has no such level.
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic
    $<$<CXX_COMPILER_ID:GNU>:-Wshadow=local> -Wno-missing-field-initializers)
  if(SL_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(SL_ASAN)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()
