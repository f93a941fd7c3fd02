// protoc-gen-grpc-c's CodeGenerator: parses the options, builds the model of
// each file, refuses colliding names, renders and writes the outputs.
#ifndef GRPC_C_PLUGIN_GENERATOR_H
#define GRPC_C_PLUGIN_GENERATOR_H

#include <google/protobuf/compiler/code_generator.h>

#include <string>
#include <vector>

namespace grpc_c::plugin {

class Generator : public google::protobuf::compiler::CodeGenerator {
 public:
  // Checks every file before writing any output, so a run either writes
  // everything or fails with all problems listed.
  bool GenerateAll(
      const std::vector<const google::protobuf::FileDescriptor*>& files,
      const std::string& parameter,
      google::protobuf::compiler::GeneratorContext* context,
      std::string* error) const override;

  bool Generate(const google::protobuf::FileDescriptor* file,
                const std::string& parameter,
                google::protobuf::compiler::GeneratorContext* context,
                std::string* error) const override;

  // proto3 `optional` fields change nothing we emit (we never touch fields),
  // so we accept them; protobuf-c 1.4 itself does not.
  uint64_t GetSupportedFeatures() const override {
    return FEATURE_PROTO3_OPTIONAL;
  }
};

}  // namespace grpc_c::plugin

#endif  // GRPC_C_PLUGIN_GENERATOR_H
