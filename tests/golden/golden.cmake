# Runs protoc-gen-grpc-c over the golden protos and compares the outputs
# with the checked-in expectations, or rewrites the expectations.
#
#   cmake -DMODE=check|update -DPROTOC=<protoc> -DPLUGIN=<protoc-gen-grpc-c>
#         -DPROTO_DIR=<dir> -DEXPECTED_DIR=<dir> -DOUTPUT_DIR=<dir>
#         -DPROTOS=<a.proto>|<b.proto>... -P golden.cmake
#
# Every proto is generated with the `skeleton` option, so all three outputs
# are covered. check: a difference or a missing or extra file fails, with a
# unified diff when `diff` is available. update: EXPECTED_DIR is replaced by
# the fresh outputs.
cmake_minimum_required(VERSION 3.16)

foreach(var MODE PROTOC PLUGIN PROTO_DIR EXPECTED_DIR OUTPUT_DIR PROTOS)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "golden.cmake: -D${var}=... is required")
  endif()
endforeach()
string(REPLACE "|" ";" PROTOS "${PROTOS}")

file(REMOVE_RECURSE ${OUTPUT_DIR})
file(MAKE_DIRECTORY ${OUTPUT_DIR})
foreach(proto IN LISTS PROTOS)
  execute_process(
    COMMAND ${PROTOC} --plugin=protoc-gen-grpc-c=${PLUGIN} -I${PROTO_DIR}
            --grpc-c_out=skeleton:${OUTPUT_DIR} ${PROTO_DIR}/${proto}
    RESULT_VARIABLE result
    ERROR_VARIABLE errors)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "protoc failed on ${proto}:\n${errors}")
  endif()
endforeach()

file(GLOB_RECURSE actual RELATIVE ${OUTPUT_DIR} ${OUTPUT_DIR}/*)
list(SORT actual)

if(MODE STREQUAL "update")
  file(REMOVE_RECURSE ${EXPECTED_DIR})
  foreach(file IN LISTS actual)
    get_filename_component(dir ${EXPECTED_DIR}/${file} DIRECTORY)
    file(COPY ${OUTPUT_DIR}/${file} DESTINATION ${dir})
  endforeach()
  list(LENGTH actual count)
  message(STATUS "golden: wrote ${count} files to ${EXPECTED_DIR}")
  return()
elseif(NOT MODE STREQUAL "check")
  message(FATAL_ERROR "golden.cmake: MODE must be check or update")
endif()

file(GLOB_RECURSE expected RELATIVE ${EXPECTED_DIR} ${EXPECTED_DIR}/*)
list(SORT expected)
find_program(DIFF diff)

set(problems "")
foreach(file IN LISTS expected)
  if(NOT file IN_LIST actual)
    string(APPEND problems "missing output: ${file}\n")
  endif()
endforeach()
foreach(file IN LISTS actual)
  if(NOT file IN_LIST expected)
    string(APPEND problems "unexpected output: ${file}\n")
    continue()
  endif()
  execute_process(
    COMMAND ${CMAKE_COMMAND} -E compare_files
            ${EXPECTED_DIR}/${file} ${OUTPUT_DIR}/${file}
    RESULT_VARIABLE different)
  if(different)
    string(APPEND problems "differs: ${file}\n")
    if(DIFF)
      execute_process(
        COMMAND ${DIFF} -u ${EXPECTED_DIR}/${file} ${OUTPUT_DIR}/${file}
        OUTPUT_VARIABLE diff_text)
      string(APPEND problems "${diff_text}\n")
    endif()
  endif()
endforeach()

if(problems)
  message(FATAL_ERROR "golden files differ from protoc-gen-grpc-c's output. "
    "If the change is intended, run: cmake --build <build> --target golden-update\n"
    "${problems}")
endif()
list(LENGTH actual count)
message(STATUS "golden: ${count} files match")
