// The model: derived names per method kind, escaping, imports, collisions
// found on whole files.
#include "model.h"

#include "proto_fixture.h"
#include "test_util.h"

namespace {

using grpc_c::plugin::AddGeneratedNames;
using grpc_c::plugin::BuildFileModel;
using grpc_c::plugin::FileModel;
using grpc_c::plugin::MethodKind;
using grpc_c::plugin::MethodModel;
using grpc_c::plugin::Options;
using grpc_c::plugin::testing::ProtoFixture;
namespace names = grpc_c::plugin::names;

const char kHelloworld[] = R"(
    syntax = "proto3";
    package helloworld;
    message HelloRequest { string name = 1; }
    message HelloReply { string message = 1; }
    // The greeter.
    service Greeter {
      // Says hello.
      rpc SayHello (HelloRequest) returns (HelloReply);
      rpc LotsOfReplies (HelloRequest) returns (stream HelloReply);
      rpc LotsOfGreetings (stream HelloRequest) returns (HelloReply);
      rpc BidiHello (stream HelloRequest) returns (stream HelloReply);
    }
)";

// All collisions of `file` as the generator would report them.
std::vector<std::string> Collisions(
    const google::protobuf::FileDescriptor* file,
    const Options& options = Options()) {
  names::NameTable table(file->name());
  names::AddProtobufCNames(file, &table);
  AddGeneratedNames(BuildFileModel(file, options), &table);
  return table.collisions();
}

START_TEST(helloworld_names_match_the_docs) {
  ProtoFixture protos;
  const auto* file = protos.Add("helloworld.proto", kHelloworld);
  ck_assert_msg(file != nullptr, "%s", protos.error().c_str());
  FileModel model = BuildFileModel(file, Options());

  ck_assert_string_eq(model.header_file, "helloworld.grpc-c.h");
  ck_assert_string_eq(model.source_file, "helloworld.grpc-c.c");
  ck_assert(model.skeleton_file.empty());
  ck_assert_string_eq(model.pbc_header, "helloworld.pb-c.h");
  ck_assert(model.imported_pbc_headers.empty());
  ck_assert_int_eq(model.services.size(), 1);

  const auto& service = model.services[0];
  ck_assert_string_eq(service.comment, " The greeter.\n");
  ck_assert_string_eq(service.servicer_type, "Helloworld__Greeter_Servicer");
  ck_assert_string_eq(service.service_var,
                      "helloworld__greeter__servicer__service");
  ck_assert_string_eq(service.register_fn,
                      "helloworld__greeter__servicer__register");
  ck_assert(service.skeleton_table.empty());
  ck_assert_int_eq(service.methods.size(), 4);

  const MethodModel& unary = service.methods[0];
  ck_assert(unary.kind == MethodKind::kUnary);
  ck_assert_string_eq(unary.path, "/helloworld.Greeter/SayHello");
  ck_assert_string_eq(unary.comment, " Says hello.\n");
  ck_assert_string_eq(unary.servicer_field, "say_hello");
  ck_assert_string_eq(unary.method_var,
                      "helloworld__greeter__say_hello__method");
  ck_assert_string_eq(unary.call_fn, "helloworld__greeter__say_hello__call");
  ck_assert_string_eq(unary.call_async_fn,
                      "helloworld__greeter__say_hello__call_async");
  ck_assert_string_eq(unary.callback_type,
                      "Helloworld__Greeter__SayHello_Callback");
  ck_assert_string_eq(unary.request.c_type, "Helloworld__HelloRequest");
  ck_assert_string_eq(unary.request.descriptor,
                      "helloworld__hello_request__descriptor");
  ck_assert_string_eq(unary.response.free_fn,
                      "helloworld__hello_reply__free_unpacked");
  ck_assert(unary.stream_type.empty() && unary.start_fn.empty());
  ck_assert(unary.server_stream_type.empty());

  const MethodModel& server_streaming = service.methods[1];
  ck_assert(server_streaming.kind == MethodKind::kServerStreaming);
  ck_assert_string_eq(server_streaming.stream_type,
                      "Helloworld__Greeter__LotsOfReplies_Stream");
  ck_assert_string_eq(server_streaming.read_fn,
                      "helloworld__greeter__lots_of_replies__read");
  ck_assert_string_eq(server_streaming.server_write_fn,
                      "helloworld__greeter__lots_of_replies__server_write");
  ck_assert(server_streaming.write_fn.empty());
  ck_assert(server_streaming.writes_done_fn.empty());
  ck_assert(server_streaming.server_read_fn.empty());
  ck_assert(server_streaming.call_fn.empty());

  const MethodModel& client_streaming = service.methods[2];
  ck_assert(client_streaming.kind == MethodKind::kClientStreaming);
  ck_assert_string_eq(client_streaming.write_fn,
                      "helloworld__greeter__lots_of_greetings__write");
  ck_assert_string_eq(client_streaming.server_read_fn,
                      "helloworld__greeter__lots_of_greetings__server_read");
  ck_assert(client_streaming.read_fn.empty());
  ck_assert(client_streaming.writes_done_fn.empty());
  ck_assert(client_streaming.server_write_fn.empty());

  const MethodModel& bidi = service.methods[3];
  ck_assert(bidi.kind == MethodKind::kBidiStreaming);
  ck_assert_string_eq(bidi.writes_done_fn,
                      "helloworld__greeter__bidi_hello__writes_done");
  ck_assert_string_eq(bidi.server_stream_type,
                      "Helloworld__Greeter__BidiHello_ServerStream");
  ck_assert(!bidi.read_fn.empty() && !bidi.write_fn.empty());
  ck_assert(!bidi.server_read_fn.empty() && !bidi.server_write_fn.empty());

  ck_assert(Collisions(file).empty());
}
END_TEST

START_TEST(skeleton_option_adds_skeleton_names) {
  ProtoFixture protos;
  const auto* file = protos.Add("dir/helloworld.proto", kHelloworld);
  ck_assert(file != nullptr);
  Options options;
  options.skeleton = true;
  FileModel model = BuildFileModel(file, options);
  ck_assert_string_eq(model.skeleton_file, "dir/helloworld.grpc-c.skel.c");
  ck_assert_string_eq(model.services[0].skeleton_table,
                      "helloworld__greeter__servicer__impl");
  ck_assert_string_eq(model.services[0].methods[0].handler_fn,
                      "helloworld__greeter__say_hello__handler");
}
END_TEST

START_TEST(keyword_methods_get_escaped_servicer_fields) {
  ProtoFixture protos;
  const auto* file = protos.Add("k.proto", R"(
      syntax = "proto3";
      package k;
      message M {}
      service S {
        rpc Return (M) returns (M);
        rpc New (M) returns (M);
        rpc Linux (M) returns (M);
        rpc Errno (M) returns (M);
        rpc Start (M) returns (M);
      }
  )");
  ck_assert(file != nullptr);
  FileModel model = BuildFileModel(file, Options());
  const auto& methods = model.services[0].methods;
  ck_assert_string_eq(methods[0].servicer_field, "return_");
  ck_assert_string_eq(methods[1].servicer_field, "new_");
  ck_assert_string_eq(methods[2].servicer_field, "linux_");
  ck_assert_string_eq(methods[3].servicer_field, "errno_");
  ck_assert_string_eq(methods[4].servicer_field, "start");
  // Function names are scoped and need no escaping.
  ck_assert_string_eq(methods[0].call_fn, "k__s__return__call");
  ck_assert(Collisions(file).empty());
}
END_TEST

START_TEST(runtime_verbs_do_not_collide) {
  ProtoFixture protos;
  const auto* file = protos.Add("verbs.proto", R"(
      syntax = "proto3";
      package verbs;
      message M {}
      service Server {
        rpc Start (M) returns (M);
        rpc Serve (M) returns (stream M);
        rpc Bind (stream M) returns (M);
        rpc New (stream M) returns (stream M);
        rpc Destroy (M) returns (M);
        rpc Call (M) returns (M);
        rpc CallAsync (stream M) returns (stream M);
        rpc Register (M) returns (M);
        rpc Servicer (stream M) returns (stream M);
        rpc Service (M) returns (M);
        rpc Method (stream M) returns (stream M);
        rpc Methods (M) returns (M);
        rpc Impl (M) returns (M);
        rpc Handler (stream M) returns (stream M);
        rpc Invoke (M) returns (M);
        rpc Thunk (stream M) returns (stream M);
        rpc Reactor (stream M) returns (stream M);
        rpc ServerReact (stream M) returns (M);
        rpc ReactorThunks (M) returns (stream M);
        rpc OnReadThunk (stream M) returns (stream M);
        rpc OnDone (stream M) returns (stream M);
      }
  )");
  ck_assert(file != nullptr);
  Options options;
  options.skeleton = true;
  std::vector<std::string> collisions = Collisions(file, options);
  ck_assert_msg(collisions.empty(), "%s",
                collisions.empty() ? "" : collisions[0].c_str());
}
END_TEST

START_TEST(collision_with_protobuf_c_method_caller) {
  ProtoFixture protos;
  const auto* file = protos.Add("helloworld.proto", R"(
      syntax = "proto3";
      package helloworld;
      message M {}
      service X {
        rpc Y (stream M) returns (M);
        rpc Y_Start (M) returns (M);
      }
  )");
  ck_assert(file != nullptr);
  std::vector<std::string> collisions = Collisions(file);
  ck_assert_int_eq(collisions.size(), 1);
  ck_assert_string_eq(collisions[0],
                      "helloworld.proto: generated name "
                      "'helloworld__x__y__start' of method helloworld.X.Y "
                      "collides with the name protobuf-c emits for method "
                      "helloworld.X.Y_Start");
}
END_TEST

START_TEST(collision_with_service_function) {
  ProtoFixture protos;
  const auto* file = protos.Add("r.proto", R"(
      syntax = "proto3";
      package r;
      message M {}
      service S { rpc Servicer_Register (M) returns (M); }
  )");
  ck_assert(file != nullptr);
  std::vector<std::string> collisions = Collisions(file);
  ck_assert_int_eq(collisions.size(), 1);
  ck_assert_string_eq(collisions[0],
                      "r.proto: generated name 'r__s__servicer__register' of "
                      "service r.S collides with the name protobuf-c emits "
                      "for method r.S.Servicer_Register");
}
END_TEST

START_TEST(collision_between_two_services) {
  ProtoFixture protos;
  const auto* file = protos.Add("two.proto", R"(
      syntax = "proto3";
      package two;
      message M {}
      service A { rpc B_C (M) returns (M); }
      service A_B { rpc C (M) returns (M); }
  )");
  ck_assert(file != nullptr);
  std::vector<std::string> collisions = Collisions(file);
  ck_assert(!collisions.empty());
  ck_assert_contains(collisions[0],
                     "generated name 'two__a__b__c__method' of method "
                     "two.A_B.C collides with the generated name of method "
                     "two.A.B_C");
}
END_TEST

START_TEST(collision_between_escaped_fields) {
  ProtoFixture protos;
  const auto* file = protos.Add("f.proto", R"(
      syntax = "proto3";
      package f;
      message M {}
      service S {
        rpc Return (M) returns (M);
        rpc Return_ (M) returns (M);
      }
  )");
  ck_assert(file != nullptr);
  std::vector<std::string> collisions = Collisions(file);
  ck_assert_int_eq(collisions.size(), 1);
  ck_assert_string_eq(collisions[0],
                      "f.proto: generated name 'return_' (member of struct "
                      "F__S_Servicer) of method f.S.Return_ collides with the "
                      "generated name of method f.S.Return");
}
END_TEST

START_TEST(messages_of_other_files_use_their_naming_and_header) {
  ProtoFixture protos;
  const auto* store = protos.AddWithCPackage("shop/store.proto", R"(
      syntax = "proto3";
      package store.v1;
      message Item {}
  )",
                                             "shop.c_store");
  ck_assert_msg(store != nullptr, "%s", protos.error().c_str());
  const auto* file = protos.Add("api/mirror.proto", R"(
      syntax = "proto3";
      package cross;
      import "shop/store.proto";
      message Local {}
      service Mirror {
        rpc Reflect (store.v1.Item) returns (Local);
        rpc Again (Local) returns (store.v1.Item);
      }
  )");
  ck_assert_msg(file != nullptr, "%s", protos.error().c_str());
  FileModel model = BuildFileModel(file, Options());
  ck_assert_int_eq(model.imported_pbc_headers.size(), 1);
  ck_assert_string_eq(model.imported_pbc_headers[0], "shop/store.pb-c.h");
  const MethodModel& reflect = model.services[0].methods[0];
  ck_assert_string_eq(reflect.request.c_type, "Shop__CStore__Item");
  ck_assert_string_eq(reflect.request.descriptor,
                      "shop__c_store__item__descriptor");
  ck_assert_string_eq(reflect.response.c_type, "Cross__Local");
  // The method path keeps the proto names.
  ck_assert_string_eq(reflect.path, "/cross.Mirror/Reflect");
}
END_TEST

START_TEST(c_package_renames_service_but_not_path) {
  ProtoFixture protos;
  const auto* file = protos.AddWithCPackage("store.proto", R"(
      syntax = "proto3";
      package store.v1;
      message Item {}
      service Store { rpc Check (Item) returns (Item); }
  )",
                                            "shop.c_store");
  ck_assert(file != nullptr);
  FileModel model = BuildFileModel(file, Options());
  const auto& service = model.services[0];
  ck_assert_string_eq(service.servicer_type, "Shop__CStore__Store_Servicer");
  ck_assert_string_eq(service.methods[0].call_fn,
                      "shop__c_store__store__check__call");
  ck_assert_string_eq(service.methods[0].path, "/store.v1.Store/Check");
}
END_TEST

START_TEST(file_descriptor_lists_symbols_extensions_and_imports) {
  ProtoFixture protos;
  ck_assert(protos.Add("google/protobuf/descriptor.proto",
                       google::protobuf::FileDescriptorProto::descriptor()
                           ->file()
                           ->DebugString()) != nullptr);
  ck_assert(protos.Add("dep/other.proto", R"(
    syntax = "proto3";
    package other;
    message Thing {}
  )") != nullptr);
  const auto* file = protos.Add("refl.proto", R"(
    syntax = "proto3";
    package p;
    import "google/protobuf/descriptor.proto";
    import "dep/other.proto";
    extend google.protobuf.FieldOptions { string unit = 50001; }
    enum Top { TOP_ZERO = 0; }
    message M {
      extend google.protobuf.FieldOptions { bool secret = 50002; }
      enum Inner { INNER_ZERO = 0; }
      message N { optional int32 n = 1; }
      oneof choice { string a = 1; other.Thing b = 2; }
    }
    service S { rpc Call (M) returns (M.N); }
  )");
  ck_assert_msg(file != nullptr, "%s", protos.error().c_str());

  FileModel model = BuildFileModel(file, Options());
  const auto& descriptor = model.descriptor;
  ck_assert_string_eq(descriptor.var, "grpc_c_file__refl_2eproto");
  ck_assert_string_eq(descriptor.package, "p");
  ck_assert_string_eq(descriptor.descriptor_array,
                      "grpc_c_file__refl_2eproto__descriptor");
  ck_assert(!descriptor.descriptor_bytes.empty());
  const std::vector<std::string> dependencies = {
      "grpc_c_file__google_2fprotobuf_2fdescriptor_2eproto",
      "grpc_c_file__dep_2fother_2eproto"};
  ck_assert(descriptor.dependencies == dependencies);
  const std::vector<std::string> expected = {
      "p.M",     "p.M.INNER_ZERO", "p.M.Inner",  "p.M.N",      "p.M.N._n",
      "p.M.N.n", "p.M.a",          "p.M.b",      "p.M.choice", "p.M.secret",
      "p.S",     "p.S.Call",       "p.TOP_ZERO", "p.Top",      "p.unit"};
  ck_assert_int_eq(descriptor.symbols.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    ck_assert_string_eq(descriptor.symbols[i], expected[i].c_str());
  }
  ck_assert_int_eq(descriptor.extensions.size(), 2);
  ck_assert_string_eq(descriptor.extensions[0].extendee,
                      "google.protobuf.FieldOptions");
  ck_assert_int_eq(descriptor.extensions[0].number, 50001);
  ck_assert_string_eq(descriptor.extensions[0].full_name, "p.unit");
  ck_assert_string_eq(descriptor.extensions[1].full_name, "p.M.secret");

  // reflection=off: the structure stays, with its imports only.
  Options off;
  off.reflection = false;
  FileModel bare = BuildFileModel(file, off);
  ck_assert_string_eq(bare.descriptor.var, "grpc_c_file__refl_2eproto");
  ck_assert(bare.descriptor.descriptor_array.empty());
  ck_assert(bare.descriptor.descriptor_bytes.empty());
  ck_assert(bare.descriptor.symbols.empty());
  ck_assert(bare.descriptor.symbols_array.empty());
  ck_assert(bare.descriptor.extensions.empty());
  ck_assert(bare.descriptor.extensions_array.empty());
  ck_assert(bare.descriptor.dependencies == dependencies);
}
END_TEST

START_TEST(file_without_package_or_contents) {
  ProtoFixture protos;
  const auto* file = protos.Add("dir/a-b.proto", R"(
    syntax = "proto3";
    message Bare { int32 x = 1; }
  )");
  ck_assert_msg(file != nullptr, "%s", protos.error().c_str());
  FileModel model = BuildFileModel(file, Options());
  ck_assert_string_eq(model.descriptor.var, "grpc_c_file__dir_2fa_2db_2eproto");
  ck_assert_string_eq(model.descriptor.package, "");
  ck_assert_int_eq(model.descriptor.symbols.size(), 2);
  ck_assert_string_eq(model.descriptor.symbols[0], "Bare");
  ck_assert_string_eq(model.descriptor.symbols[1], "Bare.x");
  // Empty lists have no arrays: ISO C has no empty arrays.
  ck_assert(model.descriptor.dependencies_array.empty());
  ck_assert(model.descriptor.extensions_array.empty());
}
END_TEST

// protobuf-c names a message grpc_c_file.X_2eproto's descriptor
// grpc_c_file__x_2eproto__descriptor, the name of x.proto's embedded bytes.
START_TEST(collision_with_file_descriptor_array) {
  ProtoFixture protos;
  const auto* file = protos.Add("x.proto", R"(
    syntax = "proto3";
    package grpc_c_file;
    message X_2eproto {}
  )");
  ck_assert_msg(file != nullptr, "%s", protos.error().c_str());
  std::vector<std::string> found = Collisions(file);
  ck_assert_int_eq(found.size(), 1);
  ck_assert_string_eq(found[0],
                      "x.proto: generated name "
                      "'grpc_c_file__x_2eproto__descriptor' of file x.proto "
                      "collides with the name protobuf-c emits for message "
                      "grpc_c_file.X_2eproto");
  // Without the embedded bytes there is no such array.
  Options off;
  off.reflection = false;
  ck_assert(Collisions(file, off).empty());
}
END_TEST

}  // namespace

Suite* ModelSuite() {
  Suite* suite = suite_create("model");
  TCase* names = tcase_create("names");
  tcase_add_test(names, helloworld_names_match_the_docs);
  tcase_add_test(names, skeleton_option_adds_skeleton_names);
  tcase_add_test(names, keyword_methods_get_escaped_servicer_fields);
  tcase_add_test(names, messages_of_other_files_use_their_naming_and_header);
  tcase_add_test(names, c_package_renames_service_but_not_path);
  tcase_add_test(names, file_descriptor_lists_symbols_extensions_and_imports);
  tcase_add_test(names, file_without_package_or_contents);
  suite_add_tcase(suite, names);

  TCase* collisions = tcase_create("collisions");
  tcase_add_test(collisions, runtime_verbs_do_not_collide);
  tcase_add_test(collisions, collision_with_protobuf_c_method_caller);
  tcase_add_test(collisions, collision_with_service_function);
  tcase_add_test(collisions, collision_between_two_services);
  tcase_add_test(collisions, collision_between_escaped_fields);
  tcase_add_test(collisions, collision_with_file_descriptor_array);
  suite_add_tcase(suite, collisions);
  return suite;
}
