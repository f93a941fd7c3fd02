/* Blocking unary client: one outstanding SayHello at a time, through the
 * generated stub helloworld__greeter__say_hello__call().
 *
 * usage: bench_unary_client HOST:PORT [seconds=3] [warmup_seconds=0.5]
 *
 * Same command line, loop and output line as the grpc++ sync client
 * ../shared/bench/src/unary_client.cc, so the two compare directly:
 *   warm_calls=N calls=N secs=S calls_per_s=R mean_us=M p50_us=P p99_us=Q
 * Every reply is checked (status OK and message "Hello, world"); exits 1 on
 * the first wrong one. The first call waits up to 5 s for the channel to
 * connect (the grpc++ client's WaitForConnected); an alarm ends the process
 * if the whole run takes more than seconds + warm-up + 30 s. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_time.h"
#include "helloworld.grpc-c.h"

static const char kWant[] = "Hello, world";

/* One checked call; prints why on failure. */
static bool call(grpc_c_channel *channel, const Helloworld__HelloRequest *req,
                 const grpc_c_call_options *opts) {
  Helloworld__HelloReply *reply = NULL;
  grpc_c_status status = GRPC_C_STATUS_INIT;
  grpc_c_code code =
      helloworld__greeter__say_hello__call(channel, req, &reply, opts, &status);
  bool ok = code == GRPC_C_OK && reply && reply->message &&
            strcmp(reply->message, kWant) == 0;
  if (!ok)
    fprintf(stderr, "bad reply: status=%d '%s' message='%s'\n", (int)code,
            status.message ? status.message : "",
            reply && reply->message ? reply->message : "");
  if (reply) helloworld__hello_reply__free_unpacked(reply, NULL);
  grpc_c_status_clear(&status);
  return ok;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s HOST:PORT [secs] [warmup]\n", argv[0]);
    return 2;
  }
  double secs = argc > 2 ? atof(argv[2]) : 3.0;
  double warm = argc > 3 ? atof(argv[3]) : 0.5;
  if (!(secs > 0 && secs <= 3600 && warm >= 0 && warm <= 3600)) {
    fprintf(stderr, "secs must be in (0, 3600], warmup in [0, 3600]\n");
    return 2;
  }
  alarm((unsigned)(secs + warm) + 30); /* watchdog: never hang a bench run */

  grpc_c_channel *channel;
  int rc = grpc_c_channel_create(&channel, argv[1], NULL);
  if (rc) {
    fprintf(stderr, "channel: %s\n", grpc_c_strerror(rc));
    return 1;
  }
  Helloworld__HelloRequest req = HELLOWORLD__HELLO_REQUEST__INIT;
  req.name = "world";

  /* First call: wait up to 5 s for the connection, like WaitForConnected. */
  grpc_c_call_options *first;
  if (grpc_c_call_options_new(&first) ||
      grpc_c_call_options_set_wait_for_ready(first, true) ||
      grpc_c_call_options_set_timeout_ms(first, 5000)) {
    fprintf(stderr, "out of memory\n");
    return 1;
  }
  bool ok = call(channel, &req, first);
  grpc_c_call_options_free(first);
  if (!ok) {
    fprintf(stderr, "cannot call %s\n", argv[1]);
    grpc_c_channel_destroy(channel);
    return 1;
  }

  long warm_calls = 1;
  double t0 = now_s();
  while (now_s() - t0 < warm) {
    if (!call(channel, &req, NULL)) return 1;
    warm_calls++;
  }

  size_t cap = (size_t)1 << 20, n = 0;
  double *lat = malloc(cap * sizeof *lat);
  if (!lat) return 1;
  double start = now_s(), deadline = start + secs, now = start;
  while (now < deadline) {
    double a = now;
    if (!call(channel, &req, NULL)) {
      fprintf(stderr, "bad reply during run\n");
      return 1;
    }
    now = now_s();
    if (n == cap) {
      double *more = realloc(lat, 2 * cap * sizeof *lat);
      if (!more) return 1;
      lat = more;
      cap *= 2;
    }
    lat[n++] = (now - a) * 1e6;
  }
  double el = now - start;
  double mean = sort_latencies(lat, n);
  printf(
      "warm_calls=%ld calls=%zu secs=%.3f calls_per_s=%.0f mean_us=%.1f "
      "p50_us=%.1f p99_us=%.1f\n",
      warm_calls, n, el, (double)n / el, mean, quantile(lat, n, 0.50),
      quantile(lat, n, 0.99));
  free(lat);
  grpc_c_channel_destroy(channel);
  return 0;
}
