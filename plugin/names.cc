#include "names.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/unknown_field_set.h>

#include <algorithm>
#include <cstdio>
#include <utility>

namespace grpc_c::plugin::names {

namespace {

namespace pb = google::protobuf;

// ASCII-only character classes: proto identifiers are ASCII, and the
// <cctype> functions would depend on the locale.
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
char ToLowerChar(char c) { return IsUpper(c) ? static_cast<char>(c + 32) : c; }
char ToUpperChar(char c) { return IsLower(c) ? static_cast<char>(c - 32) : c; }

// Splits on '.', dropping empty parts as protobuf-c does.
std::vector<std::string_view> SplitDots(std::string_view full_name) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start <= full_name.size()) {
    size_t dot = full_name.find('.', start);
    if (dot == std::string_view::npos) dot = full_name.size();
    if (dot > start) parts.push_back(full_name.substr(start, dot - start));
    start = dot + 1;
  }
  return parts;
}

template <typename PartFn>
std::string JoinConverted(std::string_view full_name, PartFn convert) {
  std::string result;
  for (std::string_view part : SplitDots(full_name)) {
    if (!result.empty()) result += "__";
    result += convert(part);
  }
  return result;
}

// Field numbers in protobuf-c/protobuf-c.proto.
constexpr int kPbCFileExtension = 1019;  // extend FileOptions
constexpr int kNoGenerateField = 1;      // ProtobufCFileOptions.no_generate
constexpr int kCPackageField = 6;        // ProtobufCFileOptions.c_package

}  // namespace

// ---------------------------------------------------------------------------
// protobuf-c rules
// ---------------------------------------------------------------------------

std::string CamelToLower(std::string_view name) {
  std::string result;
  bool previous_was_upper = true;  // no '_' before a leading capital
  for (char c : name) {
    bool is_upper = IsUpper(c);
    if (is_upper && !previous_was_upper) result += '_';
    result += ToLowerChar(c);
    previous_was_upper = is_upper;
  }
  return result;
}

std::string CamelToUpper(std::string_view name) {
  std::string result;
  bool previous_was_upper = true;
  for (char c : name) {
    bool is_upper = IsUpper(c);
    if (is_upper && !previous_was_upper) result += '_';
    result += ToUpperChar(c);
    previous_was_upper = is_upper;
  }
  return result;
}

std::string ToCamel(std::string_view name) {
  std::string result;
  bool raise_next = true;
  for (char c : name) {
    if (c == '_') {
      raise_next = true;
    } else if (raise_next) {
      result += ToUpperChar(c);
      raise_next = false;
    } else {
      result += c;
    }
  }
  return result;
}

std::string OverrideFullName(std::string_view full_name,
                             const FileNaming& naming) {
  if (!naming.c_package) return std::string(full_name);
  // protobuf-c swaps the package prefix for c_package; with no package it
  // prepends c_package and a dot.
  std::string result = *naming.c_package;
  if (naming.package.empty()) result += '.';
  std::string_view rest =
      full_name.substr(std::min(naming.package.size(), full_name.size()));
  result += rest;
  return result;
}

std::string FullNameToC(std::string_view full_name, const FileNaming& naming) {
  return JoinConverted(OverrideFullName(full_name, naming), ToCamel);
}

std::string FullNameToLower(std::string_view full_name,
                            const FileNaming& naming) {
  return JoinConverted(OverrideFullName(full_name, naming), CamelToLower);
}

std::string FullNameToUpper(std::string_view full_name,
                            const FileNaming& naming) {
  return JoinConverted(OverrideFullName(full_name, naming), CamelToUpper);
}

std::string FilenameIdentifier(std::string_view filename) {
  std::string result;
  for (char c : filename) {
    if (IsUpper(c) || IsLower(c) || IsDigit(c)) {
      result += c;
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "%x",
                    static_cast<unsigned>(static_cast<unsigned char>(c)));
      result += '_';
      result += hex;
    }
  }
  return result;
}

std::string StripProto(std::string_view filename) {
  for (std::string_view suffix : {".protodevel", ".proto"}) {
    if (filename.size() >= suffix.size() &&
        filename.substr(filename.size() - suffix.size()) == suffix) {
      return std::string(filename.substr(0, filename.size() - suffix.size()));
    }
  }
  return std::string(filename);
}

ProtobufCFileOptions ReadProtobufCFileOptions(const pb::FileDescriptor* file) {
  ProtobufCFileOptions result;
  const pb::UnknownFieldSet& unknown = file->options().unknown_fields();
  // A message-typed extension may arrive in several pieces that merge, so
  // every piece is read and later values win, as in a real parse.
  for (int i = 0; i < unknown.field_count(); ++i) {
    const pb::UnknownField& field = unknown.field(i);
    if (field.number() != kPbCFileExtension ||
        field.type() != pb::UnknownField::TYPE_LENGTH_DELIMITED) {
      continue;
    }
    pb::UnknownFieldSet options;
    if (!options.ParseFromString(field.length_delimited())) continue;
    for (int j = 0; j < options.field_count(); ++j) {
      const pb::UnknownField& option = options.field(j);
      if (option.number() == kCPackageField &&
          option.type() == pb::UnknownField::TYPE_LENGTH_DELIMITED) {
        result.c_package = option.length_delimited();
      } else if (option.number() == kNoGenerateField &&
                 option.type() == pb::UnknownField::TYPE_VARINT) {
        result.no_generate = option.varint() != 0;
      }
    }
  }
  return result;
}

FileNaming NamingOf(const pb::FileDescriptor* file) {
  return FileNaming{file->package(), ReadProtobufCFileOptions(file).c_package};
}

std::string MessageDescriptorName(std::string_view message_lower) {
  return std::string(message_lower) + "__descriptor";
}

std::string MessageFreeFunctionName(std::string_view message_lower) {
  return std::string(message_lower) + "__free_unpacked";
}

// ---------------------------------------------------------------------------
// Output files
// ---------------------------------------------------------------------------

std::string HeaderFileName(std::string_view proto_file) {
  return StripProto(proto_file) + ".grpc-c.h";
}

std::string SourceFileName(std::string_view proto_file) {
  return StripProto(proto_file) + ".grpc-c.c";
}

std::string SkeletonFileName(std::string_view proto_file) {
  return StripProto(proto_file) + ".grpc-c.skel.c";
}

std::string ProtobufCHeaderName(std::string_view proto_file) {
  return StripProto(proto_file) + ".pb-c.h";
}

std::string ProtobufCSourceName(std::string_view proto_file) {
  return StripProto(proto_file) + ".pb-c.c";
}

std::string IncludeGuard(std::string_view proto_file) {
  return "GRPC_C_" + FilenameIdentifier(proto_file) + "__INCLUDED";
}

// ---------------------------------------------------------------------------
// Our names
// ---------------------------------------------------------------------------

std::string MethodPath(std::string_view service_full_name,
                       std::string_view method_name) {
  std::string path = "/";
  path += service_full_name;
  path += '/';
  path += method_name;
  return path;
}

bool IsReservedWord(std::string_view word) {
  static const std::set<std::string_view> kReserved = {
      // C89 to C23 keywords (the _Capitalised ones cannot come out of
      // CamelToLower).
      "auto", "break", "case", "char", "const", "continue", "default", "do",
      "double", "else", "enum", "extern", "float", "for", "goto", "if",
      "inline", "int", "long", "register", "restrict", "return", "short",
      "signed", "sizeof", "static", "struct", "switch", "typedef", "union",
      "unsigned", "void", "volatile", "while", "alignas", "alignof", "bool",
      "constexpr", "false", "nullptr", "static_assert", "thread_local", "true",
      "typeof", "typeof_unqual",
      // C++20 keywords and alternative tokens not listed above.
      "and", "and_eq", "asm", "bitand", "bitor", "catch", "char8_t", "char16_t",
      "char32_t", "class", "compl", "concept", "consteval", "constinit",
      "const_cast", "co_await", "co_return", "co_yield", "decltype", "delete",
      "dynamic_cast", "explicit", "export", "friend", "mutable", "namespace",
      "new", "noexcept", "not", "not_eq", "operator", "or", "or_eq", "private",
      "protected", "public", "reinterpret_cast", "requires", "static_cast",
      "template", "this", "throw", "try", "typeid", "typename", "using",
      "virtual", "wchar_t", "xor", "xor_eq",
      // Predefined by GCC and Clang in GNU modes (-std=gnu11 and default).
      "linux", "unix", "i386",
      // Macros of the C library and its headers: an object-like one breaks
      // the declaration, a function-like one breaks `table->name(...)`.
      "errno", "stdin", "stdout", "stderr", "assert", "assert_perror",
      "offsetof", "va_arg", "va_start", "va_end", "va_copy", "setjmp",
      "sigsetjmp", "alloca", "complex", "imaginary", "noreturn", "unreachable",
      "major", "minor", "makedev", "htons", "htonl", "ntohs", "ntohl", "isnan",
      "isinf", "isfinite", "isnormal", "signbit", "fpclassify", "isgreater",
      "isgreaterequal", "isless", "islessequal", "islessgreater", "isunordered",
      "isalnum", "isalpha", "isascii", "isblank", "iscntrl", "isdigit",
      "isgraph", "islower", "isprint", "ispunct", "isspace", "isupper",
      "isxdigit", "toascii", "tolower", "toupper"};
  if (word.size() >= 2 && word[0] == '_' && word[1] == '_') return true;
  return kReserved.count(word) > 0;
}

std::string EscapeReservedWord(std::string_view word) {
  std::string result(word);
  if (IsReservedWord(word)) result += '_';
  return result;
}

std::string EscapeProtoPath(std::string_view proto_file) {
  std::string result;
  for (char c : proto_file) {
    if (IsUpper(c) || IsLower(c) || IsDigit(c)) {
      result += c;
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%02x",
                    static_cast<unsigned>(static_cast<unsigned char>(c)));
      result += '_';
      result += hex;
    }
  }
  return result;
}

std::string FileDescriptorName(std::string_view proto_file) {
  return "grpc_c_file__" + EscapeProtoPath(proto_file);
}

std::string FileDescriptorPartName(std::string_view proto_file,
                                   std::string_view what) {
  std::string name = FileDescriptorName(proto_file);
  name += "__";
  name += what;
  return name;
}

std::string ServiceScopedName(std::string_view service_lower,
                              std::string_view what) {
  std::string name(service_lower);
  name += "__servicer__";
  name += what;
  return name;
}

std::string MethodScopedName(std::string_view service_lower,
                             std::string_view method_lower,
                             std::string_view what) {
  std::string name(service_lower);
  name += "__";
  name += method_lower;
  name += "__";
  name += what;
  return name;
}

std::string ServicerTypeName(std::string_view service_c) {
  return std::string(service_c) + "_Servicer";
}

std::string MethodTypeName(std::string_view service_c,
                           std::string_view method_name,
                           std::string_view what) {
  std::string name(service_c);
  name += "__";
  name += method_name;
  name += '_';
  name += what;
  return name;
}

// ---------------------------------------------------------------------------
// Collision detection
// ---------------------------------------------------------------------------

NameTable::NameTable(std::string proto_file)
    : proto_file_(std::move(proto_file)) {}

void NameTable::AddProtobufCName(const std::string& scope,
                                 const std::string& name,
                                 const NameOwner& owner) {
  Add(scope, name, owner, /*generated=*/false);
}

void NameTable::AddGeneratedName(const std::string& scope,
                                 const std::string& name,
                                 const NameOwner& owner) {
  Add(scope, name, owner, /*generated=*/true);
}

namespace {

std::string Describe(const NameOwner& owner, const std::string& proto_file) {
  std::string text = owner.kind + " " + owner.full_name;
  if (!owner.file.empty() && owner.file != proto_file) {
    text += " (in " + owner.file + ")";
  }
  return text;
}

}  // namespace

void NameTable::Add(const std::string& scope, const std::string& name,
                    const NameOwner& owner, bool generated) {
  auto [it, inserted] =
      entries_.emplace(std::make_pair(scope, name), Entry{owner, generated});
  if (inserted) return;
  const Entry& earlier = it->second;
  if (!generated && !earlier.generated) return;  // protobuf-c's own business
  bool same_owner = earlier.owner.kind == owner.kind &&
                    earlier.owner.full_name == owner.full_name &&
                    earlier.owner.file == owner.file;
  if (same_owner && !generated) return;  // e.g. a struct tag and its typedef

  // Describe the generated name first: it is the one the user can change by
  // renaming the element it comes from.
  const NameOwner& subject = generated ? owner : earlier.owner;
  const NameOwner& other = generated ? earlier.owner : owner;
  bool other_generated = generated ? earlier.generated : true;
  std::string where =
      scope == kFileScope ? "" : " (member of struct " + scope + ")";
  std::string message = proto_file_ + ": generated name '" + name + "'" +
                        where + " of " + Describe(subject, proto_file_) +
                        " collides with ";
  message += other_generated ? "the generated name of "
                             : "the name protobuf-c emits for ";
  message += Describe(other, proto_file_);
  collisions_.push_back(std::move(message));
}

namespace {

class ProtobufCNameCollector {
 public:
  explicit ProtobufCNameCollector(NameTable* table) : table_(table) {}

  void AddFile(const pb::FileDescriptor* file) {
    Add("PROTOBUF_C_" + FilenameIdentifier(file->name()) + "__INCLUDED", "file",
        file->name(), file);
    FileNaming naming = NamingOf(file);
    for (int i = 0; i < file->message_type_count(); ++i) {
      AddMessage(file->message_type(i), naming);
    }
    for (int i = 0; i < file->enum_type_count(); ++i) {
      AddEnum(file->enum_type(i), naming);
    }
    for (int i = 0; i < file->service_count(); ++i) {
      AddService(file->service(i), naming);
    }
  }

 private:
  void Add(const std::string& name, const char* kind,
           const std::string& full_name, const pb::FileDescriptor* file) {
    table_->AddProtobufCName(NameTable::kFileScope, name,
                             NameOwner{kind, full_name, file->name()});
  }

  void AddMessage(const pb::Descriptor* message, const FileNaming& naming) {
    const pb::FileDescriptor* file = message->file();
    const std::string& full = message->full_name();
    std::string type = FullNameToC(full, naming);
    std::string lower = FullNameToLower(full, naming);
    std::string upper = FullNameToUpper(full, naming);
    for (const std::string& name :
         {type, type + "_Closure", upper + "__INIT", lower + "__init",
          lower + "__get_packed_size", lower + "__pack",
          lower + "__pack_to_buffer", lower + "__unpack",
          MessageFreeFunctionName(lower), MessageDescriptorName(lower)}) {
      Add(name, "message", full, file);
    }
    // Synthetic oneofs of proto3 `optional` fields get no C union.
    for (int i = 0; i < message->real_oneof_decl_count(); ++i) {
      const pb::OneofDescriptor* oneof = message->oneof_decl(i);
      std::string case_prefix = upper + "__" + CamelToUpper(oneof->name());
      Add(FullNameToC(oneof->full_name(), naming) + "Case", "oneof",
          oneof->full_name(), file);
      Add(case_prefix + "__NOT_SET", "oneof", oneof->full_name(), file);
      // PROTOBUF_C__FORCE_ENUM_TO_BE_INT_SIZE(X) adds _X_IS_INT_SIZE.
      Add("_" + case_prefix + "__CASE_IS_INT_SIZE", "oneof", oneof->full_name(),
          file);
      for (int j = 0; j < oneof->field_count(); ++j) {
        const pb::FieldDescriptor* field = oneof->field(j);
        Add(case_prefix + "_" + CamelToUpper(field->name()), "field",
            field->full_name(), file);
      }
    }
    for (int i = 0; i < message->field_count(); ++i) {
      const pb::FieldDescriptor* field = message->field(i);
      if (!field->has_default_value()) continue;
      std::string field_lower = FullNameToLower(field->full_name(), naming);
      Add(field_lower + "__default_value", "field", field->full_name(), file);
      Add(field_lower + "__default_value_data", "field", field->full_name(),
          file);
    }
    for (int i = 0; i < message->nested_type_count(); ++i) {
      AddMessage(message->nested_type(i), naming);
    }
    for (int i = 0; i < message->enum_type_count(); ++i) {
      AddEnum(message->enum_type(i), naming);
    }
  }

  void AddEnum(const pb::EnumDescriptor* enumeration,
               const FileNaming& naming) {
    const pb::FileDescriptor* file = enumeration->file();
    const std::string& full = enumeration->full_name();
    std::string type = FullNameToC(full, naming);
    std::string upper = FullNameToUpper(full, naming);
    for (const std::string& name :
         {type, "_" + type, "_" + upper + "_IS_INT_SIZE",
          FullNameToLower(full, naming) + "__descriptor"}) {
      Add(name, "enum", full, file);
    }
    for (int i = 0; i < enumeration->value_count(); ++i) {
      const pb::EnumValueDescriptor* value = enumeration->value(i);
      // Value names are kept as written, not converted.
      Add(upper + "__" + value->name(), "enum value", value->full_name(), file);
    }
  }

  void AddService(const pb::ServiceDescriptor* service,
                  const FileNaming& naming) {
    const pb::FileDescriptor* file = service->file();
    const std::string& full = service->full_name();
    std::string type = FullNameToC(full, naming);
    std::string lower = FullNameToLower(full, naming);
    std::string upper = FullNameToUpper(full, naming);
    for (const std::string& name :
         {type + "_Service", type + "_ServiceDestroy", lower + "__init",
          lower + "__descriptor", lower + "__method_indices_by_name",
          upper + "__BASE_INIT", upper + "__INIT"}) {
      Add(name, "service", full, file);
    }
    for (int i = 0; i < service->method_count(); ++i) {
      const pb::MethodDescriptor* method = service->method(i);
      Add(lower + "__" + CamelToLower(method->name()), "method",
          method->full_name(), file);
    }
  }

  NameTable* table_;
};

void VisitProtobufCFiles(
    const pb::FileDescriptor* file,
    const std::function<void(const pb::FileDescriptor*)>& visit,
    std::set<const pb::FileDescriptor*>* visited) {
  if (!visited->insert(file).second) return;
  // protoc-c writes no .pb-c.h for such files and includes none for them.
  if (ReadProtobufCFileOptions(file).no_generate) return;
  visit(file);
  for (int i = 0; i < file->dependency_count(); ++i) {
    VisitProtobufCFiles(file->dependency(i), visit, visited);
  }
}

}  // namespace

void ForEachProtobufCFile(
    const pb::FileDescriptor* file,
    const std::function<void(const pb::FileDescriptor*)>& visit) {
  std::set<const pb::FileDescriptor*> visited;
  VisitProtobufCFiles(file, visit, &visited);
}

void AddProtobufCNames(const pb::FileDescriptor* file, NameTable* table) {
  ProtobufCNameCollector collector(table);
  ForEachProtobufCFile(file, [&collector](const pb::FileDescriptor* each) {
    collector.AddFile(each);
  });
}

}  // namespace grpc_c::plugin::names
