# Runs protoc with protoc-gen-grpc-c on a proto that must be refused, and
# checks that protoc fails, prints the expected message and writes nothing.
#
#   cmake -DPROTOC=... -DPLUGIN=... -DPROTO_DIR=... -DPROTO=x.proto
#         -DOPTIONS=<plugin options, may be empty> -DEXPECT=<substring>
#         -DOUTPUT_DIR=<scratch dir> -P expect_plugin_error.cmake
cmake_minimum_required(VERSION 3.16)

file(REMOVE_RECURSE ${OUTPUT_DIR})
file(MAKE_DIRECTORY ${OUTPUT_DIR})
if(OPTIONS STREQUAL "")
  set(out_arg --grpc-c_out=${OUTPUT_DIR})
else()
  set(out_arg --grpc-c_out=${OPTIONS}:${OUTPUT_DIR})
endif()
execute_process(
  COMMAND ${PROTOC} --plugin=protoc-gen-grpc-c=${PLUGIN} -I${PROTO_DIR}
          ${out_arg} ${PROTO_DIR}/${PROTO}
  RESULT_VARIABLE result
  OUTPUT_VARIABLE output
  ERROR_VARIABLE errors)

if(result EQUAL 0)
  message(FATAL_ERROR "protoc accepted ${PROTO} with options '${OPTIONS}'")
endif()
string(FIND "${errors}" "${EXPECT}" position)
if(position EQUAL -1)
  message(FATAL_ERROR "expected in protoc's error output:\n  ${EXPECT}\n"
    "got:\n${errors}")
endif()
file(GLOB_RECURSE written ${OUTPUT_DIR}/*)
if(written)
  message(FATAL_ERROR "protoc wrote files although it failed: ${written}")
endif()
message(STATUS "refused as expected: ${errors}")
