// Unit tests of protoc-gen-grpc-c's modules. CK_RUN_SUITE=<name> runs one
// suite (ctest registers one test per suite).
#include <check.h>

#include <cstdlib>

#include "test_util.h"

int main() {
  SRunner* runner = srunner_create(NamesSuite());
  srunner_add_suite(runner, OptionsSuite());
  srunner_add_suite(runner, ModelSuite());
  srunner_add_suite(runner, RenderSuite());
  srunner_run_all(runner, CK_NORMAL);
  int failed = srunner_ntests_failed(runner);
  srunner_free(runner);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
