/* The server's memory ceiling (grpc_c_server_options_set_memory_limit()):
 * a request far over the receive limit, sent by a client in another
 * process, must not grow the server by its size. Without a ceiling the
 * core assembles the whole message before anyone can refuse it (256 MiB
 * sent: +263 MiB resident); with a 64 MiB ceiling the core cancels the
 * call and the server grows by a fraction of it. Its own program: the peak
 * resident size (VmHWM) is per process. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e.grpc-c.h"
#include "e2e_server.h"

enum { REQUEST_BYTES = 256 << 20, CEILING = 64 << 20 };

static long status_kib(const char *key) {
  FILE *f = fopen("/proc/self/status", "r");
  ck_assert_ptr_nonnull(f);
  char line[256];
  long value = -1;
  size_t n = strlen(key);
  while (fgets(line, sizeof line, f))
    if (strncmp(line, key, n) == 0 && line[n] == ':')
      value = atol(line + n + 1);
  fclose(f);
  return value;
}

/* Runs the out-of-process client; returns its first output line. */
static void send_big_request(int port, char *result, size_t size) {
  const char *python = getenv("PYTHON3");
  char cmd[512];
  snprintf(cmd, sizeof cmd, "%s %s %d %d", python ? python : "/usr/bin/python3",
           BIG_REQUEST_PY, port, REQUEST_BYTES);
  FILE *p = popen(cmd, "r");
  ck_assert_ptr_nonnull(p);
  result[0] = '\0';
  if (!fgets(result, (int)size, p)) result[0] = '\0';
  pclose(p);
}

START_TEST(a_huge_request_stays_under_the_memory_ceiling) {
  grpc_c_server_options *opts;
  ck_assert_int_eq(grpc_c_server_options_new(&opts), 0);
  ck_assert_int_eq(grpc_c_server_options_set_memory_limit(NULL, 1),
                   GRPC_C_EINVAL);
  ck_assert_int_eq(grpc_c_server_options_set_memory_limit(opts, CEILING), 0);
  e2e_server srv;
  ck_assert_int_eq(e2e_server_start(&srv, opts), 0);
  grpc_c_server_options_free(opts);
  long before = status_kib("VmHWM");
  char result[512];
  send_big_request(srv.port, result, sizeof result);
  long grown_mib = (status_kib("VmHWM") - before) / 1024;
  ck_assert_msg(strncmp(result, "RESOURCE_EXHAUSTED", 18) == 0,
                "the client saw: %s", result);
  ck_assert_msg(grown_mib < (REQUEST_BYTES >> 20) / 2,
                "the server grew by %ld MiB for a %d MiB request", grown_mib,
                REQUEST_BYTES >> 20);
  /* The server goes on serving. */
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  req.text = "after";
  E2e__EchoReply *reply;
  ck_assert_int_eq(
      e2e__echo__unary__call(srv.loopback, &req, &reply, NULL, NULL),
      GRPC_C_OK);
  ck_assert_str_eq(reply->text, "after");
  e2e__echo_reply__free_unpacked(reply, NULL);
  e2e_server_stop(&srv, 1000);
}
END_TEST

int main(void) {
  Suite *s = suite_create("memory");
  TCase *tc = tcase_create("ceiling");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, a_huge_request_stays_under_the_memory_ceiling);
  suite_add_tcase(s, tc);
  return e2e_run_suite(s);
}
