// Template filling and the text helpers of the renderer.
#include "render.h"

#include "proto_fixture.h"
#include "test_util.h"

namespace {

using grpc_c::plugin::BuildFileModel;
using grpc_c::plugin::CommentSafe;
using grpc_c::plugin::CStringContents;
using grpc_c::plugin::DocCommentLines;
using grpc_c::plugin::FillTemplate;
using grpc_c::plugin::Options;
using grpc_c::plugin::OutputFile;
using grpc_c::plugin::RenderFile;
using grpc_c::plugin::TemplateVars;
using grpc_c::plugin::testing::ProtoFixture;

START_TEST(fill_template_substitutes) {
  std::string out = "before;";
  std::string error;
  ck_assert(FillTemplate("t", "a $x$ b $y$$x$.", {{"x", "1"}, {"y", "2"}}, &out,
                         &error));
  ck_assert_string_eq(out, "before;a 1 b 21.");
}
END_TEST

START_TEST(fill_template_rejects_unknown_variables) {
  std::string out;
  std::string error;
  ck_assert(
      !FillTemplate("header_x", "a $missing$", TemplateVars(), &out, &error));
  ck_assert_string_eq(error,
                      "internal error: template header_x uses $missing$, "
                      "which is not set here");
  ck_assert(!FillTemplate("t", "a $open", TemplateVars(), &out, &error));
  ck_assert_contains(error, "unpaired '$'");
}
END_TEST

START_TEST(comment_safe_breaks_comment_markers) {
  ck_assert_string_eq(CommentSafe("a */ b"), "a * / b");
  ck_assert_string_eq(CommentSafe("a /* b"), "a / * b");
  ck_assert_string_eq(CommentSafe("*/*/"), "* / * /");
  ck_assert_string_eq(CommentSafe("/*/"), "/ * /");
  ck_assert_string_eq(CommentSafe("why?\?/"), "why? ?/");
  ck_assert_string_eq(CommentSafe("???"), "? ? ?");
  ck_assert_string_eq(CommentSafe("C:\\dir\\"), "C:\\dir\\.");
  ck_assert_string_eq(CommentSafe("spaces \\  \t"), "spaces \\.");
  ck_assert_string_eq(CommentSafe("ctrl\x01"
                                  "char"),
                      "ctrl char");
  ck_assert_string_eq(CommentSafe("plain"), "plain");
}
END_TEST

START_TEST(doc_comment_lines) {
  ck_assert_string_eq(DocCommentLines("", " *"), "");
  ck_assert_string_eq(DocCommentLines("\n  \n", " *"), "");
  ck_assert_string_eq(DocCommentLines(" One.\n", " *"), " *\n * One.\n");
  ck_assert_string_eq(DocCommentLines("\n One.\n\n Two */\n\n", "   *"),
                      "   *\n   * One.\n   *\n   * Two * /\n");
  // A space always follows the '*', so "/" cannot close the comment.
  ck_assert_string_eq(DocCommentLines("/ path", " *"), " *\n * / path\n");
  ck_assert_string_eq(DocCommentLines("*/ x", " *"), " *\n * * / x\n");
  ck_assert_string_eq(DocCommentLines(" crlf\r\n next\r\n", " *"),
                      " *\n * crlf\n * next\n");
}
END_TEST

START_TEST(c_string_contents) {
  ck_assert_string_eq(CStringContents("dir/a.grpc-c.h"), "dir/a.grpc-c.h");
  ck_assert_string_eq(CStringContents("a\"b\\c"), "a\\\"b\\\\c");
  ck_assert_string_eq(CStringContents("?\?/"), "\\?\\?/");
  ck_assert_string_eq(CStringContents("\n\xc3"), "\\012\\303");
}
END_TEST

START_TEST(render_file_without_services) {
  ProtoFixture protos;
  const auto* file = protos.Add("dir/types.proto", R"(
      syntax = "proto3";
      package types;
      message M {}
  )");
  ck_assert(file != nullptr);
  Options options;
  options.skeleton = true;
  std::vector<OutputFile> files;
  std::string error;
  ck_assert_msg(RenderFile(BuildFileModel(file, options), &files, &error), "%s",
                error.c_str());
  ck_assert_int_eq(files.size(), 3);
  ck_assert_string_eq(files[0].name, "dir/types.grpc-c.h");
  ck_assert_string_eq(files[1].name, "dir/types.grpc-c.c");
  ck_assert_string_eq(files[2].name, "dir/types.grpc-c.skel.c");
  ck_assert_contains(files[0].content,
                     "#ifndef GRPC_C_dir_2ftypes_2eproto__INCLUDED");
  ck_assert_contains(files[0].content, "#include \"dir/types.pb-c.h\"");
  ck_assert_contains(files[0].content, "extern \"C\" {");
  ck_assert_contains(files[0].content, "declares no services");
  ck_assert_contains(files[1].content, "#include \"dir/types.grpc-c.h\"");
  ck_assert_contains(files[2].content, "int main(void)");
  for (const OutputFile& output : files) {
    // Exactly one newline at the end, no trailing whitespace anywhere.
    ck_assert(output.content.size() >= 2);
    ck_assert(output.content.back() == '\n');
    ck_assert(output.content[output.content.size() - 2] != '\n');
    ck_assert_msg(output.content.find(" \n") == std::string::npos,
                  "trailing space in %s", output.name.c_str());
  }
}
END_TEST

START_TEST(render_header_carries_abi_check_and_comments) {
  ProtoFixture protos;
  const auto* file = protos.Add("c.proto", R"(
      syntax = "proto3";
      package c;
      message M {}
      // Service */ comment \
      service S {
        // Method ??/
        rpc Run (M) returns (M);
      }
  )");
  ck_assert_msg(file != nullptr, "%s", protos.error().c_str());
  std::vector<OutputFile> files;
  std::string error;
  ck_assert(RenderFile(BuildFileModel(file, Options()), &files, &error));
  ck_assert_int_eq(files.size(), 2);
  const std::string& header = files[0].content;
  // The ABI version comes from runtime/include/grpc-c/version.h.
  std::string abi = std::to_string(GRPC_C_PLUGIN_ABI_VERSION);
  ck_assert_contains(header,
                     "#if !defined(GRPC_C_ABI_VERSION) || "
                     "GRPC_C_ABI_VERSION != " +
                         abi +
                         "\n"
                         "#error \"c.grpc-c.h was generated for grpc-c ABI " +
                         abi +
                         "; regenerate it or use a matching libgrpc-c\"\n"
                         "#endif");
  ck_assert_contains(header, " * Service * / comment \\.\n");
  ck_assert_contains(header, " * Method ? ?/\n");
  ck_assert_contains(header, "#include <grpc-c/grpc-c.h>");
  ck_assert_contains(files[1].content,
                     "const grpc_c_method c__s__run__method = {\n"
                     "    \"/c.S/Run\",\n"
                     "    GRPC_C_METHOD_UNARY,\n"
                     "    &c__m__descriptor,\n"
                     "    &c__m__descriptor,\n"
                     "    c__s__run__invoke};");
}
END_TEST

}  // namespace

Suite* RenderSuite() {
  Suite* suite = suite_create("render");
  TCase* text = tcase_create("text");
  tcase_add_test(text, fill_template_substitutes);
  tcase_add_test(text, fill_template_rejects_unknown_variables);
  tcase_add_test(text, comment_safe_breaks_comment_markers);
  tcase_add_test(text, doc_comment_lines);
  tcase_add_test(text, c_string_contents);
  suite_add_tcase(suite, text);

  TCase* files = tcase_create("files");
  tcase_add_test(files, render_file_without_services);
  tcase_add_test(files, render_header_carries_abi_check_and_comments);
  suite_add_tcase(suite, files);
  return suite;
}
