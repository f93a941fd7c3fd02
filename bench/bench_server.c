/* Benchmark server: helloworld.Greeter from bench/proto/helloworld.proto.
 *   SayHello        -> "Hello, " + name
 *   SayHelloStream  -> one "Hello, " + name reply per request; a
 *                      non-blocking reactor on the pollers, or a blocking
 *                      handler on a worker thread with STREAM_STYLE=blocking
 * GRPC_C_LOG=1 logs the runtime's messages to stderr.
 * Listens on 127.0.0.1:$PORT (50151 when unset; BIND_HOST overrides the
 * host); SIGTERM/SIGINT stop it.
 * POLLERS=N sets the number of poller threads (default: CPUs available).
 * CORE_ARGS="key=N,key=N" sets integer core arguments (grpc.*).
 * Health and reflection are served, as every example serves them;
 * STANDARD_SERVICES=0 leaves them out (for A/B runs of their cost). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "greeter.h"

int main(void) {
  const char *style = getenv("STREAM_STYLE");
  bool blocking = style && strcmp(style, "blocking") == 0;
  const char *standard_env = getenv("STANDARD_SERVICES");
  bool standard = !standard_env || strcmp(standard_env, "0") != 0;
  if (getenv("GRPC_C_LOG")) grpc_c_set_log(grpc_c_log_to_stderr, 0, NULL);
  int port = grpc_c_port_from_env(50151);
  char address[128];
  const char *host = getenv("BIND_HOST");
  snprintf(address, sizeof address, "%s:%d", host ? host : "127.0.0.1", port);

  grpc_c_server_options *opts;
  grpc_c_server *server;
  int rc = grpc_c_server_options_new(&opts);
  /* CORE_ARGS="grpc.key=1,grpc.other=2": integer core arguments, for
   * trying the core's settings without a rebuild. */
  for (const char *a = getenv("CORE_ARGS"); !rc && a && *a;) {
    char key[128];
    int value, used = 0;
    if (sscanf(a, "%127[^=]=%d%n", key, &value, &used) != 2) {
      fprintf(stderr, "bench_server: CORE_ARGS: cannot read \"%s\"\n", a);
      rc = GRPC_C_EINVAL;
      break;
    }
    rc = grpc_c_server_options_set_int(opts, key, value);
    a += used;
    if (*a == ',') a++;
  }
  const char *pollers = getenv("POLLERS");
  if (!rc && pollers)
    rc = grpc_c_server_options_set_poller_threads(opts, atoi(pollers));
  if (!rc) rc = grpc_c_server_create(&server, opts);
  grpc_c_server_options_free(opts);
  if (rc) {
    fprintf(stderr, "bench_server: %s\n", grpc_c_strerror(rc));
    return 1;
  }
  if ((rc = grpc_c_server_add_listener(server, address, NULL)) ||
      (rc = bench_greeter_register(server, blocking)) ||
      (standard && (rc = grpc_c_server_enable_health(server))) ||
      (standard && (rc = grpc_c_server_enable_reflection(server))) ||
      (rc = grpc_c_server_start(server))) {
    fprintf(stderr, "bench_server: %s\n", grpc_c_strerror(rc));
    grpc_c_server_destroy(server);
    return 1;
  }
  fprintf(stderr, "bench_server listening on %s\n", address);
  rc = grpc_c_server_wait_for_signal(server, 2000);
  grpc_c_server_destroy(server);
  return rc ? 1 : 0;
}
