/* The runtime's process-wide effects (grpc-c/process.h) and their opt-out.
 * They happen once per process, when the first channel, server or call
 * credentials is created, so every test runs in a process of its own: Check
 * forks one per test, and the forking runner never touches the core. */
#include <check.h>
#include <fcntl.h>
#include <grpc-c/grpc-c.h>
#include <grpc/support/log.h>
#include <grpc/support/sync.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A listener the core cannot bind: the core logs an error line of its own
 * that names the address. */
#define UNBINDABLE "unix:/proc/grpc-c-no-such-dir/probe.sock"

static pthread_mutex_t seen_mu = PTHREAD_MUTEX_INITIALIZER;
static int host_saw_probe, sink_saw_probe, sink_saw_left_as_built;

/* The host's own core log function, set before the runtime is used. */
static void host_core_log(gpr_log_func_args *args) {
  pthread_mutex_lock(&seen_mu);
  if (strstr(args->message, "probe.sock")) host_saw_probe++;
  pthread_mutex_unlock(&seen_mu);
}

static void grpc_c_sink(grpc_c_log_level level, const char *message,
                        void *user_data) {
  (void)level;
  (void)user_data;
  pthread_mutex_lock(&seen_mu);
  if (strstr(message, "core: ") && strstr(message, "probe.sock"))
    sink_saw_probe++;
  if (strstr(message, "abseil deadlock detection left as built"))
    sink_saw_left_as_built++;
  pthread_mutex_unlock(&seen_mu);
}

/* Creates a server (the runtime's first object in this process) and makes
 * the core log a line about a listener it cannot bind. */
static void make_the_core_log(void) {
  grpc_c_server *server;
  ck_assert_int_eq(grpc_c_server_create(&server, NULL), 0);
  ck_assert_int_eq(grpc_c_server_add_listener(server, UNBINDABLE, NULL),
                   GRPC_C_EBIND);
  grpc_c_server_destroy(server);
}

START_TEST(core_log_goes_to_the_grpc_c_sink_by_default) {
  gpr_set_log_function(host_core_log);
  grpc_c_set_log(grpc_c_sink, GRPC_C_LOG_DEBUG, NULL);
  make_the_core_log();
  pthread_mutex_lock(&seen_mu);
  ck_assert_int_eq(sink_saw_probe, 1);
  ck_assert_int_eq(host_saw_probe, 0);
  pthread_mutex_unlock(&seen_mu);
}
END_TEST

START_TEST(core_log_stays_with_the_host_when_opted_out) {
  gpr_set_log_function(host_core_log);
  grpc_c_set_log(grpc_c_sink, GRPC_C_LOG_DEBUG, NULL);
  ck_assert_int_eq(
      grpc_c_set_process_effects(GRPC_C_EFFECT_QUIET_DEADLOCK_DETECTOR), 0);
  make_the_core_log();
  pthread_mutex_lock(&seen_mu);
  ck_assert_int_eq(host_saw_probe, 1);
  ck_assert_int_eq(sink_saw_probe, 0);
  pthread_mutex_unlock(&seen_mu);
}
END_TEST

/* Takes two core mutexes (absl::Mutex underneath) in both orders: a
 * potential deadlock, on which abseil's detector, when on, aborts. */
static void invert_lock_order(void) {
  gpr_mu a, b;
  gpr_mu_init(&a);
  gpr_mu_init(&b);
  gpr_mu_lock(&a);
  gpr_mu_lock(&b);
  gpr_mu_unlock(&b);
  gpr_mu_unlock(&a);
  gpr_mu_lock(&b);
  gpr_mu_lock(&a);
  gpr_mu_unlock(&a);
  gpr_mu_unlock(&b);
  gpr_mu_destroy(&a);
  gpr_mu_destroy(&b);
}

/* abseil's report of the deadlock is expected noise. */
static void silence_stderr(void) {
  int null_fd = open("/dev/null", O_WRONLY);
  ck_assert_int_ge(null_fd, 0);
  dup2(null_fd, STDERR_FILENO);
  close(null_fd);
}

static void create_a_channel_and_invert(void) {
  grpc_c_channel *channel;
  ck_assert_int_eq(grpc_c_channel_create(&channel, "127.0.0.1:1", NULL), 0);
  invert_lock_order();
  grpc_c_channel_destroy(channel);
}

/* Without the runtime, Debian's abseil aborts on the inversion: the
 * detector is on as built, so the tests below see what the runtime does. */
START_TEST(deadlock_detector_is_on_as_built) {
  silence_stderr();
  invert_lock_order();
}
END_TEST

START_TEST(deadlock_detector_quiet_by_default) {
  unsetenv("GRPC_C_CORE_DEADLOCK_CHECKS");
  create_a_channel_and_invert();
}
END_TEST

START_TEST(deadlock_detector_kept_when_opted_out) {
  unsetenv("GRPC_C_CORE_DEADLOCK_CHECKS");
  grpc_c_set_log(grpc_c_sink, GRPC_C_LOG_DEBUG, NULL);
  ck_assert_int_eq(grpc_c_set_process_effects(GRPC_C_EFFECT_CORE_LOG), 0);
  grpc_c_channel *channel;
  ck_assert_int_eq(grpc_c_channel_create(&channel, "127.0.0.1:1", NULL), 0);
  pthread_mutex_lock(&seen_mu);
  ck_assert_int_eq(sink_saw_left_as_built, 1);
  pthread_mutex_unlock(&seen_mu);
  silence_stderr();
  invert_lock_order();
  grpc_c_channel_destroy(channel);
}
END_TEST

START_TEST(deadlock_checks_variable_still_keeps_the_detector) {
  setenv("GRPC_C_CORE_DEADLOCK_CHECKS", "1", 1);
  silence_stderr();
  create_a_channel_and_invert();
}
END_TEST

/* The first channel, server or call credentials fixes the effects. */
typedef struct first_object {
  grpc_c_channel *channel;
  grpc_c_server *server;
  grpc_c_call_credentials *creds;
} first_object;

static void create_first_object(int kind, first_object *o) {
  memset(o, 0, sizeof *o);
  if (kind == 0)
    ck_assert_int_eq(grpc_c_channel_create(&o->channel, "127.0.0.1:1", NULL),
                     0);
  else if (kind == 1)
    ck_assert_int_eq(grpc_c_server_create(&o->server, NULL), 0);
  else
    ck_assert_int_eq(grpc_c_call_credentials_bearer(&o->creds, "token"), 0);
}

static void destroy_first_object(first_object *o) {
  grpc_c_channel_destroy(o->channel);
  grpc_c_server_destroy(o->server);
  grpc_c_call_credentials_free(o->creds);
}

START_TEST(effects_are_fixed_by_the_first_runtime_object) {
  /* Before: any known set, the last one wins; unknown bits are refused. */
  ck_assert_int_eq(grpc_c_set_process_effects(0), 0);
  ck_assert_int_eq(grpc_c_set_process_effects(GRPC_C_EFFECTS_DEFAULT), 0);
  ck_assert_int_eq(grpc_c_set_process_effects(1u << 7), GRPC_C_EINVAL);
  /* Options objects do not touch the core. */
  grpc_c_channel_options *opts;
  ck_assert_int_eq(grpc_c_channel_options_new(&opts), 0);
  grpc_c_channel_options_free(opts);
  ck_assert_int_eq(grpc_c_set_process_effects(GRPC_C_EFFECTS_DEFAULT), 0);

  first_object object;
  create_first_object(_i, &object);
  ck_assert_int_eq(grpc_c_set_process_effects(0), GRPC_C_ESTATE);
  ck_assert_int_eq(grpc_c_set_process_effects(GRPC_C_EFFECTS_DEFAULT),
                   GRPC_C_ESTATE);
  destroy_first_object(&object);
  /* Still fixed once the last object is gone. */
  ck_assert_int_eq(grpc_c_set_process_effects(0), GRPC_C_ESTATE);
}
END_TEST

int main(void) {
  Suite *s = suite_create("process_effects");
  TCase *tc = tcase_create("process_effects");
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, core_log_goes_to_the_grpc_c_sink_by_default);
  tcase_add_test(tc, core_log_stays_with_the_host_when_opted_out);
  tcase_add_test_raise_signal(tc, deadlock_detector_is_on_as_built, SIGABRT);
  tcase_add_test(tc, deadlock_detector_quiet_by_default);
  tcase_add_test_raise_signal(tc, deadlock_detector_kept_when_opted_out,
                              SIGABRT);
  tcase_add_test_raise_signal(
      tc, deadlock_checks_variable_still_keeps_the_detector, SIGABRT);
  tcase_add_loop_test(tc, effects_are_fixed_by_the_first_runtime_object, 0, 3);
  suite_add_tcase(s, tc);
  SRunner *runner = srunner_create(s);
  /* One process per test, whatever CK_FORK says. */
  srunner_set_fork_status(runner, CK_FORK);
  srunner_run_all(runner, CK_NORMAL);
  int failed = srunner_ntests_failed(runner);
  srunner_free(runner);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
