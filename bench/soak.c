/* Soak: many calls against one server, watching whether memory, threads or
 * file descriptors creep up. Not a test: it prints numbers and judges
 * nothing (docs/performance.md says how to read them).
 *
 * usage: bench_soak [--calls N] [--threads T] [--sample-every K]
 *                   [--streams S] [--rounds R] [--max-seconds M]
 *                   [--target HOST:PORT --pid PID]
 *
 *   1. unary: T threads share one channel and make N blocking SayHello
 *      calls in all (default 1,000,000 over 4 threads); every K calls
 *      (default 50,000) a sample of the server's VmRSS, thread count and
 *      open descriptors is taken;
 *   2. streams: S bidi SayHelloStream calls open at once on one channel
 *      (default 1,000), R rounds (default 1,000) of one request and one
 *      reply on each, a sample every K messages; then all are half-closed
 *      and finished, and a last sample taken.
 * For each phase it prints the samples and the least-squares slope of RSS,
 * threads and descriptors per 100,000 calls (messages, for streams), over
 * the samples after the first (the first covers warm-up: allocator arenas,
 * the core's pools).
 *
 * By default the server is in this process (127.0.0.1, port 0, the
 * bench_server handlers with non-blocking streams), so the samples (of
 * /proc/self) hold client and server. With --target and --pid it soaks a
 * running server, e.g. bench_server, and samples /proc/PID.
 * Every call has a 10 s deadline and each phase stops after M seconds
 * (default 900) whatever it reached. Exits 1 when a call fails. */
#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "bench_time.h"
#include "greeter.h"
#include "proc_status.h"

enum { kMaxSamples = 4096, kCallTimeoutMs = 10000, kMaxThreads = 64 };

typedef struct sample {
  long count; /* calls or messages so far */
  double seconds;
  long rss_kb, threads, fds;
} sample;

typedef struct soak {
  const char *pid; /* "self" or a number */
  grpc_c_channel *channel;
  grpc_c_call_options *opts;
  long calls, sample_every;
  double start, give_up_at;
  atomic_long next, done, failed;
  atomic_long callers; /* our own calling threads now running */
  pthread_mutex_t mu;
  sample samples[kMaxSamples];
  int n_samples;
} soak;

static long count_fds(const char *pid) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%s/fd", pid);
  DIR *dir = opendir(path);
  if (!dir) return -1;
  long n = 0;
  for (struct dirent *e; (e = readdir(dir));)
    if (e->d_name[0] != '.') n++;
  closedir(dir);
  return strcmp(pid, "self") == 0 ? n - 1 : n; /* not our own dir's fd */
}

/* In-process, the soak's own calling threads are not counted: they come
 * and go with the phases. */
static void take_sample(soak *s, long count) {
  long threads = proc_status(s->pid, "Threads");
  if (strcmp(s->pid, "self") == 0) threads -= atomic_load(&s->callers);
  sample x = {count, now_s() - s->start, proc_status(s->pid, "VmRSS"), threads,
              count_fds(s->pid)};
  pthread_mutex_lock(&s->mu);
  if (s->n_samples < kMaxSamples) s->samples[s->n_samples++] = x;
  pthread_mutex_unlock(&s->mu);
}

enum { FIELD_RSS, FIELD_THREADS, FIELD_FDS };

static double field_of(const sample *x, int field) {
  return (double)(field == FIELD_RSS       ? x->rss_kb
                  : field == FIELD_THREADS ? x->threads
                                           : x->fds);
}

/* Least-squares slope of `field` over v[from..n) against count, per
 * 100,000. */
static double slope(const sample *v, int from, int n, int field) {
  if (n - from < 2) return 0;
  double mx = 0, my = 0;
  for (int i = from; i < n; i++) {
    mx += (double)v[i].count;
    my += field_of(&v[i], field);
  }
  mx /= n - from;
  my /= n - from;
  double sxy = 0, sxx = 0;
  for (int i = from; i < n; i++) {
    double dx = (double)v[i].count - mx;
    sxy += dx * (field_of(&v[i], field) - my);
    sxx += dx * dx;
  }
  return sxx > 0 ? sxy / sxx * 100000 : 0;
}

static void report(const char *phase, const char *unit, const sample *v,
                   int n) {
  printf("%-8s %10s %8s %9s %8s %6s\n", phase, unit, "seconds", "rss_kb",
         "threads", "fds");
  for (int i = 0; i < n; i++)
    printf("%-8s %10ld %8.1f %9ld %8ld %6ld\n", phase, v[i].count, v[i].seconds,
           v[i].rss_kb, v[i].threads, v[i].fds);
  printf(
      "%s: slope per 100k %s (samples 2..%d): rss %+.1f KiB, threads "
      "%+.2f, fds %+.2f\n",
      phase, unit, n, slope(v, 1, n, FIELD_RSS), slope(v, 1, n, FIELD_THREADS),
      slope(v, 1, n, FIELD_FDS));
}

/* ---- phase 1: unary ---- */

static void *unary_worker(void *arg) {
  soak *s = arg;
  Helloworld__HelloRequest req = HELLOWORLD__HELLO_REQUEST__INIT;
  req.name = "soak";
  while (atomic_fetch_add(&s->next, 1) < s->calls && now_s() < s->give_up_at) {
    Helloworld__HelloReply *reply = NULL;
    grpc_c_code code = helloworld__greeter__say_hello__call(
        s->channel, &req, &reply, s->opts, NULL);
    if (code == GRPC_C_OK && reply && strcmp(reply->message, "Hello, soak"))
      code = GRPC_C_INTERNAL;
    if (reply) helloworld__hello_reply__free_unpacked(reply, NULL);
    if (code != GRPC_C_OK && atomic_fetch_add(&s->failed, 1) < 5)
      fprintf(stderr, "bench_soak: unary call: %s\n", grpc_c_code_name(code));
    long done = atomic_fetch_add(&s->done, 1) + 1;
    if (done % s->sample_every == 0) take_sample(s, done);
  }
  atomic_fetch_sub(&s->callers, 1);
  return NULL;
}

static void run_unary(soak *s, int threads) {
  pthread_t tids[kMaxThreads];
  s->start = now_s();
  take_sample(s, 0);
  for (int i = 0; i < threads; i++) {
    atomic_fetch_add(&s->callers, 1); /* before it runs: samples see it */
    if (pthread_create(&tids[i], NULL, unary_worker, s) != 0) {
      atomic_fetch_sub(&s->callers, 1);
      fprintf(stderr, "bench_soak: cannot start thread %d\n", i);
      threads = i;
      break;
    }
  }
  for (int i = 0; i < threads; i++) pthread_join(tids[i], NULL);
  double secs = now_s() - s->start;
  long done = atomic_load(&s->done);
  report("unary", "calls", s->samples, s->n_samples);
  printf("unary: %ld calls in %.1f s (%.0f calls/s), %ld failed\n\n", done,
         secs, done / secs, atomic_load(&s->failed));
}

/* ---- phase 2: concurrent streams ---- */

typedef Helloworld__Greeter__SayHelloStream_Stream Stream;

static int run_streams(soak *s, int n_streams, int rounds) {
  Stream **streams = calloc((size_t)n_streams, sizeof *streams);
  if (!streams) return 1;
  s->n_samples = 0;
  s->start = now_s();
  take_sample(s, 0);
  sample before = s->samples[0];
  int opened = 0, failed = 0;
  for (; opened < n_streams; opened++)
    if (helloworld__greeter__say_hello_stream__start(s->channel, NULL,
                                                     &streams[opened]))
      break;
  Helloworld__HelloRequest req = HELLOWORLD__HELLO_REQUEST__INIT;
  req.name = "soak";
  long messages = 0;
  int round = 0;
  for (; round < rounds && !failed && now_s() < s->give_up_at; round++) {
    for (int i = 0; i < opened; i++)
      if (!helloworld__greeter__say_hello_stream__write(streams[i], &req))
        failed++;
    for (int i = 0; i < opened; i++) {
      Helloworld__HelloReply *reply;
      if (!helloworld__greeter__say_hello_stream__read(streams[i], &reply) ||
          strcmp(reply->message, "Hello, soak") != 0)
        failed++;
    }
    if ((messages + opened) / s->sample_every > messages / s->sample_every)
      take_sample(s, messages + opened);
    messages += opened;
  }
  for (int i = 0; i < opened; i++) {
    grpc_c_code code =
        helloworld__greeter__say_hello_stream__finish(streams[i], NULL);
    if (code != GRPC_C_OK) failed++;
  }
  free(streams);
  double secs = now_s() - s->start;
  report("streams", "messages", s->samples, s->n_samples);
  /* The server lets go of finished streams on its own schedule: look again
   * a little later. */
  struct timespec pause = {0, 500 * 1000 * 1000};
  nanosleep(&pause, NULL);
  take_sample(s, messages);
  sample after = s->samples[s->n_samples - 1];
  printf(
      "streams: %d open at once, %d rounds, %ld messages in %.1f s, "
      "%d failed\n",
      opened, round, messages, secs, failed);
  printf(
      "streams: after closing them: rss %ld KiB (%+ld since before "
      "opening), threads %ld (%+ld), fds %ld (%+ld)\n",
      after.rss_kb, after.rss_kb - before.rss_kb, after.threads,
      after.threads - before.threads, after.fds, after.fds - before.fds);
  return opened < n_streams || failed;
}

/* ---- main ---- */

static long flag_value(int argc, char **argv, int *i) {
  if (*i + 1 >= argc) {
    fprintf(stderr, "bench_soak: %s needs a value\n", argv[*i]);
    exit(2);
  }
  return strtol(argv[++*i], NULL, 10);
}

int main(int argc, char **argv) {
  static soak s;
  s.pid = "self";
  s.calls = 1000000;
  s.sample_every = 50000;
  long threads = 4, n_streams = 1000, rounds = 1000, max_seconds = 900;
  const char *target = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--calls") == 0) {
      s.calls = flag_value(argc, argv, &i);
    } else if (strcmp(argv[i], "--threads") == 0) {
      threads = flag_value(argc, argv, &i);
    } else if (strcmp(argv[i], "--sample-every") == 0) {
      s.sample_every = flag_value(argc, argv, &i);
    } else if (strcmp(argv[i], "--streams") == 0) {
      n_streams = flag_value(argc, argv, &i);
    } else if (strcmp(argv[i], "--rounds") == 0) {
      rounds = flag_value(argc, argv, &i);
    } else if (strcmp(argv[i], "--max-seconds") == 0) {
      max_seconds = flag_value(argc, argv, &i);
    } else if (strcmp(argv[i], "--target") == 0 && i + 1 < argc) {
      target = argv[++i];
    } else if (strcmp(argv[i], "--pid") == 0 && i + 1 < argc) {
      s.pid = argv[++i];
    } else {
      fprintf(stderr, "bench_soak: unknown argument %s (see bench_soak.c)\n",
              argv[i]);
      return 2;
    }
  }
  if (s.calls < 0 || s.sample_every < 1 || threads < 1 ||
      threads > kMaxThreads || n_streams < 0 || rounds < 0 || max_seconds < 1 ||
      (target == NULL) != (strcmp(s.pid, "self") == 0)) {
    fprintf(stderr,
            "bench_soak: bad arguments (--target and --pid go "
            "together)\n");
    return 2;
  }

  grpc_c_server *server = NULL;
  char address[64];
  if (!target) {
    int port, rc;
    if ((rc = grpc_c_server_create(&server, NULL)) ||
        (rc = grpc_c_server_add_listener(server, "127.0.0.1:0", &port)) ||
        (rc = bench_greeter_register(server, false)) ||
        (rc = grpc_c_server_start(server))) {
      fprintf(stderr, "bench_soak: server: %s\n", grpc_c_strerror(rc));
      grpc_c_server_destroy(server);
      return 1;
    }
    snprintf(address, sizeof address, "127.0.0.1:%d", port);
    target = address;
  }
  if (grpc_c_channel_create(&s.channel, target, NULL) ||
      grpc_c_call_options_new(&s.opts) ||
      grpc_c_call_options_set_timeout_ms(s.opts, kCallTimeoutMs)) {
    fprintf(stderr, "bench_soak: cannot set up the channel to %s\n", target);
    return 1;
  }
  pthread_mutex_init(&s.mu, NULL);
  printf(
      "bench_soak: %s (/proc/%s sampled), %ld unary calls on %ld "
      "threads, %ld streams x %ld rounds\n\n",
      target, s.pid, s.calls, threads, n_streams, rounds);

  s.give_up_at = now_s() + (double)max_seconds;
  run_unary(&s, (int)threads);
  int failed = atomic_load(&s.failed) > 0;
  s.give_up_at = now_s() + (double)max_seconds;
  if (n_streams > 0) failed |= run_streams(&s, (int)n_streams, (int)rounds);

  grpc_c_call_options_free(s.opts);
  grpc_c_channel_destroy(s.channel);
  if (server) {
    grpc_c_server_shutdown(server, 1000);
    grpc_c_server_destroy(server);
  }
  pthread_mutex_destroy(&s.mu);
  return failed ? 1 : 0;
}
