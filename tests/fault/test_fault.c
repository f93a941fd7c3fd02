/* Fault and abuse tests: real servers and real clients, in this process and
 * in child processes killed mid-call; bytes that are not gRPC on the gRPC
 * port; hundreds of idle connections; storms of cancelled and timed-out
 * calls; messages that do not parse. Every test ends in a status and the
 * server serves a normal call afterwards; under the ASan build LeakSanitizer
 * checks that nothing leaked, and the fd counts below that no connection
 * was left open.
 *
 * The program is also its own helper: `test_fault --child <role> ...` runs
 * one role in a fresh process (the core does not survive fork(), so helpers
 * are started with posix_spawn() of /proc/self/exe):
 *   bidi-writer <target>    streams on Bidi, says "streaming" after the
 *                           first reply, keeps streaming (at most 60 s)
 *   stream-reader <target>  asks ServerStream for a million replies, says
 *                           "streaming" after the first, then stops reading
 *   server                  serves Echo on 127.0.0.1:0, says "listening on
 *                           port N", stops on SIGTERM (tests/interop's
 *                           run_pair.py contract)
 * Every helper dies by SIGALRM after 120 s whatever happens.
 *
 * Already covered elsewhere, not repeated here: unary requests that do not
 * parse (test_e2e: unary_undecodable_request_is_internal), cancellation
 * sources (test_lifecycle), shutdown with open streams (test_e2e,
 * test_reactor). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "e2e.grpc-c.h"
#include "e2e_server.h"

extern char **environ;

static e2e_server srv;
static grpc_c_channel *channel;

static void setup(void) {
  ck_assert_int_eq(e2e_server_start(&srv, NULL), 0);
  ck_assert_int_eq(grpc_c_channel_create(&channel, srv.target, NULL), 0);
}

static void teardown(void) {
  grpc_c_channel_destroy(channel);
  channel = NULL;
  if (srv.server) e2e_server_stop(&srv, 1000);
}

/* ---- helpers ---- */

/* Open file descriptors of this process. */
static int count_fds(void) {
  DIR *dir = opendir("/proc/self/fd");
  ck_assert_ptr_nonnull(dir);
  int n = 0;
  for (struct dirent *e; (e = readdir(dir));)
    if (e->d_name[0] != '.') n++;
  closedir(dir);
  return n - 1; /* the directory's own */
}

/* Waits (at most `ms`) until count_fds() <= `most`; returns the last count. */
static int wait_fds_at_most(int most, int ms) {
  int n = count_fds();
  for (int waited = 0; n > most && waited < ms; waited += 10) {
    e2e_sleep_ms(10);
    n = count_fds();
  }
  return n;
}

/* Waits (at most `ms`) until *counter >= value; returns the last value. */
static int wait_counter(atomic_int *counter, int value, int ms) {
  for (int waited = 0; atomic_load(counter) < value && waited < ms; waited += 5)
    e2e_sleep_ms(5);
  return atomic_load(counter);
}

/* One normal unary call; the server still serves. */
static void expect_serving(grpc_c_channel *ch) {
  grpc_c_call_options *opts = e2e_timeout_opts(10000);
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  req.text = "still here";
  E2e__EchoReply *reply = NULL;
  ck_assert_int_eq(e2e__echo__unary__call(ch, &req, &reply, opts, NULL),
                   GRPC_C_OK);
  ck_assert_str_eq(reply->text, "still here");
  e2e__echo_reply__free_unpacked(reply, NULL);
  grpc_c_call_options_free(opts);
}

typedef struct child {
  pid_t pid;
  int out; /* read end of the child's stdout */
} child;

/* Starts `test_fault --child role arg` with its stdout on a pipe. */
static child spawn_child(const char *role, const char *arg) {
  int fds[2];
  ck_assert_int_eq(pipe2(fds, O_CLOEXEC), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  char *argv[] = {"test_fault", "--child", (char *)role, (char *)arg, NULL};
  child c = {0, fds[0]};
  ck_assert_int_eq(
      posix_spawn(&c.pid, "/proc/self/exe", &actions, NULL, argv, environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  return c;
}

/* Reads the child's stdout until a line starting with `prefix` (at most
 * 20 s); copies that line into `line`. */
static void wait_line(child *c, const char *prefix, char *line, size_t cap) {
  size_t len = 0;
  for (int waited = 0; waited < 20000;) {
    char *nl = memchr(line, '\n', len);
    if (nl) {
      *nl = '\0';
      if (strncmp(line, prefix, strlen(prefix)) == 0) return;
      size_t rest = len - (size_t)(nl + 1 - line);
      memmove(line, nl + 1, rest);
      len = rest;
      continue;
    }
    struct pollfd p = {c->out, POLLIN, 0};
    int ready = poll(&p, 1, 100);
    waited += 100;
    if (ready <= 0) continue;
    ssize_t n = read(c->out, line + len, cap - 1 - len);
    ck_assert_msg(n > 0, "helper %d ended before saying \"%s\"", (int)c->pid,
                  prefix);
    len += (size_t)n;
  }
  ck_abort_msg("helper %d never said \"%s\"", (int)c->pid, prefix);
}

static void kill_child(child *c) {
  ck_assert_int_eq(kill(c->pid, SIGKILL), 0);
  int status;
  ck_assert_int_eq(waitpid(c->pid, &status, 0), c->pid);
  ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  close(c->out);
}

/* A TCP connection to 127.0.0.1:port. */
static int connect_to(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ck_assert_int_ge(fd, 0);
  struct sockaddr_in addr = {0};
  addr.sin_family = AF_INET;
  addr.sin_port = htons((uint16_t)port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ck_assert_int_eq(connect(fd, (struct sockaddr *)&addr, sizeof addr), 0);
  return fd;
}

/* ---- a client killed mid-stream ---- */

/* The server's handler ends, the server closes its side of the connection
 * and serves on. */
static void client_killed(const char *role) {
  int fds_before = count_fds();
  int done_before = atomic_load(&srv.streams_done);
  child c = spawn_child(role, srv.target);
  char line[256];
  wait_line(&c, "streaming", line, sizeof line);
  ck_assert_int_ge(atomic_load(&srv.handler_calls), 1);
  kill_child(&c);
  ck_assert_int_eq(wait_counter(&srv.streams_done, done_before + 1, 10000),
                   done_before + 1);
  ck_assert_int_le(wait_fds_at_most(fds_before, 5000), fds_before);
  expect_serving(channel);
}

START_TEST(client_killed_while_the_server_reads) {
  /* The Bidi handler is blocked reading: its read fails. */
  client_killed("bidi-writer");
}
END_TEST

START_TEST(client_killed_while_the_server_writes) {
  /* The ServerStream handler is blocked writing (the helper stopped
   * reading): its write fails. */
  client_killed("stream-reader");
}
END_TEST

/* ---- a server killed mid-stream ---- */

static void *blocking_unary(void *arg) {
  grpc_c_channel *ch = arg;
  grpc_c_call_options *opts = e2e_timeout_opts(30000);
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  req.sleep_ms = 20000; /* the server dies long before it answers */
  E2e__EchoReply *reply = NULL;
  grpc_c_code code = e2e__echo__unary__call(ch, &req, &reply, opts, NULL);
  grpc_c_call_options_free(opts);
  return (void *)(intptr_t)code;
}

START_TEST(server_killed_mid_stream_is_unavailable) {
  child c = spawn_child("server", NULL);
  char line[256];
  wait_line(&c, "listening on port ", line, sizeof line);
  char target[64];
  snprintf(target, sizeof target, "127.0.0.1:%d",
           atoi(line + strlen("listening on port ")));
  grpc_c_channel *ch;
  ck_assert_int_eq(grpc_c_channel_create(&ch, target, NULL), 0);
  grpc_c_call_options *opts = e2e_timeout_opts(30000);

  /* One call of each kind in flight when the server dies. */
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  req.text = "before";
  E2e__EchoReply *reply;
  E2e__Echo__Bidi_Stream *bidi;
  ck_assert_int_eq(e2e__echo__bidi__start(ch, opts, &bidi), 0);
  ck_assert(e2e__echo__bidi__write(bidi, &req));
  ck_assert(e2e__echo__bidi__read(bidi, &reply));
  req.count = 1000000;
  E2e__Echo__ServerStream_Stream *replies;
  ck_assert_int_eq(e2e__echo__server_stream__start(ch, &req, opts, &replies),
                   0);
  ck_assert(e2e__echo__server_stream__read(replies, &reply));
  E2e__Echo__ClientStream_Stream *upload;
  ck_assert_int_eq(e2e__echo__client_stream__start(ch, opts, &upload), 0);
  ck_assert(e2e__echo__client_stream__write(upload, &req));
  pthread_t unary;
  ck_assert_int_eq(pthread_create(&unary, NULL, blocking_unary, ch), 0);

  kill_child(&c);

  grpc_c_status status = GRPC_C_STATUS_INIT;
  ck_assert(!e2e__echo__bidi__read(bidi, &reply));
  ck_assert_int_eq(e2e__echo__bidi__finish(bidi, &status), GRPC_C_UNAVAILABLE);
  /* Replies already received are read first; a million never fit. */
  int read = 0;
  while (read < 1000000 && e2e__echo__server_stream__read(replies, &reply))
    read++;
  ck_assert_int_lt(read, 1000000);
  ck_assert_int_eq(e2e__echo__server_stream__finish(replies, &status),
                   GRPC_C_UNAVAILABLE);
  ck_assert_int_eq(e2e__echo__client_stream__finish(upload, &reply, &status),
                   GRPC_C_UNAVAILABLE);
  ck_assert_ptr_null(reply);
  void *code;
  ck_assert_int_eq(pthread_join(unary, &code), 0);
  ck_assert_int_eq((int)(intptr_t)code, GRPC_C_UNAVAILABLE);
  grpc_c_status_clear(&status);
  grpc_c_call_options_free(opts);
  grpc_c_channel_destroy(ch);
}
END_TEST

/* ---- bytes that are not gRPC ---- */

/* Sends `bytes` and expects the server to close the connection (at most
 * 10 s), whatever it answers first. */
static void expect_dropped(const void *bytes, size_t len) {
  int fd = connect_to(srv.port);
  ssize_t sent = send(fd, bytes, len, MSG_NOSIGNAL);
  ck_assert(sent == (ssize_t)len ||
            (sent < 0 && (errno == ECONNRESET || errno == EPIPE)));
  bool closed = false;
  size_t answered = 0;
  for (int waited = 0; waited < 10000 && !closed;) {
    struct pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) {
      waited += 100;
      continue;
    }
    char buf[4096];
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n > 0) {
      answered += (size_t)n;
      ck_assert_uint_lt(answered, 1 << 20); /* an answer, not a stream */
    } else {
      closed = n == 0 || errno == ECONNRESET;
    }
  }
  close(fd);
  ck_assert_msg(closed, "the server kept a connection that sent %zu bytes",
                len);
}

static const char h2_preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

START_TEST(garbage_and_http1_are_dropped) {
  int fds_before = count_fds();
  uint8_t garbage[4096];
  uint32_t x = 2463534242u; /* xorshift32: the same bytes every run */
  for (size_t i = 0; i < sizeof garbage; i++) {
    x ^= x << 13, x ^= x >> 17, x ^= x << 5;
    garbage[i] = (uint8_t)x;
  }
  expect_dropped(garbage, sizeof garbage);

  static const char get[] = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  expect_dropped(get, sizeof get - 1);
  static const char post[] =
      "POST /e2e.Echo/Unary HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "Content-Type: application/grpc\r\nTE: trailers\r\n"
      "Content-Length: 5\r\n\r\n\0\0\0\0\0";
  expect_dropped(post, sizeof post - 1);

  /* The HTTP/2 preface, then a frame no peer may send: a 16 MiB DATA frame
   * on stream 0. */
  uint8_t h2[sizeof h2_preface - 1 + 9 + 64];
  memcpy(h2, h2_preface, sizeof h2_preface - 1);
  uint8_t *frame = h2 + sizeof h2_preface - 1;
  static const uint8_t bad_header[9] = {0xff, 0xff, 0xff, 0x00, 0x00,
                                        0x00, 0x00, 0x00, 0x00};
  memcpy(frame, bad_header, sizeof bad_header);
  memset(frame + 9, 0xab, 64);
  expect_dropped(h2, sizeof h2);

  ck_assert_int_eq(atomic_load(&srv.handler_calls), 0);
  ck_assert_int_le(wait_fds_at_most(fds_before, 5000), fds_before);
  expect_serving(channel);
}
END_TEST

/* ---- idle connections ---- */

enum { IDLE_CONNECTIONS = 500 };

/* Opens `n` connections to the server and leaves them idle: every other one
 * a started HTTP/2 connection (preface and SETTINGS sent), the rest TCP
 * only. Waits until the server has accepted them all. */
static void open_idle(int *fds, int n) {
  int before = count_fds();
  static const uint8_t settings[9] = {0, 0, 0, 4, 0, 0, 0, 0, 0};
  for (int i = 0; i < n; i++) {
    fds[i] = connect_to(srv.port);
    if (i % 2) continue;
    ck_assert_int_eq(
        send(fds[i], h2_preface, sizeof h2_preface - 1, MSG_NOSIGNAL),
        (ssize_t)sizeof h2_preface - 1);
    ck_assert_int_eq(send(fds[i], settings, sizeof settings, MSG_NOSIGNAL),
                     (ssize_t)sizeof settings);
  }
  /* Our n ends and the server's n accepted ones. `before` may still hold
   * a few descriptors of the previous test that the core closes a moment
   * later (seen: one), so allow that many. */
  enum { LINGERING = 8 };
  int want = before + 2 * n - LINGERING;
  int n_fds = count_fds();
  for (int waited = 0; n_fds < want && waited < 10000; waited += 10) {
    e2e_sleep_ms(10);
    n_fds = count_fds();
  }
  ck_assert_int_ge(n_fds, want);
}

START_TEST(idle_connections_held_then_closed) {
  expect_serving(channel); /* the channel's own connection is counted */
  int fds_before = count_fds();
  static int fds[IDLE_CONNECTIONS];
  open_idle(fds, IDLE_CONNECTIONS);
  expect_serving(channel);
  /* A new client too, on a connection of its own. */
  grpc_c_channel *late;
  ck_assert_int_eq(grpc_c_channel_create(&late, srv.target, NULL), 0);
  expect_serving(late);
  grpc_c_channel_destroy(late);
  for (int i = 0; i < IDLE_CONNECTIONS; i++) close(fds[i]);
  ck_assert_int_le(wait_fds_at_most(fds_before, 10000), fds_before);
  expect_serving(channel);
  double start = e2e_now_s();
  e2e_server_stop(&srv, 1000);
  ck_assert_double_lt(e2e_now_s() - start, 5.0);
}
END_TEST

START_TEST(server_stops_with_idle_connections_held) {
  static int fds[IDLE_CONNECTIONS];
  open_idle(fds, IDLE_CONNECTIONS);
  expect_serving(channel);
  double start = e2e_now_s();
  e2e_server_stop(&srv, 1000);
  ck_assert_double_lt(e2e_now_s() - start, 5.0);
  /* The server closed its ends: every peer reads what the server last sent
   * (SETTINGS, GOAWAY), then the end of the stream. All within 10 s. */
  int closed = 0;
  double give_up_at = e2e_now_s() + 10;
  for (int i = 0; i < IDLE_CONNECTIONS; i++) {
    while (e2e_now_s() < give_up_at) {
      char buf[256];
      ssize_t n = recv(fds[i], buf, sizeof buf, MSG_DONTWAIT);
      if (n == 0 || (n < 0 && errno == ECONNRESET)) {
        closed++;
        break;
      }
      if (n < 0) e2e_sleep_ms(10); /* nothing yet */
    }
    close(fds[i]);
  }
  ck_assert_int_eq(closed, IDLE_CONNECTIONS);
}
END_TEST

/* ---- storms of calls that end early ---- */

enum { STORM_CALLS = 2000, STORM_THREADS = 8 };

/* What a storm's workers saw. Workers never call ck_assert (Check cannot
 * fail a test from another thread): they count, the test thread checks. */
typedef struct storm {
  atomic_int calls; /* started */
  atomic_int ended; /* with a status */
  atomic_int by_code[GRPC_C_UNAUTHENTICATED + 1];
  atomic_int problems; /* unexpected codes or failed starts */
  double give_up_at;   /* the loops' time bound */
  unsigned allowed;    /* bit per allowed grpc_c_code */
  grpc_c_channel *async_channel;
  grpc_c_cancel_source *sources[STORM_CALLS];
} storm;

static void storm_problem(storm *s, const char *what) {
  fprintf(stderr, "storm: %s\n", what);
  atomic_fetch_add(&s->problems, 1);
}

static void storm_end(storm *s, grpc_c_code code) {
  if (code >= 0 && code <= GRPC_C_UNAUTHENTICATED)
    atomic_fetch_add(&s->by_code[code], 1);
  if (code < 0 || code > GRPC_C_UNAUTHENTICATED || !(s->allowed & (1u << code)))
    storm_problem(s, grpc_c_code_name(code));
  atomic_fetch_add(&s->ended, 1);
}

/* A small per-thread random number generator (rand() shares state). */
static unsigned next_random(unsigned *state) {
  *state = *state * 1103515245u + 12345u;
  return (*state >> 16) & 0x7fff;
}

static void *deadline_worker(void *arg) {
  storm *s = arg;
  unsigned rnd = (unsigned)(uintptr_t)pthread_self();
  while (atomic_fetch_add(&s->calls, 1) < STORM_CALLS &&
         e2e_now_s() < s->give_up_at) {
    grpc_c_call_options *opts;
    if (grpc_c_call_options_new(&opts) ||
        grpc_c_call_options_set_timeout_ms(opts, 1 + next_random(&rnd) % 8)) {
      storm_problem(s, "options");
      break;
    }
    E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
    E2e__EchoReply *reply = NULL;
    if (next_random(&rnd) % 4) { /* unary, answered after 0-10 ms */
      req.sleep_ms = (int)(next_random(&rnd) % 11);
      storm_end(s, e2e__echo__unary__call(channel, &req, &reply, opts, NULL));
      if (reply) e2e__echo_reply__free_unpacked(reply, NULL);
    } else { /* a stream the server holds until the deadline */
      E2e__Echo__Bidi_Stream *stream;
      if (e2e__echo__bidi__start(channel, opts, &stream)) {
        storm_problem(s, "bidi start");
      } else {
        req.wait_for_cancel = true;
        e2e__echo__bidi__write(stream, &req); /* may fail: deadline */
        if (e2e__echo__bidi__read(stream, &reply))
          storm_problem(s, "a reply to a request that waits");
        grpc_c_code code = e2e__echo__bidi__finish(stream, NULL);
        storm_end(s, code == GRPC_C_OK ? GRPC_C_UNKNOWN : code);
      }
    }
    grpc_c_call_options_free(opts);
  }
  return NULL;
}

static void run_storm(storm *s, void *(*worker)(void *)) {
  s->give_up_at = e2e_now_s() + 120;
  pthread_t threads[STORM_THREADS];
  for (int i = 0; i < STORM_THREADS; i++)
    ck_assert_int_eq(pthread_create(&threads[i], NULL, worker, s), 0);
  for (int i = 0; i < STORM_THREADS; i++) pthread_join(threads[i], NULL);
  ck_assert_int_eq(atomic_load(&s->problems), 0);
  ck_assert_int_eq(atomic_load(&s->ended), STORM_CALLS);
}

/* After a storm the server serves, and stops within its grace: every
 * handler has returned or returns when cancelled. */
static void expect_calm_after(void) {
  expect_serving(channel);
  double start = e2e_now_s();
  e2e_server_stop(&srv, 2000);
  ck_assert_double_lt(e2e_now_s() - start, 10.0);
}

START_TEST(deadline_storm) {
  static storm s;
  memset(&s, 0, sizeof s);
  s.allowed = 1u << GRPC_C_OK | 1u << GRPC_C_DEADLINE_EXCEEDED;
  run_storm(&s, deadline_worker);
  ck_assert_int_gt(atomic_load(&s.by_code[GRPC_C_DEADLINE_EXCEEDED]), 0);
  expect_calm_after();
}
END_TEST

typedef struct async_call {
  storm *s;
  atomic_int done;
} async_call;

static void on_async_done(const grpc_c_status *status, E2e__EchoReply *reply,
                          void *user_data) {
  async_call *call = user_data;
  storm_end(call->s, status->code);
  if (reply) e2e__echo_reply__free_unpacked(reply, NULL);
  atomic_store(&call->done, 1);
}

/* Async unary, cancelled through its source from this thread while the
 * channel's thread may be completing it. The sources are freed only after
 * the channel (see async_cancel_source_freed_after_the_callback). */
static void async_cancelled(storm *s, int index, unsigned *rnd) {
  grpc_c_cancel_source *source;
  grpc_c_call_options *opts;
  if (grpc_c_cancel_source_new(&source)) {
    storm_problem(s, "cancel source");
    return;
  }
  s->sources[index] = source;
  if (grpc_c_call_options_new(&opts) ||
      grpc_c_call_options_set_cancel_source(opts, source)) {
    storm_problem(s, "options");
    return;
  }
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  req.sleep_ms = (int)(next_random(rnd) % 4);
  async_call call = {s, 0};
  if (e2e__echo__unary__call_async(s->async_channel, &req, opts, on_async_done,
                                   &call)) {
    storm_problem(s, "async start");
  } else {
    usleep(next_random(rnd) % 3000);
    grpc_c_cancel_source_cancel(source);
    if (wait_counter(&call.done, 1, 10000) != 1)
      storm_problem(s, "no callback within 10 s");
  }
  grpc_c_call_options_free(opts);
}

static void *cancel_worker(void *arg) {
  storm *s = arg;
  unsigned rnd = (unsigned)(uintptr_t)pthread_self();
  int index;
  while ((index = atomic_fetch_add(&s->calls, 1)) < STORM_CALLS &&
         e2e_now_s() < s->give_up_at) {
    int kind = (int)(next_random(&rnd) % 3);
    E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
    E2e__EchoReply *reply;
    if (kind == 0) {
      async_cancelled(s, index, &rnd);
    } else if (kind == 1) {
      /* Bidi, cancelled after 0-3 round trips. */
      E2e__Echo__Bidi_Stream *stream;
      if (e2e__echo__bidi__start(channel, NULL, &stream)) {
        storm_problem(s, "bidi start");
        continue;
      }
      int rounds = (int)(next_random(&rnd) % 4);
      for (int i = 0; i < rounds; i++)
        if (!e2e__echo__bidi__write(stream, &req) ||
            !e2e__echo__bidi__read(stream, &reply))
          break;
      usleep(next_random(&rnd) % 3000);
      e2e__echo__bidi__cancel(stream);
      storm_end(s, e2e__echo__bidi__finish(stream, NULL));
    } else {
      /* ServerStream, cancelled while replies arrive (or after the last,
       * when the call may have ended well). */
      req.count = 50;
      E2e__Echo__ServerStream_Stream *stream;
      if (e2e__echo__server_stream__start(channel, &req, NULL, &stream)) {
        storm_problem(s, "server stream start");
        continue;
      }
      int reads = (int)(next_random(&rnd) % 60);
      for (int i = 0; i < reads; i++)
        if (!e2e__echo__server_stream__read(stream, &reply)) break;
      usleep(next_random(&rnd) % 3000);
      e2e__echo__server_stream__cancel(stream);
      storm_end(s, e2e__echo__server_stream__finish(stream, NULL));
    }
  }
  return NULL;
}

START_TEST(cancel_storm) {
  static storm s;
  memset(&s, 0, sizeof s);
  s.allowed = 1u << GRPC_C_OK | 1u << GRPC_C_CANCELLED;
  ck_assert_int_eq(grpc_c_channel_create(&s.async_channel, srv.target, NULL),
                   0);
  run_storm(&s, cancel_worker);
  /* Destroying the channel joins its completion thread: only then is every
   * async call done with its source. */
  grpc_c_channel_destroy(s.async_channel);
  for (int i = 0; i < STORM_CALLS; i++) grpc_c_cancel_source_free(s.sources[i]);
  ck_assert_int_gt(atomic_load(&s.by_code[GRPC_C_CANCELLED]), 0);
  expect_calm_after();
}
END_TEST

/* ---- regressions ---- */

static void free_source_when_done(const grpc_c_status *status,
                                  E2e__EchoReply *reply, void *user_data) {
  ck_assert_int_eq(status->code, GRPC_C_OK);
  e2e__echo_reply__free_unpacked(reply, NULL);
  /* The call has ended: its callback reports the outcome, which is when
   * client.h allows freeing the source ("every call started with it must
   * have ended"). */
  grpc_c_cancel_source_free(user_data);
}

/* A regression: unary_async_complete() (runtime/src/client.c) used to run
 * the callback before leaving the call's cancel source, so a callback that
 * freed the source made the later detach a use after free (ASan:
 * heap-use-after-free in gc_cancel_detach; without ASan the cancel storm
 * hit "malloc(): unaligned tcache chunk detected"). It now leaves the
 * source first. */
START_TEST(async_cancel_source_freed_after_the_callback) {
  grpc_c_channel *ch;
  ck_assert_int_eq(grpc_c_channel_create(&ch, srv.target, NULL), 0);
  grpc_c_cancel_source *source;
  ck_assert_int_eq(grpc_c_cancel_source_new(&source), 0);
  grpc_c_call_options *opts;
  ck_assert_int_eq(grpc_c_call_options_new(&opts), 0);
  ck_assert_int_eq(grpc_c_call_options_set_cancel_source(opts, source), 0);
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  ck_assert_int_eq(e2e__echo__unary__call_async(ch, &req, opts,
                                                free_source_when_done, source),
                   0);
  grpc_c_call_options_free(opts);
  grpc_c_channel_destroy(ch); /* joins the callback's thread */
}
END_TEST

/* ---- messages that do not parse ---- */

/* EchoRequest's field 1 is a string; BadRequest's a fixed64 (another wire
 * type), so a BadRequest is no EchoRequest and an EchoReply no BadRequest. */
static const grpc_c_method bad_client_stream = {
    "/e2e.Echo/ClientStream", GRPC_C_METHOD_CLIENT_STREAMING,
    &e2e__bad_request__descriptor, &e2e__echo_reply__descriptor, NULL};
static const grpc_c_method bad_bidi = {
    "/e2e.Echo/Bidi", GRPC_C_METHOD_BIDI_STREAMING,
    &e2e__bad_request__descriptor, &e2e__echo_reply__descriptor, NULL};
static const grpc_c_method bad_server_stream = {
    "/e2e.Echo/ServerStream", GRPC_C_METHOD_SERVER_STREAMING,
    &e2e__bad_request__descriptor, &e2e__echo_reply__descriptor, NULL};
static const grpc_c_method reply_as_bad_request = {
    "/e2e.Echo/Unary", GRPC_C_METHOD_UNARY, &e2e__echo_request__descriptor,
    &e2e__bad_request__descriptor, NULL};
static const grpc_c_method replies_as_bad_requests = {
    "/e2e.Echo/ServerStream", GRPC_C_METHOD_SERVER_STREAMING,
    &e2e__echo_request__descriptor, &e2e__bad_request__descriptor, NULL};

static void expect_internal(grpc_c_code code, grpc_c_status *status) {
  ck_assert_int_eq(code, GRPC_C_INTERNAL);
  ck_assert_ptr_nonnull(status->message);
  grpc_c_status_clear(status);
}

START_TEST(streams_with_undecodable_requests_are_internal) {
  E2e__BadRequest bad = E2E__BAD_REQUEST__INIT;
  bad.text = 42;
  grpc_c_status status = GRPC_C_STATUS_INIT;
  grpc_c_client_stream *stream;
  ProtobufCMessage *reply;

  /* Client streaming: the handler's read fails, the call ends INTERNAL. */
  ck_assert_int_eq(grpc_c_client_stream_start(channel, &bad_client_stream, NULL,
                                              NULL, &stream),
                   0);
  ck_assert(grpc_c_client_stream_write(stream, &bad.base));
  expect_internal(grpc_c_client_stream_finish(stream, &reply, &status),
                  &status);
  ck_assert_ptr_null(reply);

  /* Bidi, after a well-formed first message: the handler's second read
   * fails. */
  ck_assert_int_eq(
      grpc_c_client_stream_start(channel, &bad_bidi, NULL, NULL, &stream), 0);
  E2e__BadRequest fine = E2E__BAD_REQUEST__INIT; /* empty: parses as any */
  ck_assert(grpc_c_client_stream_write(stream, &fine.base));
  ck_assert(grpc_c_client_stream_read(stream, &reply));
  grpc_c_client_stream_write(stream, &bad.base);
  ck_assert(!grpc_c_client_stream_read(stream, &reply));
  expect_internal(grpc_c_client_stream_finish(stream, NULL, &status), &status);

  /* Server streaming: the request is decoded before the handler runs. */
  int calls_before = atomic_load(&srv.handler_calls);
  ck_assert_int_eq(grpc_c_client_stream_start(channel, &bad_server_stream,
                                              &bad.base, NULL, &stream),
                   0);
  ck_assert(!grpc_c_client_stream_read(stream, &reply));
  expect_internal(grpc_c_client_stream_finish(stream, NULL, &status), &status);
  ck_assert_int_eq(atomic_load(&srv.handler_calls), calls_before);

  ck_assert_int_eq(e2e_wait_for(&srv.streams_done, 2), 2);
  expect_serving(channel);
}
END_TEST

START_TEST(undecodable_replies_are_internal_on_the_client) {
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  req.text = "a string where a fixed64 is expected";
  grpc_c_status status = GRPC_C_STATUS_INIT;
  ProtobufCMessage *reply;
  expect_internal(grpc_c_unary_call(channel, &reply_as_bad_request, &req.base,
                                    &reply, NULL, &status),
                  &status);
  ck_assert_ptr_null(reply);

  req.count = 3;
  grpc_c_client_stream *stream;
  ck_assert_int_eq(grpc_c_client_stream_start(channel, &replies_as_bad_requests,
                                              &req.base, NULL, &stream),
                   0);
  ck_assert(!grpc_c_client_stream_read(stream, &reply));
  expect_internal(grpc_c_client_stream_finish(stream, NULL, &status), &status);
  expect_serving(channel);
}
END_TEST

/* ---- helper roles ---- */

static int bidi_writer(const char *target) {
  grpc_c_channel *ch;
  E2e__Echo__Bidi_Stream *stream;
  if (grpc_c_channel_create(&ch, target, NULL) ||
      e2e__echo__bidi__start(ch, NULL, &stream))
    return 1;
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  req.text = "ping";
  E2e__EchoReply *reply;
  double end = e2e_now_s() + 60;
  for (int i = 0; e2e_now_s() < end; i++) {
    if (!e2e__echo__bidi__write(stream, &req) ||
        !e2e__echo__bidi__read(stream, &reply))
      return 1;
    if (i == 0) {
      printf("streaming\n");
      fflush(stdout);
    }
    e2e_sleep_ms(1);
  }
  return 1; /* never reached in the test: killed first */
}

static int stream_reader(const char *target) {
  grpc_c_channel *ch;
  E2e__Echo__ServerStream_Stream *stream;
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  req.count = 1000000;
  req.text = "a reply long enough to fill the flow-control windows soon";
  E2e__EchoReply *reply;
  if (grpc_c_channel_create(&ch, target, NULL) ||
      e2e__echo__server_stream__start(ch, &req, NULL, &stream) ||
      !e2e__echo__server_stream__read(stream, &reply))
    return 1;
  printf("streaming\n");
  fflush(stdout);
  e2e_sleep_ms(60000);
  return 1;
}

static int serve(void) {
  e2e_server s;
  if (e2e_server_start(&s, NULL)) return 1;
  printf("listening on port %d\n", s.port);
  fflush(stdout);
  int rc = grpc_c_server_wait_for_signal(s.server, 2000);
  e2e_server_stop(&s, 0);
  return rc == 0 ? 0 : 1;
}

static int run_child(int argc, char **argv) {
  alarm(120);
  const char *role = argv[2];
  if (strcmp(role, "bidi-writer") == 0 && argc == 4)
    return bidi_writer(argv[3]);
  if (strcmp(role, "stream-reader") == 0 && argc == 4)
    return stream_reader(argv[3]);
  if (strcmp(role, "server") == 0) return serve();
  fprintf(stderr, "test_fault: unknown helper role %s\n", role);
  return 2;
}

/* One test case per test, so CK_RUN_CASE=<test name> runs one. */
static void add(Suite *suite, const char *name, const TTest *test) {
  TCase *tc = tcase_create(name);
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 240);
  tcase_add_test(tc, test);
  suite_add_tcase(suite, tc);
}
#define ADD(suite, test) add(suite, #test, test)

int main(int argc, char **argv) {
  if (argc >= 3 && strcmp(argv[1], "--child") == 0)
    return run_child(argc, argv);
  /* 500 idle connections take 1,000 descriptors (both ends). */
  struct rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < 4096) {
    limit.rlim_cur = limit.rlim_max < 4096 ? limit.rlim_max : 4096;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
  Suite *suite = suite_create("fault");
  ADD(suite, client_killed_while_the_server_reads);
  ADD(suite, client_killed_while_the_server_writes);
  ADD(suite, server_killed_mid_stream_is_unavailable);
  ADD(suite, garbage_and_http1_are_dropped);
  ADD(suite, idle_connections_held_then_closed);
  ADD(suite, server_stops_with_idle_connections_held);
  ADD(suite, deadline_storm);
  ADD(suite, cancel_storm);
  ADD(suite, streams_with_undecodable_requests_are_internal);
  ADD(suite, undecodable_replies_are_internal_on_the_client);
  ADD(suite, async_cancel_source_freed_after_the_callback);
  return e2e_run_suite(suite);
}
