#include "render.h"

#include <google/protobuf/io/printer.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <algorithm>
#include <cstdio>

#include "embedded_templates.h"
#include "names.h"

#ifndef GRPC_C_PLUGIN_ABI_VERSION
#error \
    "GRPC_C_PLUGIN_ABI_VERSION must come from runtime/include/grpc-c/version.h"
#endif

namespace grpc_c::plugin {

namespace {

namespace io = google::protobuf::io;
using templates::Template;

constexpr std::string_view kWhitespace = " \t\r\f\v";

// Inserts `insert` between the two characters of every occurrence of the
// two-character `pair`, left to right.
void SplitPairs(std::string* text, std::string_view pair,
                std::string_view insert) {
  size_t pos = 0;
  while ((pos = text->find(pair, pos)) != std::string::npos) {
    text->insert(pos + 1, insert);
    pos += 1 + insert.size();
  }
}

}  // namespace

bool FillTemplate(std::string_view template_name, std::string_view text,
                  const TemplateVars& vars, std::string* out,
                  std::string* error) {
  // io::Printer only logs an undefined variable; check first so a template
  // bug stops generation instead.
  for (size_t pos = 0; (pos = text.find('$', pos)) != std::string_view::npos;) {
    size_t end = text.find('$', pos + 1);
    if (end == std::string_view::npos) {
      *error = "internal error: template " + std::string(template_name) +
               " has an unpaired '$'";
      return false;
    }
    std::string name(text.substr(pos + 1, end - pos - 1));
    if (!name.empty() && vars.count(name) == 0) {
      *error = "internal error: template " + std::string(template_name) +
               " uses $" + name + "$, which is not set here";
      return false;
    }
    pos = end + 1;
  }
  io::StringOutputStream stream(out);
  io::Printer printer(&stream, '$');
  printer.Print(vars, std::string(text).c_str());
  return true;
}

std::string CommentSafe(std::string_view line) {
  std::string text;
  for (char c : line) {
    bool control = static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
    text += control && c != '\t' ? ' ' : c;
  }
  text.erase(text.find_last_not_of(kWhitespace) + 1);
  SplitPairs(&text, "*/", " ");
  SplitPairs(&text, "/*", " ");
  SplitPairs(&text, "??", " ");
  if (!text.empty() && text.back() == '\\') text += '.';
  return text;
}

std::string DocCommentLines(std::string_view comment, std::string_view prefix) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= comment.size()) {
    size_t newline = comment.find('\n', start);
    if (newline == std::string_view::npos) newline = comment.size();
    std::string line(comment.substr(start, newline - start));
    line.erase(line.find_last_not_of(kWhitespace) + 1);
    lines.push_back(std::move(line));
    start = newline + 1;
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  size_t first = 0;
  while (first < lines.size() && lines[first].empty()) ++first;
  if (first == lines.size()) return "";

  std::string result = std::string(prefix) + "\n";
  for (size_t i = first; i < lines.size(); ++i) {
    result += prefix;
    if (!lines[i].empty()) {
      // A space after the '*' keeps a line starting with '/' from closing
      // the comment.
      if (lines[i][0] != ' ') result += ' ';
      result += CommentSafe(lines[i]);
    }
    result += '\n';
  }
  return result;
}

std::string CStringContents(std::string_view text) {
  std::string result;
  for (char c : text) {
    unsigned char byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      result += '\\';
      result += c;
    } else if (c == '?') {
      result += "\\?";  // no trigraphs
    } else if (byte < 0x20 || byte >= 0x7f) {
      char octal[8];
      std::snprintf(octal, sizeof octal, "\\%03o", byte);
      result += octal;
    } else {
      result += c;
    }
  }
  return result;
}

namespace {

// The templates of one method kind. A null entry: the kind has no such
// construct (a unary method has no stream handles).
struct KindTemplates {
  const char* kind_text;
  const Template* header_client;
  const Template* header_server;
  const Template* header_reactor;
  const Template* header_servicer_slot;
  const Template* source_method;
  const Template* source_client;
  const Template* source_server;
  const Template* source_reactor;
  const Template* skeleton_handler;
};

const KindTemplates& TemplatesFor(MethodKind kind) {
  using namespace templates;  // NOLINT: the k* constants read better bare.
  static const KindTemplates kUnary = {
      /*kind_text=*/"unary",
      /*header_client=*/&kHeaderClientUnary,
      /*header_server=*/nullptr,
      /*header_reactor=*/nullptr,
      /*header_servicer_slot=*/&kHeaderServicerSlotUnary,
      /*source_method=*/&kSourceMethodUnary,
      /*source_client=*/&kSourceClientUnary,
      /*source_server=*/nullptr,
      /*source_reactor=*/nullptr,
      /*skeleton_handler=*/&kSkeletonHandlerUnary};
  static const KindTemplates kServerStreaming = {
      /*kind_text=*/"server streaming",
      /*header_client=*/&kHeaderClientServerStreaming,
      /*header_server=*/&kHeaderServerServerStreaming,
      /*header_reactor=*/&kHeaderServerReactorServerStreaming,
      /*header_servicer_slot=*/&kHeaderServicerSlotServerStreaming,
      /*source_method=*/&kSourceMethodServerStreaming,
      /*source_client=*/&kSourceClientServerStreaming,
      /*source_server=*/&kSourceServerServerStreaming,
      /*source_reactor=*/&kSourceServerReactorServerStreaming,
      /*skeleton_handler=*/&kSkeletonHandlerServerStreaming};
  static const KindTemplates kClientStreaming = {
      /*kind_text=*/"client streaming",
      /*header_client=*/&kHeaderClientClientStreaming,
      /*header_server=*/&kHeaderServerClientStreaming,
      /*header_reactor=*/&kHeaderServerReactorClientStreaming,
      /*header_servicer_slot=*/&kHeaderServicerSlotClientStreaming,
      /*source_method=*/&kSourceMethodClientStreaming,
      /*source_client=*/&kSourceClientClientStreaming,
      /*source_server=*/&kSourceServerClientStreaming,
      /*source_reactor=*/&kSourceServerReactorReads,
      /*skeleton_handler=*/&kSkeletonHandlerClientStreaming};
  static const KindTemplates kBidiStreaming = {
      /*kind_text=*/"bidirectional streaming",
      /*header_client=*/&kHeaderClientBidiStreaming,
      /*header_server=*/&kHeaderServerBidiStreaming,
      /*header_reactor=*/&kHeaderServerReactorBidiStreaming,
      /*header_servicer_slot=*/&kHeaderServicerSlotBidiStreaming,
      /*source_method=*/&kSourceMethodBidiStreaming,
      /*source_client=*/&kSourceClientBidiStreaming,
      /*source_server=*/&kSourceServerBidiStreaming,
      /*source_reactor=*/&kSourceServerReactorReads,
      /*skeleton_handler=*/&kSkeletonHandlerBidiStreaming};
  switch (kind) {
    case MethodKind::kUnary:
      return kUnary;
    case MethodKind::kServerStreaming:
      return kServerStreaming;
    case MethodKind::kClientStreaming:
      return kClientStreaming;
    case MethodKind::kBidiStreaming:
      return kBidiStreaming;
  }
  return kUnary;
}

// Accumulates one output file; after the first failure it only keeps the
// error.
class Writer {
 public:
  void Emit(const Template& tmpl, const TemplateVars& vars) {
    if (!error_.empty()) return;
    FillTemplate(tmpl.name, tmpl.text, vars, &text_, &error_);
  }
  void EmitIf(const Template* tmpl, const TemplateVars& vars) {
    if (tmpl != nullptr) Emit(*tmpl, vars);
  }

  // The file's text, ending in exactly one newline: every block template
  // ends with a blank line to separate it from the next one.
  bool Finish(std::string name, std::vector<OutputFile>* files,
              std::string* error) {
    if (!error_.empty()) {
      *error = error_;
      return false;
    }
    text_.erase(text_.find_last_not_of('\n') + 1);
    text_ += '\n';
    files->push_back(OutputFile{std::move(name), std::move(text_)});
    return true;
  }

 private:
  std::string text_;
  std::string error_;
};

TemplateVars FileVars(const FileModel& file) {
  return TemplateVars{
      {"proto_file_comment", CommentSafe(file.proto_file)},
      {"header_file", file.header_file},
      {"header_file_literal", CStringContents(file.header_file)},
      {"source_file_comment", CommentSafe(file.source_file)},
      {"pbc_header", file.pbc_header},
      {"pbc_header_comment",
       CommentSafe(file.pbc_header.empty() ? "nothing (no_generate)"
                                           : file.pbc_header)},
      {"pbc_source_comment",
       CommentSafe(names::ProtobufCSourceName(file.proto_file))},
      {"include_guard", file.include_guard},
      {"abi_version", std::to_string(GRPC_C_PLUGIN_ABI_VERSION)},
      {"file_descriptor_var", file.descriptor.var},
  };
}

// Bytes per line of the embedded descriptor: "0x12, " six characters each,
// after a four-space indent, keeps lines under 80 columns.
constexpr size_t kBytesPerLine = 12;

// "0x0a, 0x07, ..." lines of at most kBytesPerLine bytes each, every byte
// followed by a comma (ISO C allows the last one).
std::vector<std::string> HexLines(const std::string& bytes) {
  std::vector<std::string> lines;
  for (size_t start = 0; start < bytes.size(); start += kBytesPerLine) {
    std::string line;
    size_t end = std::min(bytes.size(), start + kBytesPerLine);
    for (size_t i = start; i < end; ++i) {
      char hex[8];
      std::snprintf(
          hex, sizeof hex, "0x%02x,",
          static_cast<unsigned>(static_cast<unsigned char>(bytes[i])));
      if (i != start) line += ' ';
      line += hex;
    }
    lines.push_back(std::move(line));
  }
  return lines;
}

// An array's name, or NULL when the model left it out (empty list).
std::string ArrayRef(const std::string& array) {
  return array.empty() ? "NULL" : array;
}

TemplateVars DescriptorVars(const FileModel& file) {
  const FileDescriptorModel& descriptor = file.descriptor;
  TemplateVars vars = FileVars(file);
  vars["proto_file_literal"] = CStringContents(file.proto_file);
  vars["package_literal"] = CStringContents(descriptor.package);
  vars["file_descriptor_ref"] = ArrayRef(descriptor.descriptor_array);
  vars["file_descriptor_size"] =
      std::to_string(descriptor.descriptor_bytes.size());
  vars["dependency_count"] = std::to_string(descriptor.dependencies.size());
  vars["file_dependencies_ref"] = ArrayRef(descriptor.dependencies_array);
  vars["symbol_count"] = std::to_string(descriptor.symbols.size());
  vars["file_symbols_ref"] = ArrayRef(descriptor.symbols_array);
  vars["extension_count"] = std::to_string(descriptor.extensions.size());
  vars["file_extensions_ref"] = ArrayRef(descriptor.extensions_array);
  // The array names themselves only where the array exists.
  const std::pair<const char*, const std::string*> arrays[] = {
      {"file_descriptor_array", &descriptor.descriptor_array},
      {"file_dependencies_array", &descriptor.dependencies_array},
      {"file_symbols_array", &descriptor.symbols_array},
      {"file_extensions_array", &descriptor.extensions_array},
  };
  for (const auto& [key, value] : arrays) {
    if (!value->empty()) vars[key] = *value;
  }
  return vars;
}

TemplateVars ServiceVars(const FileModel& file, const ServiceModel& service) {
  TemplateVars vars = FileVars(file);
  vars["service_full_name"] = service.full_name;
  vars["service_doc"] = DocCommentLines(service.comment, " *");
  vars["servicer_type"] = service.servicer_type;
  vars["service_var"] = service.service_var;
  vars["register_fn"] = service.register_fn;
  vars["methods_array"] = service.methods_array;
  vars["method_count"] = std::to_string(service.methods.size());
  if (!service.skeleton_table.empty()) {
    vars["skeleton_table"] = service.skeleton_table;
  }
  return vars;
}

TemplateVars MethodVars(const FileModel& file, const ServiceModel& service,
                        const MethodModel& method) {
  TemplateVars vars = ServiceVars(file, service);
  vars["method_name"] = method.name;
  vars["method_full_name"] = method.full_name;
  vars["rpc_path"] = method.path;
  vars["kind_text"] = TemplatesFor(method.kind).kind_text;
  vars["method_doc"] = DocCommentLines(method.comment, " *");
  vars["method_doc_member"] = DocCommentLines(method.comment, "   *");
  vars["request_type"] = method.request.c_type;
  vars["request_descriptor"] = method.request.descriptor;
  vars["response_type"] = method.response.c_type;
  vars["response_descriptor"] = method.response.descriptor;
  vars["response_free_fn"] = method.response.free_fn;
  // Names the method's kind lacks stay unset, so a template that uses one
  // by mistake fails loudly.
  const std::pair<const char*, const std::string*> names[] = {
      {"servicer_field", &method.servicer_field},
      {"method_var", &method.method_var},
      {"invoke_fn", &method.invoke_fn},
      {"call_fn", &method.call_fn},
      {"call_async_fn", &method.call_async_fn},
      {"callback_type", &method.callback_type},
      {"thunk_fn", &method.thunk_fn},
      {"stream_type", &method.stream_type},
      {"start_fn", &method.start_fn},
      {"write_fn", &method.write_fn},
      {"read_fn", &method.read_fn},
      {"writes_done_fn", &method.writes_done_fn},
      {"finish_fn", &method.finish_fn},
      {"cancel_fn", &method.cancel_fn},
      {"server_stream_type", &method.server_stream_type},
      {"server_read_fn", &method.server_read_fn},
      {"server_write_fn", &method.server_write_fn},
      {"reactor_type", &method.reactor_type},
      {"server_react_fn", &method.server_react_fn},
      {"reactor_thunks", &method.reactor_thunks},
      {"on_read_thunk", &method.on_read_thunk},
      {"on_read_done_thunk", &method.on_read_done_thunk},
      {"on_cancel_thunk", &method.on_cancel_thunk},
      {"on_done_thunk", &method.on_done_thunk},
      {"handler_fn", &method.handler_fn},
  };
  for (const auto& [key, value] : names) {
    if (!value->empty()) vars[key] = *value;
  }
  return vars;
}

// The variables of one service and of each of its methods, with the
// templates of each method's kind.
struct ServiceRender {
  TemplateVars vars;
  std::vector<TemplateVars> method_vars;
  std::vector<const KindTemplates*> kinds;
};

ServiceRender PrepareService(const FileModel& file,
                             const ServiceModel& service) {
  ServiceRender render;
  render.vars = ServiceVars(file, service);
  for (const MethodModel& method : service.methods) {
    render.method_vars.push_back(MethodVars(file, service, method));
    render.kinds.push_back(&TemplatesFor(method.kind));
  }
  return render;
}

// For every method, the template its kind has in `slot` (kinds without
// that construct emit nothing).
void EmitPerMethod(const ServiceRender& service,
                   const Template* KindTemplates::*slot, Writer* out) {
  for (size_t i = 0; i < service.kinds.size(); ++i) {
    out->EmitIf(service.kinds[i]->*slot, service.method_vars[i]);
  }
}

// The same template for every method.
void EmitEachMethod(const ServiceRender& service, const Template& tmpl,
                    Writer* out) {
  for (const TemplateVars& vars : service.method_vars) out->Emit(tmpl, vars);
}

// A list with one entry per method: `empty` for a service without
// methods, else `begin`, what `entries` emits, `end`.
template <typename EmitEntries>
void EmitMethodList(const ServiceRender& service, const Template& empty,
                    const Template& begin, const Template& end, Writer* out,
                    EmitEntries entries) {
  if (service.method_vars.empty()) {
    out->Emit(empty, service.vars);
    return;
  }
  out->Emit(begin, service.vars);
  entries();
  out->Emit(end, service.vars);
}

void RenderHeader(const FileModel& file, Writer* out) {
  using namespace templates;  // NOLINT
  TemplateVars file_vars = FileVars(file);
  out->Emit(kHeaderPrologue, file_vars);
  if (!file.pbc_header.empty()) {
    out->Emit(kHeaderImport, {{"imported_pbc_header", file.pbc_header}});
  }
  for (const std::string& header : file.imported_pbc_headers) {
    out->Emit(kHeaderImport, {{"imported_pbc_header", header}});
  }
  out->Emit(kHeaderDeclarationsBegin, file_vars);
  out->Emit(kHeaderFileDescriptor, file_vars);
  if (file.services.empty()) out->Emit(kHeaderNoServices, file_vars);

  for (const ServiceModel& model : file.services) {
    ServiceRender service = PrepareService(file, model);
    out->Emit(kHeaderServiceBegin, service.vars);
    EmitEachMethod(service, kHeaderMethodDescriptor, out);
    out->Emit(kHeaderServiceDescriptor, service.vars);
    EmitPerMethod(service, &KindTemplates::header_client, out);
    EmitPerMethod(service, &KindTemplates::header_server, out);
    EmitPerMethod(service, &KindTemplates::header_reactor, out);
    EmitMethodList(service, kHeaderServicerEmpty, kHeaderServicerBegin,
                   kHeaderServicerEnd, out, [&] {
                     EmitPerMethod(service,
                                   &KindTemplates::header_servicer_slot, out);
                   });
    out->Emit(kHeaderRegister, service.vars);
  }
  out->Emit(kHeaderEpilogue, file_vars);
}

// The file's grpc_c_file_descriptor and the static arrays it points to;
// an empty list has no array (ISO C has no empty arrays) and a NULL field.
void RenderFileDescriptor(const FileModel& file, Writer* out) {
  using namespace templates;  // NOLINT
  const FileDescriptorModel& descriptor = file.descriptor;
  TemplateVars vars = DescriptorVars(file);
  out->Emit(kSourceFileDescriptorBegin, vars);

  if (!descriptor.dependencies.empty()) {
    for (const std::string& dependency : descriptor.dependencies) {
      out->Emit(kSourceFileDependencyExtern, {{"dependency_var", dependency}});
    }
    out->Emit(kSourceFileDependenciesBegin, vars);
    for (const std::string& dependency : descriptor.dependencies) {
      out->Emit(kSourceFileDependencyEntry, {{"dependency_var", dependency}});
    }
    out->Emit(kSourceFileListEnd, vars);
  }
  if (!descriptor.descriptor_array.empty()) {
    out->Emit(kSourceFileBytesBegin, vars);
    for (const std::string& line : HexLines(descriptor.descriptor_bytes)) {
      out->Emit(kSourceFileBytesLine, {{"descriptor_bytes_line", line}});
    }
    out->Emit(kSourceFileListEnd, vars);
  }
  if (!descriptor.symbols.empty()) {
    out->Emit(kSourceFileSymbolsBegin, vars);
    for (const std::string& symbol : descriptor.symbols) {
      out->Emit(kSourceFileSymbolEntry,
                {{"symbol_literal", CStringContents(symbol)}});
    }
    out->Emit(kSourceFileListEnd, vars);
  }
  if (!descriptor.extensions.empty()) {
    out->Emit(kSourceFileExtensionsBegin, vars);
    for (const ExtensionModel& extension : descriptor.extensions) {
      out->Emit(kSourceFileExtensionEntry,
                {{"extendee_literal", CStringContents(extension.extendee)},
                 {"extension_number", std::to_string(extension.number)},
                 {"extension_literal", CStringContents(extension.full_name)}});
    }
    out->Emit(kSourceFileListEnd, vars);
  }
  out->Emit(kSourceFileDescriptor, vars);
}

void RenderSource(const FileModel& file, Writer* out) {
  using namespace templates;  // NOLINT
  TemplateVars file_vars = FileVars(file);
  out->Emit(kSourcePrologue, file_vars);
  if (file.services.empty()) out->Emit(kSourceNoServices, file_vars);

  for (const ServiceModel& model : file.services) {
    ServiceRender service = PrepareService(file, model);
    out->Emit(kSourceServiceBegin, service.vars);
    EmitPerMethod(service, &KindTemplates::source_method, out);
    EmitMethodList(service, kSourceServiceNoMethods, kSourceServiceMethodsBegin,
                   kSourceServiceMethodsEnd, out, [&] {
                     EmitEachMethod(service, kSourceServiceMethodsEntry, out);
                   });
    out->Emit(kSourceRegister, service.vars);
    EmitPerMethod(service, &KindTemplates::source_client, out);
    EmitPerMethod(service, &KindTemplates::source_server, out);
    EmitPerMethod(service, &KindTemplates::source_reactor, out);
  }
  RenderFileDescriptor(file, out);
}

void RenderSkeleton(const FileModel& file, Writer* out) {
  using namespace templates;  // NOLINT
  TemplateVars file_vars = FileVars(file);
  out->Emit(kSkeletonPrologue, file_vars);
  for (const ServiceModel& model : file.services) {
    ServiceRender service = PrepareService(file, model);
    EmitPerMethod(service, &KindTemplates::skeleton_handler, out);
    EmitMethodList(service, kSkeletonServicerEmpty, kSkeletonServicerBegin,
                   kSkeletonServicerEnd, out, [&] {
                     EmitEachMethod(service, kSkeletonServicerSlot, out);
                   });
  }
  out->Emit(kSkeletonMainBegin, file_vars);
  for (const ServiceModel& service : file.services) {
    out->Emit(kSkeletonMainRegister, ServiceVars(file, service));
  }
  out->Emit(kSkeletonMainEnd, file_vars);
}

}  // namespace

bool RenderFile(const FileModel& model, std::vector<OutputFile>* files,
                std::string* error) {
  Writer header;
  RenderHeader(model, &header);
  if (!header.Finish(model.header_file, files, error)) return false;

  Writer source;
  RenderSource(model, &source);
  if (!source.Finish(model.source_file, files, error)) return false;

  if (!model.skeleton_file.empty()) {
    Writer skeleton;
    RenderSkeleton(model, &skeleton);
    if (!skeleton.Finish(model.skeleton_file, files, error)) return false;
  }
  return true;
}

}  // namespace grpc_c::plugin
