// protoc-gen-grpc-c: run by protoc for --grpc-c_out.
#include <google/protobuf/compiler/plugin.h>

#include "generator.h"

int main(int argc, char* argv[]) {
  grpc_c::plugin::Generator generator;
  return google::protobuf::compiler::PluginMain(argc, argv, &generator);
}
