// Every rule that turns a proto name into a C identifier or a file name.
//
// Two families live here:
//  * protobuf-c 1.4's own rules (CamelToLower, ToCamel, FullNameToC, the
//    `c_package` file option...), reproduced so that the types and
//    descriptors we name are exactly the ones `protoc --c_out` declares;
//  * the rules for what protoc-gen-grpc-c emits (docs/generated-code.md),
//    including keyword escaping and the detection of names that collide.
#ifndef GRPC_C_PLUGIN_NAMES_H
#define GRPC_C_PLUGIN_NAMES_H

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace google::protobuf {
class FileDescriptor;
}  // namespace google::protobuf

namespace grpc_c::plugin::names {

// ---------------------------------------------------------------------------
// protobuf-c 1.4 naming rules
// ---------------------------------------------------------------------------

// "SayHello" -> "say_hello", "HTTPRequest" -> "httprequest": an underscore
// goes before an upper-case letter that follows a non-upper-case character;
// every letter is lowered. Used for method and field names.
std::string CamelToLower(std::string_view name);

// Like CamelToLower but every letter is raised: "SayHello" -> "SAY_HELLO".
std::string CamelToUpper(std::string_view name);

// "hello_world" -> "HelloWorld": underscores dropped, the letter after each
// one (and the first) raised, everything else kept as written.
std::string ToCamel(std::string_view name);

// What protobuf-c needs to know about a file to name its elements.
struct FileNaming {
  std::string package;                   // the proto package, may be empty
  std::optional<std::string> c_package;  // option (pb_c_file).c_package
};

// The full name with the package replaced by `c_package` when that option
// is set (protobuf-c's OverrideFullName).
std::string OverrideFullName(std::string_view full_name,
                             const FileNaming& naming);

// Type names: "helloworld.HelloRequest" -> "Helloworld__HelloRequest"
// (ToCamel of each dot-separated part, joined with "__").
std::string FullNameToC(std::string_view full_name, const FileNaming& naming);

// Function and descriptor prefixes: -> "helloworld__hello_request"
// (CamelToLower of each part).
std::string FullNameToLower(std::string_view full_name,
                            const FileNaming& naming);

// Macro prefixes: -> "HELLOWORLD__HELLO_REQUEST" (CamelToUpper of each part).
std::string FullNameToUpper(std::string_view full_name,
                            const FileNaming& naming);

// "dir/a.proto" -> "dir_2fa_2eproto": every character that is not a letter
// or digit becomes '_' plus its code in hex, so distinct paths never meet.
std::string FilenameIdentifier(std::string_view filename);

// "dir/a.proto" -> "dir/a" (also strips ".protodevel").
std::string StripProto(std::string_view filename);

// The protobuf-c file options (extension 1019 of FileOptions). The plugin
// does not link protobuf-c's C++ code, so they are read from the options'
// unknown fields, where protoc leaves any extension the plugin does not know.
struct ProtobufCFileOptions {
  std::optional<std::string> c_package;
  bool no_generate = false;
};
ProtobufCFileOptions ReadProtobufCFileOptions(
    const google::protobuf::FileDescriptor* file);

// protobuf-c's own options file, which files using c_package import. It is
// marked no_generate, yet libgrpc-c-wkt carries its descriptor.
inline constexpr char kProtobufCProto[] = "protobuf-c/protobuf-c.proto";

FileNaming NamingOf(const google::protobuf::FileDescriptor* file);

// What protobuf-c declares for a message, from FullNameToLower of its name:
// "helloworld__hello_request" -> "helloworld__hello_request__descriptor"
// and "helloworld__hello_request__free_unpacked".
std::string MessageDescriptorName(std::string_view message_lower);
std::string MessageFreeFunctionName(std::string_view message_lower);

// ---------------------------------------------------------------------------
// Output files
// ---------------------------------------------------------------------------

std::string HeaderFileName(std::string_view proto_file);    // a.grpc-c.h
std::string SourceFileName(std::string_view proto_file);    // a.grpc-c.c
std::string SkeletonFileName(std::string_view proto_file);  // a.grpc-c.skel.c
std::string ProtobufCHeaderName(std::string_view proto_file);  // a.pb-c.h
std::string ProtobufCSourceName(std::string_view proto_file);  // a.pb-c.c
// Include guard of the generated header: "GRPC_C_" + FilenameIdentifier +
// "__INCLUDED", next to protobuf-c's "PROTOBUF_C_..." guard.
std::string IncludeGuard(std::string_view proto_file);

// ---------------------------------------------------------------------------
// Names protoc-gen-grpc-c emits
// ---------------------------------------------------------------------------

// "/" + full proto service name + "/" + method name; `c_package` plays no
// part because the path is what travels on the wire.
std::string MethodPath(std::string_view service_full_name,
                       std::string_view method_name);

// True for words that cannot be a bare identifier in generated code: C and
// C++ keywords, alternative operator tokens, macros that GNU compilers or
// the C library predefine (`linux`, `unix`, `errno`, `stdin`, `assert`...),
// and names starting with "__" (reserved; GCC spells extensions that way).
bool IsReservedWord(std::string_view word);

// `word` itself, or `word` + "_" when IsReservedWord(word).
std::string EscapeReservedWord(std::string_view word);

// The proto path as it appears in a file descriptor's C name: every byte
// outside [A-Za-z0-9] becomes '_' plus two lowercase hex digits, so
// "google/protobuf/empty.proto" -> "google_2fprotobuf_2fempty_2eproto".
// Distinct paths never meet (unlike FilenameIdentifier, protobuf-c's rule,
// which writes bytes below 0x10 with one digit).
std::string EscapeProtoPath(std::string_view proto_file);

// The file descriptor every generated .grpc-c.c defines for server
// reflection: "grpc_c_file__" + EscapeProtoPath(proto_file). Importers
// refer to it by this name, so it depends on the path alone.
std::string FileDescriptorName(std::string_view proto_file);

// The static arrays behind it: FileDescriptorName + "__" + what
// ("descriptor", "dependencies", "symbols", "extensions").
std::string FileDescriptorPartName(std::string_view proto_file,
                                   std::string_view what);

// Every generated name derives from a service's protobuf-c prefixes
// (`Svc`, `svc`), a method's lower-case name (`m`) and its proto name (`M`):
//   svc__servicer__<what>  service-wide functions and variables
//   svc__m__<what>         per-method functions and variables
//   Svc_Servicer           the servicer table type
//   Svc__M_<What>          per-method types
std::string ServiceScopedName(std::string_view service_lower,
                              std::string_view what);
std::string MethodScopedName(std::string_view service_lower,
                             std::string_view method_lower,
                             std::string_view what);
std::string ServicerTypeName(std::string_view service_c);
std::string MethodTypeName(std::string_view service_c,
                           std::string_view method_name, std::string_view what);

// ---------------------------------------------------------------------------
// Collision detection
// ---------------------------------------------------------------------------

// The proto element a C name belongs to, for error messages.
struct NameOwner {
  std::string kind;       // "message", "method", "service", "enum value"...
  std::string full_name;  // "helloworld.Greeter.SayHello"
  std::string file;       // the .proto file that declares it
};

// Collects C names per scope and records every clash that involves a name
// protoc-gen-grpc-c emits. Scopes: kFileScope for everything that shares
// the file-level name space of a translation unit (functions, variables,
// typedefs, tags, enumerators and macros are lumped together on purpose:
// a macro clashes with all of them), or the name of a struct for members.
//
// Clashes among protobuf-c's own names are not reported: they are
// protobuf-c's to diagnose, and only ours could be renamed.
class NameTable {
 public:
  static constexpr const char* kFileScope = "";

  explicit NameTable(std::string proto_file);

  void AddProtobufCName(const std::string& scope, const std::string& name,
                        const NameOwner& owner);
  void AddGeneratedName(const std::string& scope, const std::string& name,
                        const NameOwner& owner);

  // One message per clash, in the order found, each naming both elements.
  const std::vector<std::string>& collisions() const { return collisions_; }

 private:
  struct Entry {
    NameOwner owner;
    bool generated;
  };
  void Add(const std::string& scope, const std::string& name,
           const NameOwner& owner, bool generated);

  std::string proto_file_;
  std::map<std::pair<std::string, std::string>, Entry> entries_;
  std::vector<std::string> collisions_;
};

// Calls `visit` on `file` and on every file it imports (directly or not)
// whose .pb-c.h ends up in the same translation units as our code, each
// once, a file before its imports. Files marked `no_generate` have no
// .pb-c.h and are skipped with their imports, as protoc-c skips them.
void ForEachProtobufCFile(
    const google::protobuf::FileDescriptor* file,
    const std::function<void(const google::protobuf::FileDescriptor*)>& visit);

// Adds every name protobuf-c 1.4 declares in `file`'s .pb-c.h, and in the
// .pb-c.h of every file it imports (directly or not), since all of them end
// up in the same translation units as our code. Files marked
// `no_generate` have no .pb-c.h and are skipped.
void AddProtobufCNames(const google::protobuf::FileDescriptor* file,
                       NameTable* table);

}  // namespace grpc_c::plugin::names

#endif  // GRPC_C_PLUGIN_NAMES_H
