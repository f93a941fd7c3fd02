/* Unit tests of libgrpc-c functions that need no network. */
#include <check.h>
#include <grpc-c/grpc-c.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

START_TEST(code_names_cover_every_code) {
  ck_assert_str_eq(grpc_c_code_name(GRPC_C_OK), "OK");
  ck_assert_str_eq(grpc_c_code_name(GRPC_C_DEADLINE_EXCEEDED),
                   "DEADLINE_EXCEEDED");
  ck_assert_str_eq(grpc_c_code_name(GRPC_C_UNAUTHENTICATED), "UNAUTHENTICATED");
  ck_assert_str_eq(grpc_c_code_name((grpc_c_code)17), "UNKNOWN_CODE");
  ck_assert_str_eq(grpc_c_code_name((grpc_c_code)-1), "UNKNOWN_CODE");
  for (int c = 0; c <= 16; c++)
    ck_assert_str_ne(grpc_c_code_name((grpc_c_code)c), "UNKNOWN_CODE");
}
END_TEST

START_TEST(error_texts_and_names) {
  ck_assert_str_eq(grpc_c_strerror(0), "success");
  ck_assert_str_eq(grpc_c_strerror(GRPC_C_EINVAL), "invalid argument");
  ck_assert_str_eq(grpc_c_strerror(-999), "unknown error");
  ck_assert_str_eq(grpc_c_err_name(GRPC_C_ENOMEM), "GRPC_C_ENOMEM");
  ck_assert_str_eq(grpc_c_err_name(GRPC_C_ETLS), "GRPC_C_ETLS");
  ck_assert_str_eq(grpc_c_strerror(GRPC_C_EIO), "cannot read the file");
  ck_assert_str_eq(grpc_c_err_name(0), "GRPC_C_OK");
  ck_assert_str_eq(grpc_c_err_name(5), "GRPC_C_EUNKNOWN");
}
END_TEST

START_TEST(status_clear_is_idempotent) {
  grpc_c_status status = GRPC_C_STATUS_INIT;
  grpc_c_status_clear(&status);
  grpc_c_status_clear(NULL);
  status.code = GRPC_C_ABORTED;
  status.message = strdup("m");
  status.details = malloc(3);
  status.details_len = 3;
  grpc_c_status_clear(&status);
  ck_assert_int_eq(status.code, GRPC_C_OK);
  ck_assert_ptr_null(status.message);
  ck_assert_ptr_null(status.details);
  ck_assert_uint_eq(status.details_len, 0);
}
END_TEST

START_TEST(options_reject_bad_arguments) {
  ck_assert_int_eq(grpc_c_channel_options_new(NULL), GRPC_C_EINVAL);
  ck_assert_int_eq(grpc_c_call_options_new(NULL), GRPC_C_EINVAL);
  ck_assert_int_eq(grpc_c_server_options_new(NULL), GRPC_C_EINVAL);
  grpc_c_channel_options *ch;
  ck_assert_int_eq(grpc_c_channel_options_new(&ch), 0);
  ck_assert_int_eq(grpc_c_channel_options_set_max_receive_message_size(ch, -2),
                   GRPC_C_EINVAL);
  ck_assert_int_eq(grpc_c_channel_options_set_int(ch, "", 1), GRPC_C_EINVAL);
  ck_assert_int_eq(grpc_c_channel_options_set_string(ch, "k", NULL),
                   GRPC_C_EINVAL);
  ck_assert_int_eq(grpc_c_channel_options_set_int(ch, "grpc.x", 1), 0);
  ck_assert_int_eq(grpc_c_channel_options_set_int(ch, "grpc.x", 2), 0);
  grpc_c_channel_options_free(ch);
  grpc_c_channel_options_free(NULL);
  grpc_c_server_options *so;
  ck_assert_int_eq(grpc_c_server_options_new(&so), 0);
  ck_assert_int_eq(grpc_c_server_options_set_poller_threads(so, 0),
                   GRPC_C_EINVAL);
  ck_assert_int_eq(grpc_c_server_options_set_max_stream_workers(so, 0),
                   GRPC_C_EINVAL);
  ck_assert_int_eq(grpc_c_server_options_set_poller_threads(so, 2), 0);
  grpc_c_server_options_free(so);
  grpc_c_call_options *co;
  ck_assert_int_eq(grpc_c_call_options_new(&co), 0);
  ck_assert_int_eq(grpc_c_call_options_set_timeout_ms(co, -5), 0);
  ck_assert_int_eq(grpc_c_call_options_add_metadata(co, NULL, "v"),
                   GRPC_C_EINVAL);
  grpc_c_call_options_free(co);
  /* Reactors outside a handler: refused, and no table to read. */
  static const grpc_c_stream_reactor none = {0};
  static const int table = 1;
  ck_assert_int_eq(grpc_c_server_ctx_react(NULL, &none, NULL), GRPC_C_EINVAL);
  ck_assert_int_eq(
      grpc_c_server_ctx_react_with_table(NULL, &none, &table, NULL),
      GRPC_C_EINVAL);
  ck_assert_ptr_null(grpc_c_server_ctx_reactor_table(NULL));
}
END_TEST

START_TEST(port_from_env) {
  unsetenv("PORT");
  ck_assert_int_eq(grpc_c_port_from_env(8080), 8080);
  setenv("PORT", "9090", 1);
  ck_assert_int_eq(grpc_c_port_from_env(8080), 9090);
  setenv("PORT", "", 1);
  ck_assert_int_eq(grpc_c_port_from_env(8080), 8080);
  setenv("PORT", "70000", 1);
  ck_assert_int_eq(grpc_c_port_from_env(8080), 8080);
  setenv("PORT", "12ab", 1);
  ck_assert_int_eq(grpc_c_port_from_env(8080), 8080);
  unsetenv("PORT");
}
END_TEST

START_TEST(server_life_cycle_errors) {
  grpc_c_server *server;
  ck_assert_int_eq(grpc_c_server_create(NULL, NULL), GRPC_C_EINVAL);
  ck_assert_int_eq(grpc_c_server_create(&server, NULL), 0);
  /* No listener yet. */
  ck_assert_int_eq(grpc_c_server_start(server), GRPC_C_ESTATE);
  ck_assert_int_eq(grpc_c_server_add_listener(server, "not an address", NULL),
                   GRPC_C_EBIND);
  ck_assert_int_eq(grpc_c_server_add_listener(server, NULL, NULL),
                   GRPC_C_EINVAL);
  int port = 0;
  ck_assert_int_eq(grpc_c_server_add_listener(server, "127.0.0.1:0", &port), 0);
  ck_assert_int_gt(port, 0);
  ck_assert_int_eq(grpc_c_server_wait_for_signal(server, 0), GRPC_C_ESTATE);
  ck_assert_int_eq(grpc_c_server_start(server), 0);
  ck_assert_int_eq(grpc_c_server_start(server), GRPC_C_ESTATE);
  ck_assert_int_eq(grpc_c_server_add_listener(server, "127.0.0.1:0", NULL),
                   GRPC_C_ESTATE);
  ck_assert_int_eq(grpc_c_server_shutdown(server, 0), 0);
  ck_assert_int_eq(grpc_c_server_shutdown(server, 0), 0);
  grpc_c_server_destroy(server);
  grpc_c_server_destroy(NULL);
  /* Created and destroyed without ever starting. */
  ck_assert_int_eq(grpc_c_server_create(&server, NULL), 0);
  ck_assert_int_eq(grpc_c_server_add_listener(server, "127.0.0.1:0", NULL), 0);
  grpc_c_server_destroy(server);
}
END_TEST

START_TEST(channel_create_errors) {
  grpc_c_channel *channel;
  ck_assert_int_eq(grpc_c_channel_create(NULL, "x", NULL), GRPC_C_EINVAL);
  ck_assert_int_eq(grpc_c_channel_create(&channel, NULL, NULL), GRPC_C_EINVAL);
  ck_assert_ptr_null(channel);
  ck_assert_int_eq(grpc_c_channel_create(&channel, "127.0.0.1:1", NULL), 0);
  ck_assert_str_eq(grpc_c_channel_target(channel), "127.0.0.1:1");
  grpc_c_channel_destroy(channel);
  grpc_c_channel_destroy(NULL);
}
END_TEST

START_TEST(version_matches_header) {
  ck_assert_str_eq(grpc_c_version(), GRPC_C_VERSION_STRING);
}
END_TEST

static int run_suite(Suite *s) {
  SRunner *runner = srunner_create(s);
  srunner_run_all(runner, CK_NORMAL);
  int failed = srunner_ntests_failed(runner);
  srunner_free(runner);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* ---- one-time core set-up (`test_runtime core_setup`, a process of its
 * own: it happens once per process): abseil's deadlock detector is turned
 * off at the first core reference, or left alone with
 * GRPC_C_CORE_DEADLOCK_CHECKS=1 (ctest runs both). ---- */

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

int main(int argc, char **argv) {
  bool core_setup = argc > 1 && strcmp(argv[1], "core_setup") == 0;
  Suite *s = suite_create("runtime");
  TCase *tc = tcase_create(core_setup ? "core_setup" : "unit");
  if (core_setup) {
    tcase_add_test(tc, first_core_reference_sets_up_the_deadlock_detector);
    suite_add_tcase(s, tc);
    return run_suite(s);
  }
  tcase_add_test(tc, code_names_cover_every_code);
  tcase_add_test(tc, error_texts_and_names);
  tcase_add_test(tc, status_clear_is_idempotent);
  tcase_add_test(tc, options_reject_bad_arguments);
  tcase_add_test(tc, port_from_env);
  tcase_add_test(tc, server_life_cycle_errors);
  tcase_add_test(tc, channel_create_errors);
  tcase_add_test(tc, version_matches_header);
  suite_add_tcase(s, tc);
  return run_suite(s);
}
