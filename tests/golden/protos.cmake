# The golden protos, shared by tests/golden and tests/compile. Paths are
# relative to tests/golden/protos, which is their import root (-I).
# protobuf-c/protobuf-c.proto (for c_package) comes from protoc's default
# include path (/usr/include on Debian).
set(GRPC_C_GOLDEN_PROTOS
  api/v1/service.proto          # imports across directories and packages
  c_package.proto               # option (pb_c_file).c_package
  c_package_no_package.proto    # c_package without a package
  casing.proto                  # method and service names in every casing
  comments.proto                # */, /*, trailing backslash, ??/ in comments
  common/types.proto            # a file without services
  cross/uses_c_package.proto    # messages of a file with c_package
  cxx_keywords.proto            # C++ keywords and GNU/libc macro names
  empty_service.proto           # a service without methods
  helloworld.proto              # the four kinds (docs/generated-code.md)
  keywords.proto                # C keywords: Return, Default, Register...
  multi/two_services.proto      # two services in one file
  nested/deep/v1/deep.proto     # nested package, nested message
  no_package.proto              # no package
  proto2.proto                  # proto2, nested messages as request/response
  proto3_optional.proto         # proto3 optional (FEATURE_PROTO3_OPTIONAL)
  reflection.proto              # extensions, nested enums
  same_message.proto            # one message on both sides, every kind
  verbs.proto                   # methods named like runtime verbs
  wkt.proto                     # google.protobuf.Empty, Timestamp, Any
)

# Which golden outputs tests/compile can build. protobuf-c 1.4's own output
# is the limit, never ours:
#  - keywords.proto: protobuf-c names its service struct members after the
#    methods unescaped (`return`, `default`), so its .pb-c.h is invalid C.
#  - proto3_optional.proto: protoc-c 1.4 refuses proto3 `optional`.
set(GRPC_C_GOLDEN_NOT_COMPILABLE keywords.proto proto3_optional.proto)
#  - cxx_keywords.proto: protobuf-c's members `new`, `class`... are fine in
#    ISO C but not in C++, so the header is not included in the C++ test.
set(GRPC_C_GOLDEN_NOT_CXX cxx_keywords.proto)
#  - empty_service.proto: protobuf-c's .pb-c.c declares zero-size method
#    arrays, which -Wpedantic rejects; its .pb-c.c is left out, our files
#    are compiled.
set(GRPC_C_GOLDEN_NO_PBC_SOURCE empty_service.proto)

# wkt.proto imports well-known types: tests/compile takes their .pb-c.h
# from libgrpc-c-wkt (wkt/) and links that library.
