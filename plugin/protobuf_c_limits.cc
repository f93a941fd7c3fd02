#include "protobuf_c_limits.h"

#include <google/protobuf/descriptor.h>

#include "names.h"

namespace grpc_c::plugin {

namespace {

namespace pb = google::protobuf;

void CheckField(const pb::FieldDescriptor* field,
                const pb::FileDescriptor* root, std::vector<std::string>* out) {
  if (field->type() != pb::FieldDescriptor::TYPE_GROUP) return;
  std::string message = root->name() + ": field " + field->full_name();
  if (field->file() != root) {
    message += " (in imported " + field->file()->name() + ")";
  }
  message +=
      " is a group, which protobuf-c 1.4 cannot generate (protoc-gen-c "
      "crashes on groups); declare a nested message and a field of that "
      "type instead";
  out->push_back(message);
}

void CheckMessage(const pb::Descriptor* message, const pb::FileDescriptor* root,
                  std::vector<std::string>* out) {
  for (int i = 0; i < message->field_count(); ++i) {
    CheckField(message->field(i), root, out);
  }
  for (int i = 0; i < message->extension_count(); ++i) {
    CheckField(message->extension(i), root, out);
  }
  for (int i = 0; i < message->nested_type_count(); ++i) {
    CheckMessage(message->nested_type(i), root, out);
  }
}

void CheckFile(const pb::FileDescriptor* file, const pb::FileDescriptor* root,
               std::vector<std::string>* out) {
  for (int i = 0; i < file->message_type_count(); ++i) {
    CheckMessage(file->message_type(i), root, out);
  }
  for (int i = 0; i < file->extension_count(); ++i) {
    CheckField(file->extension(i), root, out);
  }
}

}  // namespace

std::vector<std::string> ProtobufCLimitViolations(
    const pb::FileDescriptor* file) {
  // The files protoc-c generates with `file` (its .pb-c.h includes theirs);
  // those marked no_generate it never generates, so they cannot crash it.
  std::vector<std::string> out;
  names::ForEachProtobufCFile(file,
                              [file, &out](const pb::FileDescriptor* each) {
                                CheckFile(each, file, &out);
                              });
  return out;
}

}  // namespace grpc_c::plugin
