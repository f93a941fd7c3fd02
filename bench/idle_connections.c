/* Memory of idle connections on a server: opens N channels, each with its
 * own connection (a local subchannel pool), makes one SayHello call on each
 * so the connection is up, keeps them open and reads the server's VmRSS.
 *
 * usage: bench_idle_connections HOST:PORT N SERVER_PID
 * prints one line:
 *   connections=N answered=K server_rss_kb=A..B server_kb_per_connection=X
 *   server_threads=T..U
 * Every call has a 10 s deadline and an alarm ends the process after 90 s,
 * so the run is bounded. Exit status 1 when a call fails. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helloworld.grpc-c.h"
#include "proc_status.h"

enum { kMaxConnections = 5000, kCallTimeoutMs = 10000 };

static bool say_hello(grpc_c_channel *channel) {
  grpc_c_call_options *opts;
  if (grpc_c_call_options_new(&opts) ||
      grpc_c_call_options_set_wait_for_ready(opts, true) ||
      grpc_c_call_options_set_timeout_ms(opts, kCallTimeoutMs))
    return false;
  Helloworld__HelloRequest req = HELLOWORLD__HELLO_REQUEST__INIT;
  req.name = "world";
  Helloworld__HelloReply *rep = NULL;
  grpc_c_code code =
      helloworld__greeter__say_hello__call(channel, &req, &rep, opts, NULL);
  grpc_c_call_options_free(opts);
  bool ok = code == GRPC_C_OK && rep && rep->message &&
            strcmp(rep->message, "Hello, world") == 0;
  if (rep) helloworld__hello_reply__free_unpacked(rep, NULL);
  return ok;
}

static grpc_c_channel *connect_channel(const char *target) {
  grpc_c_channel_options *opts;
  grpc_c_channel *channel = NULL;
  if (grpc_c_channel_options_new(&opts)) return NULL;
  /* Without it, channels to one target share one connection. */
  if (grpc_c_channel_options_set_int(opts, "grpc.use_local_subchannel_pool",
                                     1) == 0)
    (void)grpc_c_channel_create(&channel, target, opts);
  grpc_c_channel_options_free(opts);
  return channel;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s HOST:PORT N SERVER_PID\n", argv[0]);
    return 2;
  }
  long n = strtol(argv[2], NULL, 10);
  const char *spid = argv[3];
  if (n < 1 || n > kMaxConnections) {
    fprintf(stderr, "N must be 1..%d\n", kMaxConnections);
    return 2;
  }
  alarm(90); /* watchdog for the whole run */

  /* One connection first, so the server's own start-up is not counted. */
  grpc_c_channel *first = connect_channel(argv[1]);
  if (!first || !say_hello(first)) {
    fprintf(stderr, "cannot connect to %s\n", argv[1]);
    return 1;
  }
  usleep(300 * 1000);
  long rss0 = proc_status(spid, "VmRSS"), thr0 = proc_status(spid, "Threads");
  if (rss0 < 0) {
    fprintf(stderr, "cannot read /proc/%s/status\n", spid);
    return 1;
  }

  grpc_c_channel **channels = calloc((size_t)n, sizeof *channels);
  if (!channels) return 1;
  long answered = 0;
  for (long i = 0; i < n; i++) {
    channels[i] = connect_channel(argv[1]);
    if (!channels[i] || !say_hello(channels[i])) {
      fprintf(stderr, "connection %ld failed\n", i);
      break;
    }
    answered++;
  }
  usleep(500 * 1000);
  long rss1 = proc_status(spid, "VmRSS"), thr1 = proc_status(spid, "Threads");
  printf(
      "connections=%ld answered=%ld server_rss_kb=%ld..%ld "
      "server_kb_per_connection=%.1f server_threads=%ld..%ld\n",
      n, answered, rss0, rss1, (double)(rss1 - rss0) / (double)n, thr0, thr1);
  fflush(stdout);
  for (long i = 0; i < n; i++) grpc_c_channel_destroy(channels[i]);
  free(channels);
  grpc_c_channel_destroy(first);
  return answered == n ? 0 : 1;
}
