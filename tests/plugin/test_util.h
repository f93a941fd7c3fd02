// Small helpers over Check for the C++ plugin tests.
#ifndef GRPC_C_TESTS_PLUGIN_TEST_UTIL_H
#define GRPC_C_TESTS_PLUGIN_TEST_UTIL_H

#include <check.h>

#include <string>

// Compares a std::string with an expected C string. The copy outlives the
// comparison (Check keeps the pointer it is given in a local).
#define ck_assert_string_eq(actual, expected)              \
  do {                                                     \
    const std::string ck_actual_string_(actual);           \
    ck_assert_str_eq(ck_actual_string_.c_str(), expected); \
  } while (0)

// Asserts that `haystack` contains `needle`, printing both when not.
#define ck_assert_contains(haystack, needle)                          \
  do {                                                                \
    const std::string ck_haystack_(haystack);                         \
    const std::string ck_needle_(needle);                             \
    ck_assert_msg(ck_haystack_.find(ck_needle_) != std::string::npos, \
                  "expected \"%s\" in \"%s\"", ck_needle_.c_str(),    \
                  ck_haystack_.c_str());                              \
  } while (0)

Suite* NamesSuite();
Suite* OptionsSuite();
Suite* ModelSuite();
Suite* RenderSuite();

#endif  // GRPC_C_TESTS_PLUGIN_TEST_UTIL_H
