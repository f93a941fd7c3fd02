/* Bidi-streaming client for helloworld.Greeter/SayHelloStream through the
 * generated blocking stream stubs.
 *
 * usage: bench_stream_client HOST:PORT ping|pipe SECONDS [warmup_msgs=2000]
 *                            [window=1024]
 *   ping: one stream; per message write then read (1 message in flight).
 *   pipe: one stream; a writer thread writes back-to-back for SECONDS (never
 *         more than `window` messages ahead of the replies), then half-closes;
 *         the main thread reads concurrently until the server ends the stream.
 *         msgs/s = replies / (first write .. last reply).
 *
 * Same command line, algorithm and output line as the grpc++ client
 * ../shared/bench/src/stream_client.cc, so the two compare directly:
 *   mode=M window=W sent=N msgs=N secs=S msgs_per_s=R mean_rtt_us=X
 *   p99_rtt_us=Y bad=B status=C
 * Every reply is checked to be "Hello, world"; exits 1 on any error, wrong
 * reply or lost message. Before the stream starts, one unary SayHello waits
 * up to 5 s for the connection (the grpc++ client's WaitForConnected). An
 * alarm ends the process if the run takes more than SECONDS + 60 s. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_time.h"
#include "helloworld.grpc-c.h"

static const char kWant[] = "Hello, world";

static bool is_hello(const Helloworld__HelloReply *rep) {
  return rep && rep->message && strcmp(rep->message, kWant) == 0;
}

/* State shared by the pipe writer and reader. */
typedef struct pipe_state {
  Helloworld__Greeter__SayHelloStream_Stream *stream;
  const Helloworld__HelloRequest *req;
  long window;
  double deadline;
  atomic_long nsent, ngot;
  atomic_bool waiting;
  atomic_bool reader_done; /* the reader stopped: never wait for it again */
  pthread_mutex_t mu;
  pthread_cond_t cv;
} pipe_state;

static void *writer_main(void *arg) {
  pipe_state *p = arg;
  long n = 0;
  for (;;) {
    for (int k = 0; k < 64; k++, n++) { /* check the clock every 64 writes */
      if (n - atomic_load_explicit(&p->ngot, memory_order_relaxed) >=
          p->window) {
        pthread_mutex_lock(&p->mu);
        atomic_store(&p->waiting, true);
        while (n - atomic_load(&p->ngot) >= p->window / 2 &&
               !atomic_load(&p->reader_done))
          pthread_cond_wait(&p->cv, &p->mu);
        atomic_store(&p->waiting, false);
        pthread_mutex_unlock(&p->mu);
      }
      if (!helloworld__greeter__say_hello_stream__write(p->stream, p->req))
        goto out;
      atomic_store_explicit(&p->nsent, n + 1, memory_order_relaxed);
    }
    if (now_s() >= p->deadline) break;
  }
out:
  helloworld__greeter__say_hello_stream__writes_done(p->stream);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: %s HOST:PORT ping|pipe SECONDS [warmup_msgs]\n",
            argv[0]);
    return 2;
  }
  const bool pipe = strcmp(argv[2], "pipe") == 0;
  const double secs = atof(argv[3]);
  const long warm = argc > 4 ? atol(argv[4]) : 2000;
  const long window = argc > 5 ? atol(argv[5]) : 1024;
  if (!(secs > 0 && secs <= 3600) || warm < 0 || warm > 100000000 ||
      window < 2 || window > 1000000) {
    fprintf(stderr,
            "SECONDS in (0, 3600], warmup_msgs in [0, 1e8], window in "
            "[2, 1e6]\n");
    return 2;
  }
  alarm((unsigned)secs + 60); /* watchdog: never hang a bench run */

  grpc_c_channel *channel;
  int rc = grpc_c_channel_create(&channel, argv[1], NULL);
  if (rc) {
    fprintf(stderr, "channel: %s\n", grpc_c_strerror(rc));
    return 1;
  }
  Helloworld__HelloRequest req = HELLOWORLD__HELLO_REQUEST__INIT;
  req.name = "world";
  Helloworld__HelloReply *rep = NULL;

  { /* wait for the connection, like WaitForConnected */
    grpc_c_call_options *first;
    if (grpc_c_call_options_new(&first) ||
        grpc_c_call_options_set_wait_for_ready(first, true) ||
        grpc_c_call_options_set_timeout_ms(first, 5000))
      return 1;
    grpc_c_code code =
        helloworld__greeter__say_hello__call(channel, &req, &rep, first, NULL);
    grpc_c_call_options_free(first);
    if (code != GRPC_C_OK) {
      fprintf(stderr, "cannot connect to %s\n", argv[1]);
      grpc_c_channel_destroy(channel);
      return 1;
    }
    helloworld__hello_reply__free_unpacked(rep, NULL);
    rep = NULL;
  }

  Helloworld__Greeter__SayHelloStream_Stream *stream;
  if ((rc = helloworld__greeter__say_hello_stream__start(channel, NULL,
                                                         &stream))) {
    fprintf(stderr, "stream start: %s\n", grpc_c_strerror(rc));
    return 1;
  }
  long bad = 0;

  for (long i = 0; i < warm; i++) { /* ping-pong warm-up on the same stream */
    if (!helloworld__greeter__say_hello_stream__write(stream, &req) ||
        !helloworld__greeter__say_hello_stream__read(stream, &rep) ||
        !is_hello(rep)) {
      fprintf(stderr, "bad warm-up reply '%s'\n",
              rep && rep->message ? rep->message : "");
      return 1;
    }
  }

  long sent = 0, got = 0;
  double mean_rtt = 0, p99_rtt = 0;
  double start = now_s(), deadline = start + secs, end = start;
  if (!pipe) {
    size_t cap = (size_t)1 << 20, n = 0;
    double *lat = malloc(cap * sizeof *lat);
    if (!lat) return 1;
    double prev = start;
    while (prev < deadline) {
      if (!helloworld__greeter__say_hello_stream__write(stream, &req)) break;
      sent++;
      if (!helloworld__greeter__say_hello_stream__read(stream, &rep)) break;
      if (!is_hello(rep)) bad++;
      double now = now_s();
      if (n == cap) {
        double *more = realloc(lat, 2 * cap * sizeof *lat);
        if (!more) return 1;
        lat = more;
        cap *= 2;
      }
      lat[n++] = (now - prev) * 1e6;
      prev = now;
      got++;
    }
    end = prev;
    helloworld__greeter__say_hello_stream__writes_done(stream);
    while (helloworld__greeter__say_hello_stream__read(stream, &rep))
      got++; /* nothing expected */
    mean_rtt = sort_latencies(lat, n);
    p99_rtt = quantile(lat, n, 0.99);
    free(lat);
  } else {
    pipe_state p = {
        .stream = stream, .req = &req, .window = window, .deadline = deadline};
    atomic_init(&p.nsent, 0);
    atomic_init(&p.ngot, 0);
    atomic_init(&p.waiting, false);
    atomic_init(&p.reader_done, false);
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.cv, NULL);
    pthread_t writer;
    if (pthread_create(&writer, NULL, writer_main, &p)) {
      fprintf(stderr, "cannot start the writer thread\n");
      return 1;
    }
    while (helloworld__greeter__say_hello_stream__read(stream, &rep)) {
      if (!is_hello(rep)) bad++;
      got++;
      atomic_store(&p.ngot, got);    /* seq_cst: pairs with the writer's */
      if (atomic_load(&p.waiting) && /* waiting, then ngot */
          atomic_load(&p.nsent) - got < window / 2) {
        pthread_mutex_lock(&p.mu);
        pthread_cond_signal(&p.cv);
        pthread_mutex_unlock(&p.mu);
      }
    }
    end = now_s();
    pthread_mutex_lock(&p.mu);
    atomic_store(&p.reader_done, true);
    pthread_cond_signal(&p.cv);
    pthread_mutex_unlock(&p.mu);
    pthread_join(writer, NULL);
    sent = atomic_load(&p.nsent);
    pthread_mutex_destroy(&p.mu);
    pthread_cond_destroy(&p.cv);
  }
  grpc_c_status status = GRPC_C_STATUS_INIT;
  grpc_c_code code =
      helloworld__greeter__say_hello_stream__finish(stream, &status);
  if (code != GRPC_C_OK)
    fprintf(stderr, "finish: %s %s\n", grpc_c_code_name(code),
            status.message ? status.message : "");
  grpc_c_status_clear(&status);
  double el = end - start;
  printf(
      "mode=%s window=%ld sent=%ld msgs=%ld secs=%.3f msgs_per_s=%.0f "
      "mean_rtt_us=%.1f p99_rtt_us=%.1f bad=%ld status=%d\n",
      pipe ? "pipe" : "ping", pipe ? window : 1L, sent, got, el,
      (double)got / el, mean_rtt, p99_rtt, bad, (int)code);
  grpc_c_channel_destroy(channel);
  return (got == sent && bad == 0 && code == GRPC_C_OK) ? 0 : 1;
}
