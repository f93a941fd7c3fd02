/* Memory of idle bidi streams on a server: opens N SayHelloStream calls on
 * one channel (one HTTP/2 connection), exchanges one message on each, keeps
 * them open and idle, and reports how much the server's resident memory grew
 * per stream.
 *
 * usage: bench_idle_streams HOST:PORT N SERVER_PID
 *
 *   1. connects (one unary SayHello, wait-for-ready, 5 s) and samples the
 *      server's VmRSS and thread count;
 *   2. starts N streams and writes one request on each;
 *   3. reads the reply of each stream in order; a reply that does not come
 *      within 2 s counts as unanswered (the read is cancelled) and the
 *      remaining streams are not read (a server that queues streams serves
 *      them in arrival order);
 *   4. samples the server's VmRSS and threads again, and its own VmRSS;
 *   5. half-closes and finishes every stream.
 * Prints one line:
 *   streams=N answered=K server_rss_kb=A..B server_kb_per_stream=X
 *   server_threads=T..U client_kb_per_stream=Y
 * Every stream has a 30 s deadline and an alarm ends the process after 90 s,
 * so a run is bounded whatever the server does. Exits 1 when a reply is
 * wrong or the connection fails; unanswered streams are reported, not fatal.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_time.h"
#include "helloworld.grpc-c.h"
#include "proc_status.h"

enum { kMaxStreams = 20000, kStreamTimeoutMs = 30000, kReplyWaitMs = 2000 };

/* Watchdog: cancels the stream being read when its reply is late. */
typedef struct watchdog {
  pthread_mutex_t mu;
  Helloworld__Greeter__SayHelloStream_Stream *reading; /* NULL: none */
  double since;
  bool cancelled, stop;
} watchdog;

static void *watchdog_main(void *arg) {
  watchdog *w = arg;
  /* bounded: at most the stream deadline plus slack, in 20 ms steps */
  for (int i = 0; i < (kStreamTimeoutMs + 10000) / 20; i++) {
    pthread_mutex_lock(&w->mu);
    bool stop = w->stop;
    if (w->reading && now_s() - w->since > kReplyWaitMs / 1000.0) {
      helloworld__greeter__say_hello_stream__cancel(w->reading);
      w->reading = NULL;
      w->cancelled = true;
    }
    pthread_mutex_unlock(&w->mu);
    if (stop) break;
    struct timespec d = {0, 20 * 1000 * 1000};
    nanosleep(&d, NULL);
  }
  return NULL;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: %s HOST:PORT N SERVER_PID\n", argv[0]);
    return 2;
  }
  long n = atol(argv[2]);
  const char *spid = argv[3];
  if (n < 1 || n > kMaxStreams) {
    fprintf(stderr, "N must be in [1, %d]\n", kMaxStreams);
    return 2;
  }
  alarm(90); /* watchdog for the whole run */

  grpc_c_channel *channel;
  if (grpc_c_channel_create(&channel, argv[1], NULL)) return 1;
  Helloworld__HelloRequest req = HELLOWORLD__HELLO_REQUEST__INIT;
  req.name = "world";
  {
    grpc_c_call_options *first;
    Helloworld__HelloReply *rep;
    if (grpc_c_call_options_new(&first) ||
        grpc_c_call_options_set_wait_for_ready(first, true) ||
        grpc_c_call_options_set_timeout_ms(first, 5000))
      return 1;
    grpc_c_code code =
        helloworld__greeter__say_hello__call(channel, &req, &rep, first, NULL);
    grpc_c_call_options_free(first);
    if (code != GRPC_C_OK) {
      fprintf(stderr, "cannot connect to %s\n", argv[1]);
      return 1;
    }
    helloworld__hello_reply__free_unpacked(rep, NULL);
  }
  usleep(300 * 1000);
  long rss0 = proc_status(spid, "VmRSS"), thr0 = proc_status(spid, "Threads");
  long self0 = proc_status("self", "VmRSS");
  if (rss0 < 0) {
    fprintf(stderr, "cannot read /proc/%s/status\n", spid);
    return 1;
  }

  grpc_c_call_options *opts;
  if (grpc_c_call_options_new(&opts) ||
      grpc_c_call_options_set_timeout_ms(opts, kStreamTimeoutMs))
    return 1;
  Helloworld__Greeter__SayHelloStream_Stream **streams =
      calloc((size_t)n, sizeof *streams);
  if (!streams) return 1;
  for (long i = 0; i < n; i++) {
    if (helloworld__greeter__say_hello_stream__start(channel, opts,
                                                     &streams[i])) {
      fprintf(stderr, "stream %ld: start failed\n", i);
      return 1;
    }
    if (!helloworld__greeter__say_hello_stream__write(streams[i], &req)) {
      fprintf(stderr, "stream %ld: write failed\n", i);
      return 1;
    }
  }
  grpc_c_call_options_free(opts);

  watchdog w = {.reading = NULL};
  pthread_mutex_init(&w.mu, NULL);
  pthread_t wd;
  if (pthread_create(&wd, NULL, watchdog_main, &w)) return 1;
  long answered = 0;
  int rc = 0;
  for (long i = 0; i < n; i++) {
    pthread_mutex_lock(&w.mu);
    w.reading = streams[i];
    w.since = now_s();
    pthread_mutex_unlock(&w.mu);
    Helloworld__HelloReply *rep;
    bool ok = helloworld__greeter__say_hello_stream__read(streams[i], &rep);
    pthread_mutex_lock(&w.mu);
    w.reading = NULL;
    bool late = w.cancelled;
    pthread_mutex_unlock(&w.mu);
    if (!ok || late) break;
    if (!rep->message || strcmp(rep->message, "Hello, world") != 0) {
      fprintf(stderr, "stream %ld: wrong reply\n", i);
      rc = 1;
      break;
    }
    answered++;
  }
  pthread_mutex_lock(&w.mu);
  w.stop = true;
  pthread_mutex_unlock(&w.mu);
  pthread_join(wd, NULL);
  pthread_mutex_destroy(&w.mu);

  usleep(500 * 1000);
  long rss1 = proc_status(spid, "VmRSS"), thr1 = proc_status(spid, "Threads");
  long self1 = proc_status("self", "VmRSS");
  printf(
      "streams=%ld answered=%ld server_rss_kb=%ld..%ld "
      "server_kb_per_stream=%.1f server_threads=%ld..%ld "
      "client_kb_per_stream=%.1f\n",
      n, answered, rss0, rss1, (double)(rss1 - rss0) / (double)n, thr0, thr1,
      (double)(self1 - self0) / (double)n);
  fflush(stdout);

  for (long i = 0; i < n; i++)
    helloworld__greeter__say_hello_stream__writes_done(streams[i]);
  for (long i = 0; i < n; i++)
    (void)helloworld__greeter__say_hello_stream__finish(streams[i], NULL);
  free(streams);
  grpc_c_channel_destroy(channel);
  return rc;
}
