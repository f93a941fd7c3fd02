# add_grpc_c_service(<target> PROTOS a.proto [b.proto ...]
#                    [IMPORT_DIRS dir ...] [SKELETON] [NO_REFLECTION]
#                    [STATIC|SHARED])
#
# Runs protoc with protobuf-c's generator and protoc-gen-grpc-c over the
# given files and builds the outputs into library <target> (STATIC unless
# SHARED is given), which links libgrpc-c, protobuf-c and gRPC publicly and
# puts the generated headers on its include path. Relative proto paths are
# taken from the current source directory; the first IMPORT_DIR that holds a
# proto (default: its own directory) is its root for protoc, so
# `import "x/y.proto"` works as protoc expects. With SKELETON, the handler
# skeleton <base>.grpc-c.skel.c is written too (never compiled into the
# library) and its path is stored in the target property GRPC_C_SKELETONS.
#
# Server reflection: each generated <base>.grpc-c.c embeds its file's
# serialized descriptor and symbol list as grpc_c_file__<escaped path>
# (docs/generated-code.md). NO_REFLECTION passes the plugin option
# `reflection=off`: the structure stays (importers link against it) but
# without the descriptor, symbols and extensions, which saves their size.
# Setting the variable GRPC_C_REFLECTION to OFF (a cache option of grpc-c's
# own build; any project may set it before calling) makes NO_REFLECTION the
# default for every call.
#
# Protos may import the well-known types (google/protobuf/empty.proto,
# timestamp.proto, ...): protoc finds their .proto files itself, and
# <target> links grpc-c-wkt, the one library per build (or installation)
# holding protobuf-c's code for them, so two services that use the same
# type link into one program without duplicate symbols.
include_guard(GLOBAL)

function(add_grpc_c_service target)
  cmake_parse_arguments(ARG "SKELETON;NO_REFLECTION;STATIC;SHARED" ""
    "PROTOS;IMPORT_DIRS" ${ARGN})
  if(NOT ARG_PROTOS)
    message(FATAL_ERROR "add_grpc_c_service(${target}): PROTOS is required")
  endif()
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "add_grpc_c_service(${target}): unknown arguments: ${ARG_UNPARSED_ARGUMENTS}")
  endif()

  set(out_dir ${CMAKE_CURRENT_BINARY_DIR}/${target}_gen)
  file(MAKE_DIRECTORY ${out_dir})

  set(import_args)
  set(import_dirs)
  foreach(dir IN LISTS ARG_IMPORT_DIRS)
    get_filename_component(abs ${dir} ABSOLUTE BASE_DIR ${CMAKE_CURRENT_SOURCE_DIR})
    list(APPEND import_dirs ${abs})
    list(APPEND import_args -I${abs})
  endforeach()

  set(plugin_opts)
  if(ARG_SKELETON)
    list(APPEND plugin_opts skeleton)
  endif()
  if(ARG_NO_REFLECTION OR (DEFINED GRPC_C_REFLECTION AND NOT GRPC_C_REFLECTION))
    list(APPEND plugin_opts reflection=off)
  endif()
  set(plugin_opt "")
  if(plugin_opts)
    string(REPLACE ";" "," plugin_opt "${plugin_opts}")
    string(APPEND plugin_opt ":")
  endif()

  set(sources)
  set(headers)
  set(skeletons)
  foreach(proto IN LISTS ARG_PROTOS)
    get_filename_component(abs ${proto} ABSOLUTE BASE_DIR ${CMAKE_CURRENT_SOURCE_DIR})
    if(NOT EXISTS ${abs})
      message(FATAL_ERROR "add_grpc_c_service(${target}): no such proto file: ${abs}")
    endif()
    # The proto's root: the first import dir that contains it, else its own dir.
    get_filename_component(root ${abs} DIRECTORY)
    foreach(dir IN LISTS import_dirs)
      string(FIND "${abs}" "${dir}/" pos)
      if(pos EQUAL 0)
        set(root ${dir})
        break()
      endif()
    endforeach()
    file(RELATIVE_PATH rel ${root} ${abs})
    string(REGEX REPLACE "\\.proto$" "" base ${rel})
    set(outs
      ${out_dir}/${base}.pb-c.c ${out_dir}/${base}.pb-c.h
      ${out_dir}/${base}.grpc-c.c ${out_dir}/${base}.grpc-c.h)
    if(ARG_SKELETON)
      list(APPEND outs ${out_dir}/${base}.grpc-c.skel.c)
      list(APPEND skeletons ${out_dir}/${base}.grpc-c.skel.c)
    endif()
    add_custom_command(
      OUTPUT ${outs}
      COMMAND ${PROTOC_EXECUTABLE}
        --plugin=protoc-gen-grpc-c=${GRPC_C_PLUGIN_EXECUTABLE}
        -I${root} ${import_args}
        --c_out=${out_dir} --grpc-c_out=${plugin_opt}${out_dir}
        ${abs}
      DEPENDS ${abs} ${GRPC_C_PLUGIN_TARGET}
      COMMENT "protoc-gen-grpc-c: ${rel}"
      VERBATIM)
    list(APPEND sources ${out_dir}/${base}.pb-c.c ${out_dir}/${base}.grpc-c.c)
    list(APPEND headers ${out_dir}/${base}.pb-c.h ${out_dir}/${base}.grpc-c.h)
  endforeach()

  if(ARG_SHARED)
    add_library(${target} SHARED ${sources} ${headers})
  else()
    add_library(${target} STATIC ${sources} ${headers})
  endif()
  set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE ON
    GRPC_C_SKELETONS "${skeletons}")
  target_include_directories(${target} PUBLIC ${out_dir})
  target_link_libraries(${target} PUBLIC ${GRPC_C_RUNTIME_TARGET}
    ${GRPC_C_WKT_TARGET} PkgConfig::PROTOBUF_C PkgConfig::GRPC)
  if(skeletons)
    # Generate the skeletons with the library even though nothing compiles them.
    add_custom_target(${target}_skeletons DEPENDS ${skeletons})
    add_dependencies(${target} ${target}_skeletons)
  endif()
endfunction()
