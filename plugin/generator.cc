#include "generator.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/io/printer.h>
#include <google/protobuf/io/zero_copy_stream.h>

#include <memory>

#include "model.h"
#include "names.h"
#include "options.h"
#include "protobuf_c_limits.h"
#include "render.h"

namespace grpc_c::plugin {

namespace {

namespace pb = google::protobuf;

// Builds and checks the outputs of one file without writing them.
bool RenderChecked(const pb::FileDescriptor* file, const Options& options,
                   std::vector<OutputFile>* outputs, std::string* error) {
  std::vector<std::string> problems = ProtobufCLimitViolations(file);

  FileModel model = BuildFileModel(file, options);
  names::NameTable table(file->name());
  names::AddProtobufCNames(file, &table);
  AddGeneratedNames(model, &table);
  problems.insert(problems.end(), table.collisions().begin(),
                  table.collisions().end());
  if (!problems.empty()) {
    std::string message;
    for (const std::string& problem : problems) {
      if (!message.empty()) message += '\n';
      message += problem;
    }
    *error = message;
    return false;
  }

  std::string render_error;
  if (!RenderFile(model, outputs, &render_error)) {
    *error = file->name() + ": " + render_error;
    return false;
  }
  return true;
}

void Write(const std::vector<OutputFile>& outputs,
           pb::compiler::GeneratorContext* context) {
  for (const OutputFile& output : outputs) {
    std::unique_ptr<pb::io::ZeroCopyOutputStream> stream(
        context->Open(output.name));
    pb::io::Printer printer(stream.get(), '$');
    printer.PrintRaw(output.content);
  }
}

}  // namespace

bool Generator::GenerateAll(const std::vector<const pb::FileDescriptor*>& files,
                            const std::string& parameter,
                            pb::compiler::GeneratorContext* context,
                            std::string* error) const {
  Options options;
  if (!ParseOptions(parameter, &options, error)) return false;

  std::vector<OutputFile> outputs;
  std::string errors;
  for (const pb::FileDescriptor* file : files) {
    std::string file_error;
    if (!RenderChecked(file, options, &outputs, &file_error)) {
      if (!errors.empty()) errors += '\n';
      errors += file_error;
    }
  }
  if (!errors.empty()) {
    *error = errors;
    return false;
  }
  Write(outputs, context);
  return true;
}

bool Generator::Generate(const pb::FileDescriptor* file,
                         const std::string& parameter,
                         pb::compiler::GeneratorContext* context,
                         std::string* error) const {
  return GenerateAll({file}, parameter, context, error);
}

}  // namespace grpc_c::plugin
