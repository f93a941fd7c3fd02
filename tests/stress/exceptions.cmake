# What the stress test (tests/stress/CMakeLists.txt) does not hold
# protobuf-c 1.4.1's output to, and why. Our own files (.grpc-c.c/.h/.skel.c)
# have no exceptions.
#
# 1. C99 and oneofs (all files): protobuf-c writes each oneof as an
#    anonymous union, which is C11; `-std=c99 -Wpedantic` rejects it
#    ("ISO C99 doesn't support unnamed structs/unions"). In the C99 pass
#    protoc-c's headers (and the well-known types') are therefore included
#    as system headers. The C11 and C++17 passes include them normally.
#
# 2. -Wmissing-braces in protoc-c's message initialiser: for a oneof whose
#    first member is `bytes` (a struct, ProtobufCBinaryData), protobuf-c's
#    <MESSAGE>__INIT macro initialises the union with `{0}`, which
#    -Wmissing-braces (part of -Wall) rejects. The .pb-c.c of these files
#    uses that macro and is compiled with -Wno-missing-braces; C code that
#    uses the macro itself meets the same warning.
set(GRPC_C_STRESS_NO_MISSING_BRACES
  grpc/lb/v1/load_reporter.proto  # Load.orphaned_load: bytes load_key first
)
#
# Refused by protoc-gen-grpc-c rather than listed here (tests/plugin):
# proto2 groups, which protoc-gen-c 1.4 crashes on.
#
# Not in this test because protoc-c itself cannot generate or compile them
# (each is covered by a golden test of our output, tests/golden/protos.cmake):
# proto3 `optional` (protoc refuses to run protoc-gen-c on it), methods
# named like C keywords (protobuf-c's service struct uses the bare name), a
# service without methods (protobuf-c's zero-size arrays).
