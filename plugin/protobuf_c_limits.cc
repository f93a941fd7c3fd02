#include "protobuf_c_limits.h"

#include <google/protobuf/descriptor.h>

#include <set>

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

// Depth first over the imports, each file once, the file itself last. Files
// marked no_generate are skipped with their imports, as protoc-c skips them:
// it never generates them, so what they hold cannot crash it.
void CheckFile(const pb::FileDescriptor* file, const pb::FileDescriptor* root,
               std::set<const pb::FileDescriptor*>* seen,
               std::vector<std::string>* out) {
  if (!seen->insert(file).second) return;
  if (names::ReadProtobufCFileOptions(file).no_generate) return;
  for (int i = 0; i < file->dependency_count(); ++i) {
    CheckFile(file->dependency(i), root, seen, out);
  }
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
  std::vector<std::string> out;
  std::set<const pb::FileDescriptor*> seen;
  CheckFile(file, file, &seen, &out);
  return out;
}

}  // namespace grpc_c::plugin
