/* The runtime's one-time set-up of the core, seen through its log: the
 * abseil deadlock detector is turned off at the first core reference, or
 * left alone with GRPC_C_CORE_DEADLOCK_CHECKS=1 (ctest runs both). */
#include <check.h>
#include <grpc-c/grpc-c.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t lines_mu = PTHREAD_MUTEX_INITIALIZER;
static int turned_off, mentioned;

static void capture(grpc_c_log_level level, const char *message,
                    void *user_data) {
  (void)level;
  (void)user_data;
  pthread_mutex_lock(&lines_mu);
  if (strstr(message, "abseil deadlock detection")) mentioned++;
  if (strstr(message, "abseil deadlock detection turned off")) turned_off++;
  pthread_mutex_unlock(&lines_mu);
}

START_TEST(first_core_reference_sets_up_the_deadlock_detector) {
  const char *keep = getenv("GRPC_C_CORE_DEADLOCK_CHECKS");
  bool kept = keep && strcmp(keep, "1") == 0;
  grpc_c_set_log(capture, GRPC_C_LOG_DEBUG, NULL);
  grpc_c_server *server;
  ck_assert_int_eq(grpc_c_server_create(&server, NULL), 0);
  grpc_c_server_destroy(server);
  grpc_c_server *again;
  ck_assert_int_eq(grpc_c_server_create(&again, NULL), 0);
  grpc_c_server_destroy(again);
  grpc_c_set_log(NULL, GRPC_C_LOG_WARNING, NULL);
  pthread_mutex_lock(&lines_mu);
  if (kept) {
    ck_assert_int_eq(mentioned, 0);
  } else {
    /* Debian's abseil exports the entry point: it must be found, once. */
    ck_assert_int_eq(turned_off, 1);
  }
  pthread_mutex_unlock(&lines_mu);
}
END_TEST

int main(void) {
  Suite *s = suite_create("core_setup");
  TCase *tc = tcase_create("core_setup");
  tcase_add_test(tc, first_core_reference_sets_up_the_deadlock_detector);
  suite_add_tcase(s, tc);
  SRunner *runner = srunner_create(s);
  srunner_run_all(runner, CK_NORMAL);
  int failed = srunner_ntests_failed(runner);
  srunner_free(runner);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
