// Builds FileDescriptors from .proto text in memory, as protoc would hand
// them to the plugin (with source locations, so comments are available).
#ifndef GRPC_C_TESTS_PLUGIN_PROTO_FIXTURE_H
#define GRPC_C_TESTS_PLUGIN_PROTO_FIXTURE_H

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>

#include <string>

namespace grpc_c::plugin::testing {

class ProtoFixture {
 public:
  // Parses `text` as file `name` and builds it; files it imports must have
  // been added before. Returns NULL and stores the reason in error() when
  // the text does not parse or build.
  const google::protobuf::FileDescriptor* Add(const std::string& name,
                                              const std::string& text);

  // Like Add(), but sets protobuf-c's file option c_package the way protoc
  // transmits it to a plugin that does not know the extension: as unknown
  // field 1019 of FileOptions.
  const google::protobuf::FileDescriptor* AddWithCPackage(
      const std::string& name, const std::string& text,
      const std::string& c_package);

  const std::string& error() const { return error_; }

 private:
  bool Parse(const std::string& name, const std::string& text,
             google::protobuf::FileDescriptorProto* proto);
  const google::protobuf::FileDescriptor* Build(
      const google::protobuf::FileDescriptorProto& proto);

  google::protobuf::DescriptorPool pool_;
  std::string error_;
};

}  // namespace grpc_c::plugin::testing

#endif  // GRPC_C_TESTS_PLUGIN_PROTO_FIXTURE_H
