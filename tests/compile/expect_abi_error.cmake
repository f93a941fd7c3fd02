# Proves the generated header refuses a libgrpc-c of another ABI: generates
# helloworld.grpc-c.h, puts a stand-in <grpc-c/grpc-c.h> first on the
# include path, and expects the compiler to stop at the header's #error.
#
#   cmake -DPROTOC=... -DPLUGIN=... -DPROTO_DIR=... -DCC=<C compiler>
#         -DWORK_DIR=<scratch> -DCASE=other|missing -P expect_abi_error.cmake
#
# CASE=other: the runtime header defines GRPC_C_ABI_VERSION 0.
# CASE=missing: it defines no GRPC_C_ABI_VERSION at all (a runtime older
# than the version check, or a wrong header of the same name).
cmake_minimum_required(VERSION 3.16)

file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR}/gen ${WORK_DIR}/runtime/grpc-c)
execute_process(
  COMMAND ${PROTOC} --plugin=protoc-gen-grpc-c=${PLUGIN} -I${PROTO_DIR}
          --c_out=${WORK_DIR}/gen --grpc-c_out=${WORK_DIR}/gen
          ${PROTO_DIR}/helloworld.proto
  RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "protoc failed: ${err}")
endif()

if(CASE STREQUAL "other")
  set(define "#define GRPC_C_ABI_VERSION 0\n")
elseif(CASE STREQUAL "missing")
  set(define "")
else()
  message(FATAL_ERROR "CASE must be 'other' or 'missing', got '${CASE}'")
endif()
file(WRITE ${WORK_DIR}/runtime/grpc-c/grpc-c.h
  "/* Stand-in for an incompatible libgrpc-c. */\n#include <protobuf-c/protobuf-c.h>\n${define}")
file(WRITE ${WORK_DIR}/user.c "#include \"helloworld.grpc-c.h\"\n")

execute_process(
  COMMAND ${CC} -std=c11 -fsyntax-only -I${WORK_DIR}/runtime
          -I${WORK_DIR}/gen ${WORK_DIR}/user.c
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc EQUAL 0)
  message(FATAL_ERROR "the header compiled against a runtime of another ABI (${CASE})")
endif()
set(expect "helloworld.grpc-c.h was generated for grpc-c ABI 2; regenerate it or use a matching libgrpc-c")
string(FIND "${err}" "${expect}" position)
if(position EQUAL -1)
  message(FATAL_ERROR "expected the #error\n  ${expect}\ngot:\n${err}")
endif()
message(STATUS "refused as expected (${CASE}):\n${err}")
