// Naming rules. Expected values of the protobuf-c rules were taken from the
// output of protoc-c 1.4.1 for the same names (tests/golden/protos).
#include "names.h"

#include <set>

#include "proto_fixture.h"
#include "test_util.h"

namespace {

using grpc_c::plugin::names::FileNaming;
using grpc_c::plugin::names::NameOwner;
using grpc_c::plugin::names::NameTable;
using grpc_c::plugin::testing::ProtoFixture;
namespace names = grpc_c::plugin::names;

START_TEST(camel_to_lower_matches_protobuf_c) {
  ck_assert_string_eq(names::CamelToLower("SayHello"), "say_hello");
  ck_assert_string_eq(names::CamelToLower("HTTPRequest"), "httprequest");
  ck_assert_string_eq(names::CamelToLower("get_v2_stats"), "get_v2_stats");
  ck_assert_string_eq(names::CamelToLower("X"), "x");
  ck_assert_string_eq(names::CamelToLower("ABTest"), "abtest");
  ck_assert_string_eq(names::CamelToLower("sayHi"), "say_hi");
  ck_assert_string_eq(names::CamelToLower("UPPER_CASE"), "upper__case");
  ck_assert_string_eq(names::CamelToLower("Mixed_Case_Name"),
                      "mixed__case__name");
  ck_assert_string_eq(names::CamelToLower("V2"), "v2");
  ck_assert_string_eq(names::CamelToLower("_Leading"), "__leading");
  ck_assert_string_eq(names::CamelToLower("Trailing_"), "trailing_");
  ck_assert_string_eq(names::CamelToLower("Y_Start"), "y__start");
  ck_assert_string_eq(names::CamelToLower("lowercase"), "lowercase");
}
END_TEST

START_TEST(camel_to_upper_matches_protobuf_c) {
  ck_assert_string_eq(names::CamelToUpper("HTTPRequest"), "HTTPREQUEST");
  ck_assert_string_eq(names::CamelToUpper("TopEnum"), "TOP_ENUM");
  ck_assert_string_eq(names::CamelToUpper("bazQux"), "BAZ_QUX");
  ck_assert_string_eq(names::CamelToUpper("c_pkg"), "C_PKG");
  ck_assert_string_eq(names::CamelToUpper("InnerE"), "INNER_E");
}
END_TEST

START_TEST(to_camel_matches_protobuf_c) {
  ck_assert_string_eq(names::ToCamel("hello_world"), "HelloWorld");
  ck_assert_string_eq(names::ToCamel("HTTPService"), "HTTPService");
  ck_assert_string_eq(names::ToCamel("get_v2_stats"), "GetV2Stats");
  ck_assert_string_eq(names::ToCamel("c_pkg"), "CPkg");
  ck_assert_string_eq(names::ToCamel("x"), "X");
  ck_assert_string_eq(names::ToCamel("_leading"), "Leading");
  ck_assert_string_eq(names::ToCamel("lower_service"), "LowerService");
}
END_TEST

START_TEST(full_names_with_and_without_package) {
  FileNaming helloworld{"helloworld", std::nullopt};
  ck_assert_string_eq(names::FullNameToC("helloworld.HelloRequest", helloworld),
                      "Helloworld__HelloRequest");
  ck_assert_string_eq(
      names::FullNameToLower("helloworld.HelloRequest", helloworld),
      "helloworld__hello_request");
  ck_assert_string_eq(
      names::FullNameToUpper("helloworld.HelloRequest", helloworld),
      "HELLOWORLD__HELLO_REQUEST");

  FileNaming no_package{"", std::nullopt};
  ck_assert_string_eq(names::FullNameToC("Ping", no_package), "Ping");
  ck_assert_string_eq(names::FullNameToLower("Echo", no_package), "echo");
}
END_TEST

START_TEST(full_names_of_nested_packages_and_messages) {
  FileNaming deep{"com.example.deep.v1", std::nullopt};
  ck_assert_string_eq(
      names::FullNameToC("com.example.deep.v1.Outer.Inner", deep),
      "Com__Example__Deep__V1__Outer__Inner");
  ck_assert_string_eq(
      names::FullNameToLower("com.example.deep.v1.DeepService", deep),
      "com__example__deep__v1__deep_service");
  FileNaming casing{"casing", std::nullopt};
  ck_assert_string_eq(names::FullNameToC("casing.HTTPService", casing),
                      "Casing__HTTPService");
  ck_assert_string_eq(names::FullNameToLower("casing.HTTPService", casing),
                      "casing__httpservice");
  ck_assert_string_eq(names::FullNameToC("casing.lower_service", casing),
                      "Casing__LowerService");
}
END_TEST

START_TEST(c_package_replaces_the_package) {
  FileNaming store{"store.v1", std::string("shop.c_store")};
  ck_assert_string_eq(names::FullNameToC("store.v1.Item", store),
                      "Shop__CStore__Item");
  ck_assert_string_eq(names::FullNameToLower("store.v1.Store", store),
                      "shop__c_store__store");
  ck_assert_string_eq(names::FullNameToUpper("store.v1.Item", store),
                      "SHOP__C_STORE__ITEM");

  // Without a package, protobuf-c prepends c_package.
  FileNaming bare{"", std::string("bare")};
  ck_assert_string_eq(names::FullNameToC("Token", bare), "Bare__Token");
  ck_assert_string_eq(names::FullNameToLower("Vault", bare), "bare__vault");

  // An empty c_package removes the package.
  FileNaming emptied{"a.b", std::string("")};
  ck_assert_string_eq(names::FullNameToC("a.b.Msg", emptied), "Msg");
}
END_TEST

START_TEST(c_package_is_read_from_unknown_file_options) {
  ProtoFixture protos;
  const auto* with = protos.AddWithCPackage(
      "with.proto", "syntax = \"proto3\"; package store.v1; message Item {}",
      "shop.c_store");
  ck_assert_msg(with != nullptr, "%s", protos.error().c_str());
  names::ProtobufCFileOptions options = names::ReadProtobufCFileOptions(with);
  ck_assert(options.c_package.has_value());
  ck_assert_string_eq(*options.c_package, "shop.c_store");
  ck_assert(!options.no_generate);
  ck_assert_string_eq(names::NamingOf(with).package, "store.v1");

  const auto* without =
      protos.Add("without.proto", "syntax = \"proto3\"; package p;");
  ck_assert(without != nullptr);
  ck_assert(!names::ReadProtobufCFileOptions(without).c_package.has_value());
}
END_TEST

START_TEST(file_names_and_include_guard) {
  ck_assert_string_eq(names::StripProto("dir/a.proto"), "dir/a");
  ck_assert_string_eq(names::StripProto("a.protodevel"), "a");
  ck_assert_string_eq(names::StripProto("noext"), "noext");
  ck_assert_string_eq(names::HeaderFileName("dir/a.proto"), "dir/a.grpc-c.h");
  ck_assert_string_eq(names::SourceFileName("dir/a.proto"), "dir/a.grpc-c.c");
  ck_assert_string_eq(names::SkeletonFileName("dir/a.proto"),
                      "dir/a.grpc-c.skel.c");
  ck_assert_string_eq(names::ProtobufCHeaderName("dir/a.proto"),
                      "dir/a.pb-c.h");
  // protobuf-c's FilenameIdentifier, as in its include guards.
  ck_assert_string_eq(names::FilenameIdentifier("nested/deep/v1/deep.proto"),
                      "nested_2fdeep_2fv1_2fdeep_2eproto");
  ck_assert_string_eq(names::FilenameIdentifier("a-b_c.proto"),
                      "a_2db_5fc_2eproto");
  ck_assert_string_eq(names::IncludeGuard("helloworld.proto"),
                      "GRPC_C_helloworld_2eproto__INCLUDED");
}
END_TEST

START_TEST(method_path_ignores_c_package) {
  ck_assert_string_eq(names::MethodPath("helloworld.Greeter", "SayHello"),
                      "/helloworld.Greeter/SayHello");
  ck_assert_string_eq(names::MethodPath("Echo", "Ping"), "/Echo/Ping");
}
END_TEST

START_TEST(reserved_words_are_escaped) {
  for (const char* word :
       {"return",   "default", "register", "int",           "static_assert",
        "bool",     "new",     "delete",   "class",         "this",
        "template", "linux",   "unix",     "errno",         "stdin",
        "stdout",   "assert",  "offsetof", "__attribute__", "__leading"}) {
    ck_assert_msg(names::IsReservedWord(word), "%s should be reserved", word);
  }
  for (const char* word : {"say_hello", "start", "servicer", "call", "read",
                           "_leading", "return_", "linux2", "x"}) {
    ck_assert_msg(!names::IsReservedWord(word), "%s is not reserved", word);
  }
  ck_assert_string_eq(names::EscapeReservedWord("return"), "return_");
  ck_assert_string_eq(names::EscapeReservedWord("linux"), "linux_");
  ck_assert_string_eq(names::EscapeReservedWord("say_hello"), "say_hello");
}
END_TEST

// <assert.h> defines assert_perror() when _GNU_SOURCE is set (g++ always
// sets it): a method AssertPerror broke `table->assert_perror(...)`.
START_TEST(assert_perror_is_escaped) {
  ck_assert(names::IsReservedWord("assert_perror"));
  ck_assert_string_eq(names::EscapeReservedWord("assert_perror"),
                      "assert_perror_");
}
END_TEST

START_TEST(file_descriptor_names_escape_every_other_byte) {
  ck_assert_string_eq(names::EscapeProtoPath("google/protobuf/empty.proto"),
                      "google_2fprotobuf_2fempty_2eproto");
  ck_assert_string_eq(names::FileDescriptorName("google/protobuf/empty.proto"),
                      "grpc_c_file__google_2fprotobuf_2fempty_2eproto");
  // '_' itself is escaped, so "a_2eb" and "a.b" stay apart.
  ck_assert_string_eq(names::EscapeProtoPath("a_b-c.proto"),
                      "a_5fb_2dc_2eproto");
  ck_assert_string_eq(names::EscapeProtoPath("a_2eb"), "a_5f2eb");
  ck_assert_string_eq(names::EscapeProtoPath("a.b"), "a_2eb");
  // Always two lowercase digits: bytes below 0x10 and above 0x7f too.
  ck_assert_string_eq(names::EscapeProtoPath(std::string("a\tb")), "a_09b");
  ck_assert_string_eq(names::EscapeProtoPath("\xc3\xa9.proto"),
                      "_c3_a9_2eproto");
  ck_assert_string_eq(names::EscapeProtoPath("AZaz09"), "AZaz09");
  ck_assert_string_eq(names::FileDescriptorPartName("x.proto", "symbols"),
                      "grpc_c_file__x_2eproto__symbols");
}
END_TEST

START_TEST(generated_name_shapes) {
  ck_assert_string_eq(
      names::MethodScopedName("helloworld__greeter", "say_hello", "call"),
      "helloworld__greeter__say_hello__call");
  ck_assert_string_eq(
      names::ServiceScopedName("helloworld__greeter", "register"),
      "helloworld__greeter__servicer__register");
  ck_assert_string_eq(names::ServicerTypeName("Helloworld__Greeter"),
                      "Helloworld__Greeter_Servicer");
  ck_assert_string_eq(
      names::MethodTypeName("Helloworld__Greeter", "SayHello", "Callback"),
      "Helloworld__Greeter__SayHello_Callback");
}
END_TEST

START_TEST(name_table_reports_only_clashes_with_generated_names) {
  NameTable table("t.proto");
  NameOwner message{"message", "p.A", "t.proto"};
  NameOwner other_message{"message", "p.a", "t.proto"};
  NameOwner method{"method", "p.S.M", "t.proto"};
  NameOwner other_method{"method", "p.S.N", "t.proto"};

  // protobuf-c against itself: not ours to report; the same element
  // declaring a name twice (tag and typedef) is no clash either.
  table.AddProtobufCName(NameTable::kFileScope, "p__a__init", message);
  table.AddProtobufCName(NameTable::kFileScope, "p__a__init", other_message);
  table.AddProtobufCName(NameTable::kFileScope, "P__A", message);
  table.AddProtobufCName(NameTable::kFileScope, "P__A", message);
  ck_assert(table.collisions().empty());

  table.AddGeneratedName(NameTable::kFileScope, "p__a__init", method);
  ck_assert_int_eq(table.collisions().size(), 1);
  ck_assert_string_eq(table.collisions()[0],
                      "t.proto: generated name 'p__a__init' of method p.S.M "
                      "collides with the name protobuf-c emits for message "
                      "p.A");

  table.AddGeneratedName(NameTable::kFileScope, "p__s__x", method);
  table.AddGeneratedName(NameTable::kFileScope, "p__s__x", other_method);
  ck_assert_int_eq(table.collisions().size(), 2);
  ck_assert_string_eq(table.collisions()[1],
                      "t.proto: generated name 'p__s__x' of method p.S.N "
                      "collides with the generated name of method p.S.M");

  // Struct members live in their own scope.
  table.AddGeneratedName("P__S_Servicer", "p__s__x", method);
  ck_assert_int_eq(table.collisions().size(), 2);
  table.AddGeneratedName("P__S_Servicer", "p__s__x", other_method);
  ck_assert_int_eq(table.collisions().size(), 3);
  ck_assert_contains(table.collisions()[2], "(member of struct P__S_Servicer)");
}
END_TEST

START_TEST(name_table_names_the_file_of_imported_elements) {
  NameTable table("main.proto");
  table.AddProtobufCName(NameTable::kFileScope, "x",
                         NameOwner{"message", "dep.X", "dep.proto"});
  table.AddGeneratedName(NameTable::kFileScope, "x",
                         NameOwner{"method", "m.S.X", "main.proto"});
  ck_assert_int_eq(table.collisions().size(), 1);
  ck_assert_contains(table.collisions()[0], "message dep.X (in dep.proto)");
}
END_TEST

// Collects the names AddProtobufCNames() registers, by registering a
// generated name for each candidate and seeing whether it clashes.
bool ProtobufCEmits(const google::protobuf::FileDescriptor* file,
                    const std::string& name) {
  NameTable table(file->name());
  names::AddProtobufCNames(file, &table);
  table.AddGeneratedName(NameTable::kFileScope, name,
                         NameOwner{"method", "probe", file->name()});
  return !table.collisions().empty();
}

START_TEST(protobuf_c_names_of_a_file) {
  ProtoFixture protos;
  const auto* dep = protos.Add("dep.proto", R"(
      syntax = "proto2";
      package dep;
      message Shared { optional string label = 1 [default = "x"]; }
  )");
  ck_assert_msg(dep != nullptr, "%s", protos.error().c_str());
  const auto* file = protos.Add("main.proto", R"(
      syntax = "proto3";
      package my_pkg;
      import "dep.proto";
      message HTTPRequest {
        oneof the_choice { int32 a_b = 1; string CamelCase = 2; }
        optional int32 maybe = 3;
        message Inner { enum InnerE { FOO_BAR = 0; bazQux = 1; } }
      }
      enum TopEnum { TOP_A = 0; topB = 1; }
      service HTTPService { rpc get_v2_stats (HTTPRequest) returns (dep.Shared); }
  )");
  ck_assert_msg(file != nullptr, "%s", protos.error().c_str());

  // As protoc-c 1.4.1 spells them in main.pb-c.h and dep.pb-c.h.
  for (const char* name : {
           "PROTOBUF_C_main_2eproto__INCLUDED",
           "MyPkg__HTTPRequest",
           "MyPkg__HTTPRequest_Closure",
           "MY_PKG__HTTPREQUEST__INIT",
           "my_pkg__httprequest__init",
           "my_pkg__httprequest__get_packed_size",
           "my_pkg__httprequest__pack",
           "my_pkg__httprequest__pack_to_buffer",
           "my_pkg__httprequest__unpack",
           "my_pkg__httprequest__free_unpacked",
           "my_pkg__httprequest__descriptor",
           "MyPkg__HTTPRequest__TheChoiceCase",
           "MY_PKG__HTTPREQUEST__THE_CHOICE__NOT_SET",
           "MY_PKG__HTTPREQUEST__THE_CHOICE_A_B",
           "MY_PKG__HTTPREQUEST__THE_CHOICE_CAMEL_CASE",
           "_MY_PKG__HTTPREQUEST__THE_CHOICE__CASE_IS_INT_SIZE",
           "MyPkg__HTTPRequest__Inner",
           "my_pkg__httprequest__inner__descriptor",
           "MyPkg__HTTPRequest__Inner__InnerE",
           "_MyPkg__HTTPRequest__Inner__InnerE",
           "MY_PKG__HTTPREQUEST__INNER__INNER_E__FOO_BAR",
           "MY_PKG__HTTPREQUEST__INNER__INNER_E__bazQux",
           "_MY_PKG__HTTPREQUEST__INNER__INNER_E_IS_INT_SIZE",
           "my_pkg__httprequest__inner__inner_e__descriptor",
           "MyPkg__TopEnum",
           "MY_PKG__TOP_ENUM__topB",
           "my_pkg__top_enum__descriptor",
           "MyPkg__HTTPService_Service",
           "MyPkg__HTTPService_ServiceDestroy",
           "my_pkg__httpservice__init",
           "my_pkg__httpservice__descriptor",
           "my_pkg__httpservice__method_indices_by_name",
           "MY_PKG__HTTPSERVICE__BASE_INIT",
           "MY_PKG__HTTPSERVICE__INIT",
           "my_pkg__httpservice__get_v2_stats",
           // From the imported file, whose header main.pb-c.h includes.
           "Dep__Shared",
           "dep__shared__descriptor",
           "dep__shared__label__default_value",
       }) {
    ck_assert_msg(ProtobufCEmits(file, name), "protobuf-c emits %s", name);
  }
  // The synthetic oneof of a proto3 optional field gets no C names.
  ck_assert(!ProtobufCEmits(file, "MyPkg__HTTPRequest__MaybeCase"));
  ck_assert(!ProtobufCEmits(file, "my_pkg__httprequest__get_v2_stats"));
}
END_TEST

}  // namespace

Suite* NamesSuite() {
  Suite* suite = suite_create("names");
  TCase* protobuf_c = tcase_create("protobuf_c_rules");
  tcase_add_test(protobuf_c, camel_to_lower_matches_protobuf_c);
  tcase_add_test(protobuf_c, camel_to_upper_matches_protobuf_c);
  tcase_add_test(protobuf_c, to_camel_matches_protobuf_c);
  tcase_add_test(protobuf_c, full_names_with_and_without_package);
  tcase_add_test(protobuf_c, full_names_of_nested_packages_and_messages);
  tcase_add_test(protobuf_c, c_package_replaces_the_package);
  tcase_add_test(protobuf_c, c_package_is_read_from_unknown_file_options);
  tcase_add_test(protobuf_c, file_names_and_include_guard);
  tcase_add_test(protobuf_c, protobuf_c_names_of_a_file);
  suite_add_tcase(suite, protobuf_c);

  TCase* ours = tcase_create("generated_names");
  tcase_add_test(ours, method_path_ignores_c_package);
  tcase_add_test(ours, reserved_words_are_escaped);
  tcase_add_test(ours, assert_perror_is_escaped);
  tcase_add_test(ours, generated_name_shapes);
  tcase_add_test(ours, file_descriptor_names_escape_every_other_byte);
  suite_add_tcase(suite, ours);

  TCase* collisions = tcase_create("collisions");
  tcase_add_test(collisions,
                 name_table_reports_only_clashes_with_generated_names);
  tcase_add_test(collisions, name_table_names_the_file_of_imported_elements);
  suite_add_tcase(suite, collisions);
  return suite;
}
