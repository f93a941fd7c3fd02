// The plugin's parameter string.
#include "options.h"

#include "test_util.h"

namespace {

using grpc_c::plugin::Options;
using grpc_c::plugin::ParseOptions;

START_TEST(no_options) {
  Options options;
  std::string error;
  ck_assert(ParseOptions("", &options, &error));
  ck_assert(!options.skeleton);
  ck_assert(options.reflection);
}
END_TEST

START_TEST(skeleton) {
  Options options;
  std::string error;
  ck_assert(ParseOptions("skeleton", &options, &error));
  ck_assert(options.skeleton);
  ck_assert(ParseOptions("skeleton,skeleton", &options, &error));
  ck_assert(options.skeleton);
}
END_TEST

START_TEST(unknown_option_is_named) {
  Options options;
  std::string error;
  ck_assert(!ParseOptions("skeletons", &options, &error));
  ck_assert_string_eq(error,
                      "unknown option 'skeletons' (known options: skeleton, "
                      "reflection=on|off)");
  ck_assert(!ParseOptions("skeleton,dllexport_decl=X", &options, &error));
  ck_assert_contains(error, "unknown option 'dllexport_decl=X'");
  // Options are exact: no trimming, no case folding.
  ck_assert(!ParseOptions(" skeleton", &options, &error));
  ck_assert_contains(error, "unknown option ' skeleton'");
  ck_assert(!ParseOptions("Skeleton", &options, &error));
  ck_assert_contains(error, "unknown option 'Skeleton'");
}
END_TEST

START_TEST(flag_with_value_is_an_error) {
  Options options;
  std::string error;
  ck_assert(!ParseOptions("skeleton=1", &options, &error));
  ck_assert_string_eq(error,
                      "option 'skeleton' takes no value, got "
                      "'skeleton=1'");
  ck_assert(!ParseOptions("skeleton=", &options, &error));
  ck_assert_contains(error, "got 'skeleton='");
}
END_TEST

START_TEST(reflection_on_and_off) {
  Options options;
  std::string error;
  ck_assert(ParseOptions("reflection=off", &options, &error));
  ck_assert(!options.reflection);
  ck_assert(ParseOptions("reflection=on", &options, &error));
  ck_assert(options.reflection);
  // The last value wins; other options are independent.
  ck_assert(
      ParseOptions("reflection=on,skeleton,reflection=off", &options, &error));
  ck_assert(!options.reflection);
  ck_assert(options.skeleton);
}
END_TEST

START_TEST(reflection_takes_on_or_off) {
  Options options;
  std::string error;
  ck_assert(!ParseOptions("reflection", &options, &error));
  ck_assert_string_eq(error,
                      "option 'reflection' takes 'on' or 'off', got "
                      "'reflection'");
  for (const char* parameter :
       {"reflection=", "reflection=ON", "reflection=1", "reflection=false",
        "reflection=off ", "reflection=on=off"}) {
    ck_assert_msg(!ParseOptions(parameter, &options, &error), "%s accepted",
                  parameter);
    ck_assert_contains(error, "option 'reflection' takes 'on' or 'off', got '" +
                                  std::string(parameter) + "'");
  }
}
END_TEST

START_TEST(empty_items_are_errors) {
  Options options;
  std::string error;
  for (const char* parameter :
       {",", "skeleton,", ",skeleton", "skeleton,,skeleton"}) {
    ck_assert_msg(!ParseOptions(parameter, &options, &error), "%s accepted",
                  parameter);
    ck_assert_contains(error, "empty option in '" + std::string(parameter));
  }
}
END_TEST

}  // namespace

Suite* OptionsSuite() {
  Suite* suite = suite_create("options");
  TCase* parse = tcase_create("parse");
  tcase_add_test(parse, no_options);
  tcase_add_test(parse, skeleton);
  tcase_add_test(parse, unknown_option_is_named);
  tcase_add_test(parse, flag_with_value_is_an_error);
  tcase_add_test(parse, reflection_on_and_off);
  tcase_add_test(parse, reflection_takes_on_or_off);
  tcase_add_test(parse, empty_items_are_errors);
  suite_add_tcase(suite, parse);
  return suite;
}
