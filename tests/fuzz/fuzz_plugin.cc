// libFuzzer target: the plugin's input. The bytes are parsed as the
// serialized CodeGeneratorRequest protoc writes to protoc-gen-grpc-c's stdin
// and handed to the generator through GenerateCode(), the function
// PluginMain() (plugin/main.cc) runs, in-process, with the outputs kept in
// the response instead of written to stdout.
//
// Besides the sanitizers: a run either fails with an error message and no
// files, or succeeds with no error and non-empty files named like the
// plugin's outputs (<base>.grpc-c.h, .grpc-c.c, .grpc-c.skel.c).
#include <google/protobuf/compiler/plugin.h>
#include <google/protobuf/compiler/plugin.pb.h>
#include <google/protobuf/stubs/logging.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "generator.h"

namespace {

namespace pb = google::protobuf;

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

void Expect(bool cond, const char* what) {
  if (cond) return;
  std::fprintf(stderr, "fuzz_plugin: expectation failed: %s\n", what);
  std::abort();
}

// DescriptorPool reports each invalid file through the log; a fuzzer makes
// thousands a second.
void DropLog(pb::LogLevel, const char*, int, const std::string&) {}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  pb::SetLogHandler(DropLog);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pb::compiler::CodeGeneratorRequest request;
  if (!request.ParseFromArray(data, static_cast<int>(size))) return 0;
  grpc_c::plugin::Generator generator;
  pb::compiler::CodeGeneratorResponse response;
  std::string error;
  bool ok = pb::compiler::GenerateCode(request, generator, &response, &error);
  if (!ok) {
    // Refused before the generator ran: a file that does not build, or a
    // file to generate that is not in the request.
    return 0;
  }
  if (response.has_error()) {
    Expect(!response.error().empty(), "an error says what is wrong");
    Expect(response.file_size() == 0, "a failed run writes no file");
    return 0;
  }
  for (const auto& file : response.file()) {
    Expect(EndsWith(file.name(), ".grpc-c.h") ||
               EndsWith(file.name(), ".grpc-c.c") ||
               EndsWith(file.name(), ".grpc-c.skel.c"),
           "every output is named like one of the plugin's");
    Expect(!file.content().empty(), "every output has content");
  }
  return 0;
}
