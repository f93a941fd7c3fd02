// What protobuf-c 1.4 cannot generate. Our output is useless without
// protoc-c's for the same files, so a file protoc-c would fail on is
// refused here with a message that says which element and why, instead of
// leaving the user with protoc-c's crash.
#ifndef GRPC_C_PLUGIN_PROTOBUF_C_LIMITS_H
#define GRPC_C_PLUGIN_PROTOBUF_C_LIMITS_H

#include <string>
#include <vector>

namespace google::protobuf {
class FileDescriptor;
}  // namespace google::protobuf

namespace grpc_c::plugin {

// One message per element of `file`, or of a file it imports (directly or
// not, since protoc-c must generate those too), that protoc-c 1.4 cannot
// handle:
//  * a group field (proto2 `group`): protoc-gen-c crashes (SIGSEGV).
// Each message starts with the name of the .proto file being generated.
// Empty when the file is fine.
std::vector<std::string> ProtobufCLimitViolations(
    const google::protobuf::FileDescriptor* file);

}  // namespace grpc_c::plugin

#endif  // GRPC_C_PLUGIN_PROTOBUF_C_LIMITS_H
