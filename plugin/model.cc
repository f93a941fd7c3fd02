#include "model.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <algorithm>

namespace grpc_c::plugin {

namespace {

namespace pb = google::protobuf;

MethodKind KindOf(const pb::MethodDescriptor* method) {
  if (method->client_streaming()) {
    return method->server_streaming() ? MethodKind::kBidiStreaming
                                      : MethodKind::kClientStreaming;
  }
  return method->server_streaming() ? MethodKind::kServerStreaming
                                    : MethodKind::kUnary;
}

// Messages are named by the rules of the file that declares them, which
// may carry its own c_package.
MessageModel BuildMessage(const pb::Descriptor* message) {
  names::FileNaming naming = names::NamingOf(message->file());
  std::string lower = names::FullNameToLower(message->full_name(), naming);
  return MessageModel{message->full_name(),
                      names::FullNameToC(message->full_name(), naming),
                      names::MessageDescriptorName(lower),
                      names::MessageFreeFunctionName(lower)};
}

template <typename Descriptor>
std::string LeadingComment(const Descriptor* descriptor) {
  pb::SourceLocation location;
  if (!descriptor->GetSourceLocation(&location)) return "";
  return location.leading_comments;
}

MethodModel BuildMethod(const pb::MethodDescriptor* method,
                        const ServiceModel& service, const Options& options) {
  MethodModel model;
  model.name = method->name();
  model.full_name = method->full_name();
  model.path = names::MethodPath(service.full_name, method->name());
  model.lower = names::CamelToLower(method->name());
  model.kind = KindOf(method);
  model.request = BuildMessage(method->input_type());
  model.response = BuildMessage(method->output_type());
  model.comment = LeadingComment(method);

  auto scoped = [&](const char* what) {
    return names::MethodScopedName(service.lower, model.lower, what);
  };
  auto type = [&](const char* what) {
    return names::MethodTypeName(service.c_type, model.name, what);
  };

  model.servicer_field = names::EscapeReservedWord(model.lower);
  model.method_var = scoped("method");
  model.invoke_fn = scoped("invoke");

  bool client_streams = model.kind == MethodKind::kClientStreaming ||
                        model.kind == MethodKind::kBidiStreaming;
  bool server_streams = model.kind == MethodKind::kServerStreaming ||
                        model.kind == MethodKind::kBidiStreaming;
  if (model.kind == MethodKind::kUnary) {
    model.call_fn = scoped("call");
    model.call_async_fn = scoped("call_async");
    model.callback_type = type("Callback");
    model.thunk_fn = scoped("thunk");
  } else {
    model.stream_type = type("Stream");
    model.start_fn = scoped("start");
    model.finish_fn = scoped("finish");
    model.cancel_fn = scoped("cancel");
    model.server_stream_type = type("ServerStream");
    model.reactor_type = type("Reactor");
    model.server_react_fn = scoped("server_react");
    model.reactor_thunks = scoped("reactor_thunks");
    model.on_cancel_thunk = scoped("on_cancel_thunk");
    model.on_done_thunk = scoped("on_done_thunk");
    if (client_streams) {
      model.write_fn = scoped("write");
      model.server_read_fn = scoped("server_read");
      model.on_read_thunk = scoped("on_read_thunk");
      model.on_read_done_thunk = scoped("on_read_done_thunk");
    }
    if (server_streams) {
      model.read_fn = scoped("read");
      model.server_write_fn = scoped("server_write");
    }
    // Client-streaming calls half-close in finish, which also fetches the
    // response; only bidirectional calls need a separate half-close.
    if (model.kind == MethodKind::kBidiStreaming) {
      model.writes_done_fn = scoped("writes_done");
    }
  }
  if (options.skeleton) model.handler_fn = scoped("handler");
  return model;
}

ServiceModel BuildService(const pb::ServiceDescriptor* service,
                          const Options& options) {
  names::FileNaming naming = names::NamingOf(service->file());
  ServiceModel model;
  model.name = service->name();
  model.full_name = service->full_name();
  model.c_type = names::FullNameToC(service->full_name(), naming);
  model.lower = names::FullNameToLower(service->full_name(), naming);
  model.comment = LeadingComment(service);
  model.servicer_type = names::ServicerTypeName(model.c_type);
  model.service_var = names::ServiceScopedName(model.lower, "service");
  model.register_fn = names::ServiceScopedName(model.lower, "register");
  model.methods_array = names::ServiceScopedName(model.lower, "methods");
  if (options.skeleton) {
    model.skeleton_table = names::ServiceScopedName(model.lower, "impl");
  }
  for (int i = 0; i < service->method_count(); ++i) {
    model.methods.push_back(BuildMethod(service->method(i), model, options));
  }
  return model;
}

// The FileDescriptorProto protoc would write with --descriptor_set_out
// (no source code info), serialized deterministically.
std::string SerializedDescriptor(const pb::FileDescriptor* file) {
  pb::FileDescriptorProto proto;
  file->CopyTo(&proto);
  std::string bytes;
  {
    pb::io::StringOutputStream stream(&bytes);
    pb::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    proto.SerializeToCodedStream(&coded);
  }
  return bytes;
}

void AddExtension(const pb::FieldDescriptor* extension,
                  FileDescriptorModel* model) {
  model->symbols.push_back(extension->full_name());
  model->extensions.push_back(
      ExtensionModel{extension->containing_type()->full_name(),
                     extension->number(), extension->full_name()});
}

void AddEnumSymbols(const pb::EnumDescriptor* enumeration,
                    std::vector<std::string>* symbols) {
  symbols->push_back(enumeration->full_name());
  // protobuf scopes values beside their enum: pkg.VALUE, pkg.Msg.VALUE.
  for (int i = 0; i < enumeration->value_count(); ++i) {
    symbols->push_back(enumeration->value(i)->full_name());
  }
}

void AddMessageSymbols(const pb::Descriptor* message,
                       FileDescriptorModel* model) {
  std::vector<std::string>* symbols = &model->symbols;
  symbols->push_back(message->full_name());
  for (int i = 0; i < message->field_count(); ++i) {
    symbols->push_back(message->field(i)->full_name());
  }
  // Every oneof, including the synthetic ones of proto3 `optional` fields:
  // they are in the descriptor, so a client may ask for them.
  for (int i = 0; i < message->oneof_decl_count(); ++i) {
    symbols->push_back(message->oneof_decl(i)->full_name());
  }
  for (int i = 0; i < message->enum_type_count(); ++i) {
    AddEnumSymbols(message->enum_type(i), symbols);
  }
  for (int i = 0; i < message->extension_count(); ++i) {
    AddExtension(message->extension(i), model);
  }
  for (int i = 0; i < message->nested_type_count(); ++i) {
    AddMessageSymbols(message->nested_type(i), model);
  }
}

FileDescriptorModel BuildFileDescriptor(const pb::FileDescriptor* file,
                                        const Options& options) {
  FileDescriptorModel model;
  model.var = names::FileDescriptorName(file->name());
  model.package = file->package();
  for (int i = 0; i < file->dependency_count(); ++i) {
    const pb::FileDescriptor* dependency = file->dependency(i);
    // Files marked no_generate have no generated code to point at, except
    // protobuf-c/protobuf-c.proto (imported for c_package), whose
    // descriptor libgrpc-c-wkt carries.
    if (names::ReadProtobufCFileOptions(dependency).no_generate &&
        dependency->name() != names::kProtobufCProto) {
      continue;
    }
    model.dependencies.push_back(names::FileDescriptorName(dependency->name()));
    model.dependency_files.push_back(dependency->name());
  }

  if (options.reflection) {
    model.descriptor_bytes = SerializedDescriptor(file);
    for (int i = 0; i < file->service_count(); ++i) {
      const pb::ServiceDescriptor* service = file->service(i);
      model.symbols.push_back(service->full_name());
      for (int j = 0; j < service->method_count(); ++j) {
        model.symbols.push_back(service->method(j)->full_name());
      }
    }
    for (int i = 0; i < file->enum_type_count(); ++i) {
      AddEnumSymbols(file->enum_type(i), &model.symbols);
    }
    // Top-level extensions first, so the list reads in file order for the
    // common case; nested ones follow their messages.
    for (int i = 0; i < file->extension_count(); ++i) {
      AddExtension(file->extension(i), &model);
    }
    for (int i = 0; i < file->message_type_count(); ++i) {
      AddMessageSymbols(file->message_type(i), &model);
    }
    std::sort(model.symbols.begin(), model.symbols.end());
  }

  auto array = [&](const char* what, bool used) {
    return used ? names::FileDescriptorPartName(file->name(), what)
                : std::string();
  };
  model.descriptor_array = array("descriptor", options.reflection);
  model.dependencies_array = array("dependencies", !model.dependencies.empty());
  model.symbols_array = array("symbols", !model.symbols.empty());
  model.extensions_array = array("extensions", !model.extensions.empty());
  return model;
}

void AddIfSet(const std::string& scope, const std::string& name,
              const names::NameOwner& owner, names::NameTable* table) {
  if (!name.empty()) table->AddGeneratedName(scope, name, owner);
}

}  // namespace

FileModel BuildFileModel(const pb::FileDescriptor* file,
                         const Options& options) {
  FileModel model;
  model.proto_file = file->name();
  model.header_file = names::HeaderFileName(file->name());
  model.source_file = names::SourceFileName(file->name());
  if (options.skeleton) {
    model.skeleton_file = names::SkeletonFileName(file->name());
  }
  model.include_guard = names::IncludeGuard(file->name());
  if (!names::ReadProtobufCFileOptions(file).no_generate) {
    model.pbc_header = names::ProtobufCHeaderName(file->name());
  }
  model.descriptor = BuildFileDescriptor(file, options);

  for (int i = 0; i < file->service_count(); ++i) {
    const pb::ServiceDescriptor* service = file->service(i);
    model.services.push_back(BuildService(service, options));
    for (int j = 0; j < service->method_count(); ++j) {
      for (const pb::Descriptor* message :
           {service->method(j)->input_type(),
            service->method(j)->output_type()}) {
        const pb::FileDescriptor* declared_in = message->file();
        // As in protoc-c, files marked no_generate have no .pb-c.h.
        if (declared_in == file ||
            names::ReadProtobufCFileOptions(declared_in).no_generate) {
          continue;
        }
        std::string header = names::ProtobufCHeaderName(declared_in->name());
        auto& imported = model.imported_pbc_headers;
        if (std::find(imported.begin(), imported.end(), header) ==
            imported.end()) {
          imported.push_back(header);
        }
      }
    }
  }
  return model;
}

void AddGeneratedNames(const FileModel& model, names::NameTable* table) {
  const std::string file_scope = names::NameTable::kFileScope;
  table->AddGeneratedName(
      file_scope, model.include_guard,
      names::NameOwner{"file", model.proto_file, model.proto_file});
  const FileDescriptorModel& descriptor = model.descriptor;
  names::NameOwner file_owner{"file", model.proto_file, model.proto_file};
  for (const std::string* name :
       {&descriptor.var, &descriptor.descriptor_array,
        &descriptor.dependencies_array, &descriptor.symbols_array,
        &descriptor.extensions_array}) {
    AddIfSet(file_scope, *name, file_owner, table);
  }
  // The source declares each import's descriptor; the names are derived from
  // paths alone, so two imports never share one, but a protobuf-c name might.
  for (size_t i = 0; i < descriptor.dependencies.size(); ++i) {
    AddIfSet(file_scope, descriptor.dependencies[i],
             names::NameOwner{"imported file", descriptor.dependency_files[i],
                              model.proto_file},
             table);
  }
  for (const ServiceModel& service : model.services) {
    names::NameOwner service_owner{"service", service.full_name,
                                   model.proto_file};
    for (const std::string* name :
         {&service.servicer_type, &service.service_var, &service.register_fn,
          &service.methods_array, &service.skeleton_table}) {
      AddIfSet(file_scope, *name, service_owner, table);
    }
    for (const MethodModel& method : service.methods) {
      names::NameOwner owner{"method", method.full_name, model.proto_file};
      for (const std::string* name : {&method.method_var,
                                      &method.invoke_fn,
                                      &method.call_fn,
                                      &method.call_async_fn,
                                      &method.callback_type,
                                      &method.thunk_fn,
                                      &method.stream_type,
                                      &method.start_fn,
                                      &method.write_fn,
                                      &method.read_fn,
                                      &method.writes_done_fn,
                                      &method.finish_fn,
                                      &method.cancel_fn,
                                      &method.server_stream_type,
                                      &method.server_read_fn,
                                      &method.server_write_fn,
                                      &method.reactor_type,
                                      &method.server_react_fn,
                                      &method.reactor_thunks,
                                      &method.on_read_thunk,
                                      &method.on_read_done_thunk,
                                      &method.on_cancel_thunk,
                                      &method.on_done_thunk,
                                      &method.handler_fn}) {
        AddIfSet(file_scope, *name, owner, table);
      }
      // Members of the servicer table share a scope of their own.
      AddIfSet(service.servicer_type, method.servicer_field, owner, table);
    }
  }
}

}  // namespace grpc_c::plugin
