// A plain model of one .proto file's services, with every C name the
// generated code uses already derived (by the rules in names.h). The
// renderer reads only this model, so what is emitted and what is checked
// for collisions can never disagree.
#ifndef GRPC_C_PLUGIN_MODEL_H
#define GRPC_C_PLUGIN_MODEL_H

#include <string>
#include <vector>

#include "names.h"
#include "options.h"

namespace google::protobuf {
class FileDescriptor;
}  // namespace google::protobuf

namespace grpc_c::plugin {

enum class MethodKind {
  kUnary,
  kServerStreaming,
  kClientStreaming,
  kBidiStreaming,
};

// A request or response message type, as protobuf-c names it.
struct MessageModel {
  std::string full_name;   // helloworld.HelloRequest
  std::string c_type;      // Helloworld__HelloRequest
  std::string descriptor;  // helloworld__hello_request__descriptor
  std::string free_fn;     // helloworld__hello_request__free_unpacked
};

struct MethodModel {
  std::string name;       // M: SayHello, as written in the proto file
  std::string full_name;  // helloworld.Greeter.SayHello
  std::string path;       // /helloworld.Greeter/SayHello
  std::string lower;      // m: say_hello (protobuf-c's CamelToLower)
  MethodKind kind = MethodKind::kUnary;
  MessageModel request;
  MessageModel response;
  std::string comment;  // leading comment in the proto file, raw

  // Generated names. A name the method's kind does not have stays empty.
  std::string servicer_field;  // m, or m_ when m is a reserved word
  std::string method_var;      // svc__m__method
  std::string invoke_fn;       // svc__m__invoke (static)
  // Unary calls.
  std::string call_fn;        // svc__m__call
  std::string call_async_fn;  // svc__m__call_async
  std::string callback_type;  // Svc__M_Callback
  std::string thunk_fn;       // svc__m__thunk (static)
  // Client side of streams.
  std::string stream_type;     // Svc__M_Stream
  std::string start_fn;        // svc__m__start
  std::string write_fn;        // svc__m__write
  std::string read_fn;         // svc__m__read
  std::string writes_done_fn;  // svc__m__writes_done
  std::string finish_fn;       // svc__m__finish
  std::string cancel_fn;       // svc__m__cancel
  // Server side of streams.
  std::string server_stream_type;  // Svc__M_ServerStream
  std::string server_read_fn;      // svc__m__server_read
  std::string server_write_fn;     // svc__m__server_write
  // Non-blocking server side of streams: the typed reactor and the static
  // thunks that forward the runtime's callbacks to it.
  std::string reactor_type;        // Svc__M_Reactor
  std::string server_react_fn;     // svc__m__server_react
  std::string reactor_thunks;      // svc__m__reactor_thunks (static)
  std::string on_read_thunk;       // svc__m__on_read_thunk (static)
  std::string on_read_done_thunk;  // svc__m__on_read_done_thunk (static)
  std::string on_cancel_thunk;     // svc__m__on_cancel_thunk (static)
  std::string on_done_thunk;       // svc__m__on_done_thunk (static)
  // Skeleton only.
  std::string handler_fn;  // svc__m__handler (static)
};

struct ServiceModel {
  std::string name;       // Greeter
  std::string full_name;  // helloworld.Greeter
  std::string c_type;     // Svc: Helloworld__Greeter
  std::string lower;      // svc: helloworld__greeter
  std::string comment;    // leading comment in the proto file, raw

  std::string servicer_type;   // Svc_Servicer
  std::string service_var;     // svc__servicer__service
  std::string register_fn;     // svc__servicer__register
  std::string methods_array;   // svc__servicer__methods (static)
  std::string skeleton_table;  // svc__servicer__impl (skeleton only)

  std::vector<MethodModel> methods;
};

// An extension a file declares, as grpc_c_extension_ref lists it.
struct ExtensionModel {
  std::string extendee;   // google.protobuf.FieldOptions
  int number = 0;         // 50001
  std::string full_name;  // pkg.my_option, pkg.Msg.nested_option
};

// What the file's grpc_c_file_descriptor (server reflection) holds.
struct FileDescriptorModel {
  std::string var;  // grpc_c_file__<escaped path>
  std::string package;
  // The static arrays behind `var`. An array whose list is empty (or, for
  // the descriptor, left out) has an empty name: the field is NULL.
  std::string descriptor_array;    // grpc_c_file__<...>__descriptor
  std::string dependencies_array;  // grpc_c_file__<...>__dependencies
  std::string symbols_array;       // grpc_c_file__<...>__symbols
  std::string extensions_array;    // grpc_c_file__<...>__extensions
  // The serialized FileDescriptorProto, without source code info; empty
  // with `reflection=off`.
  std::string descriptor_bytes;
  // The imports' grpc_c_file__<...> names, in import order. Imports marked
  // `no_generate` (protobuf-c/protobuf-c.proto) are left out: nothing
  // generates code for them, so there is nothing to link.
  std::vector<std::string> dependencies;
  std::vector<std::string> dependency_files;  // their paths, same order
  // Full names of everything the file defines, sorted bytewise (strcmp);
  // empty with `reflection=off`.
  std::vector<std::string> symbols;
  // Extensions declared in the file, top level first, then those nested in
  // messages (depth first), each in declaration order; empty with
  // `reflection=off`.
  std::vector<ExtensionModel> extensions;
};

struct FileModel {
  std::string proto_file;     // dir/foo.proto, as protoc names it
  std::string header_file;    // dir/foo.grpc-c.h
  std::string source_file;    // dir/foo.grpc-c.c
  std::string skeleton_file;  // dir/foo.grpc-c.skel.c, empty unless asked
  std::string include_guard;
  // dir/foo.pb-c.h; empty for a file marked no_generate, for which
  // protoc-c writes nothing (protobuf-c/protobuf-c.proto).
  std::string pbc_header;
  // .pb-c.h of other files whose messages the methods use, in first-use
  // order (protoc-c's own header includes them too; naming them keeps the
  // dependency visible and the header self-sufficient).
  std::vector<std::string> imported_pbc_headers;
  std::vector<ServiceModel> services;
  FileDescriptorModel descriptor;
};

// Derives the model of `file`. Cannot fail: collisions are found separately
// by AddGeneratedNames() so that all of them can be reported at once.
FileModel BuildFileModel(const google::protobuf::FileDescriptor* file,
                         const Options& options);

// Adds every name the renderer emits for `model` (file-scope names and the
// servicer tables' member names) to `table`.
void AddGeneratedNames(const FileModel& model, names::NameTable* table);

}  // namespace grpc_c::plugin

#endif  // GRPC_C_PLUGIN_MODEL_H
