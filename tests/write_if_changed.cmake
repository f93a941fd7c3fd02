# write_if_changed(<path> <content>): writes `content` to `path` unless it
# is there already, so reconfiguring does not recompile the test sources
# that tests/compile and tests/stress generate (file(CONFIGURE) would need
# CMake 3.18).
include_guard(GLOBAL)

function(write_if_changed path content)
  if(EXISTS ${path})
    file(READ ${path} old)
    if(old STREQUAL content)
      return()
    endif()
  endif()
  file(WRITE ${path} "${content}")
endfunction()
