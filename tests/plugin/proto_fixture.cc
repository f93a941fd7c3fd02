#include "proto_fixture.h"

#include <google/protobuf/compiler/parser.h>
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/unknown_field_set.h>

namespace grpc_c::plugin::testing {

namespace {

namespace pb = google::protobuf;

class CollectErrors : public pb::io::ErrorCollector {
 public:
  explicit CollectErrors(std::string* errors) : errors_(errors) {}
  void AddError(int line, int column, const std::string& message) override {
    *errors_ += std::to_string(line + 1) + ":" + std::to_string(column + 1) +
                ": " + message + "\n";
  }

 private:
  std::string* errors_;
};

}  // namespace

bool ProtoFixture::Parse(const std::string& name, const std::string& text,
                         pb::FileDescriptorProto* proto) {
  error_.clear();
  CollectErrors errors(&error_);
  pb::io::ArrayInputStream input(text.data(), static_cast<int>(text.size()));
  pb::io::Tokenizer tokenizer(&input, &errors);
  pb::compiler::Parser parser;
  parser.RecordErrorsTo(&errors);
  if (!parser.Parse(&tokenizer, proto)) return false;
  proto->set_name(name);
  return true;
}

const pb::FileDescriptor* ProtoFixture::Build(
    const pb::FileDescriptorProto& proto) {
  const pb::FileDescriptor* file = pool_.BuildFile(proto);
  if (file == nullptr) error_ = "cannot build " + proto.name();
  return file;
}

const pb::FileDescriptor* ProtoFixture::Add(const std::string& name,
                                            const std::string& text) {
  pb::FileDescriptorProto proto;
  if (!Parse(name, text, &proto)) return nullptr;
  return Build(proto);
}

const pb::FileDescriptor* ProtoFixture::AddWithCPackage(
    const std::string& name, const std::string& text,
    const std::string& c_package) {
  pb::FileDescriptorProto proto;
  if (!Parse(name, text, &proto)) return nullptr;
  pb::UnknownFieldSet protobuf_c_options;
  protobuf_c_options.AddLengthDelimited(6, c_package);  // c_package
  std::string bytes;
  protobuf_c_options.SerializeToString(&bytes);
  proto.mutable_options()->mutable_unknown_fields()->AddLengthDelimited(
      1019, bytes);  // (pb_c_file)
  return Build(proto);
}

}  // namespace grpc_c::plugin::testing
