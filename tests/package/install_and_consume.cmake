# Installs the grpc-c build in BUILD_DIR into WORK_DIR/prefix, then:
#  1. configures, builds and runs CONSUMER_DIR (find_package + add_grpc_c_service);
#  2. runs protoc with the installed plugin and compiles with pkg-config.
file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
endfunction()

run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})
# Debian's GNUInstallDirs may pick lib/ or lib/<multiarch>/: glob.
file(GLOB_RECURSE shared_libs ${prefix}/lib*/libgrpc-c.so*)
file(GLOB_RECURSE static_libs ${prefix}/lib*/libgrpc-c.a)
file(GLOB_RECURSE pc_files ${prefix}/lib*/grpc-c.pc)
file(GLOB_RECURSE wkt_libs ${prefix}/lib*/libgrpc-c-wkt.so*)
if(NOT shared_libs OR NOT static_libs OR NOT pc_files OR NOT EXISTS ${prefix}/bin/protoc-gen-grpc-c
   OR NOT EXISTS ${prefix}/include/grpc-c/grpc-c.h OR NOT wkt_libs
   OR NOT EXISTS ${prefix}/include/grpc-c/wkt/google/protobuf/empty.pb-c.h)
  message(FATAL_ERROR "install is missing files: ${shared_libs} ${static_libs} ${pc_files} ${wkt_libs}")
endif()

# 1. CMake package.
set(sanitize_flags "")
if(SANITIZE)
  set(sanitize_flags -DCMAKE_C_FLAGS=-fsanitize=address,undefined -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=address,undefined)
endif()
run(${CMAKE_COMMAND} -S ${CONSUMER_DIR} -B ${WORK_DIR}/consumer-build
    -DCMAKE_PREFIX_PATH=${prefix} ${sanitize_flags})
run(${CMAKE_COMMAND} --build ${WORK_DIR}/consumer-build)
run(${WORK_DIR}/consumer-build/consumer)

# 2. protoc + pkg-config, as a Makefile user would.
get_filename_component(pc_dir ${pc_files} DIRECTORY)
set(ENV{PKG_CONFIG_PATH} ${pc_dir})
file(MAKE_DIRECTORY ${WORK_DIR}/plain)
run(protoc --plugin=protoc-gen-grpc-c=${prefix}/bin/protoc-gen-grpc-c
    -I${CONSUMER_DIR} --c_out=${WORK_DIR}/plain --grpc-c_out=${WORK_DIR}/plain
    ${CONSUMER_DIR}/ping.proto)
execute_process(COMMAND pkg-config --cflags --libs grpc-c grpc-c-wkt
  OUTPUT_VARIABLE flags RESULT_VARIABLE rc OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "pkg-config grpc-c grpc-c-wkt failed")
endif()
separate_arguments(flags UNIX_COMMAND "${flags}")
set(cc_flags)
if(SANITIZE)
  set(cc_flags -fsanitize=address,undefined)
endif()
run(cc -std=c11 -Wall -Wextra -Werror ${cc_flags} -I${WORK_DIR}/plain
    ${CONSUMER_DIR}/consumer.c ${WORK_DIR}/plain/ping.pb-c.c ${WORK_DIR}/plain/ping.grpc-c.c
    -o ${WORK_DIR}/plain/consumer -Wl,-rpath,${pc_dir}/.. ${flags})
run(${WORK_DIR}/plain/consumer)
message(STATUS "package: CMake and pkg-config consumers built and ran")
