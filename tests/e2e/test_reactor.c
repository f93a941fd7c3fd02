/* End-to-end tests of non-blocking streaming methods: handlers on the
 * pollers with a reactor, queued writes, finish from any thread,
 * cancellation, shutdown, and thousands of open streams on one server
 * without a thread each. */
#define _GNU_SOURCE
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e.grpc-c.h"
#include "e2e_server.h"

/* ---- the server: the Echo service with non-blocking stream handlers ---- */

static grpc_c_server *server;
static grpc_c_channel *channel;
static char target[64];
static atomic_int reads_seen, read_dones, cancels, dones;
static atomic_int writes_sent, replies_seen; /* set by the client side */

/* Checks made on server threads (handlers, callbacks, helper threads):
 * Check's assertions may only fail on the test's own thread, so these are
 * counted here, the first one kept, and teardown asserts none happened. */
static atomic_int server_faults;
static char first_fault[160];
#define SERVER_EXPECT(cond)                                            \
  do {                                                                 \
    if (!(cond) && atomic_fetch_add(&server_faults, 1) == 0)           \
      snprintf(first_fault, sizeof first_fault, "%s:%d: %s", __FILE__, \
               __LINE__, #cond);                                       \
  } while (0)

typedef struct bidi_state {
  int index;
  int count;             /* client streaming: messages seen */
  E2e__EchoReply *reply; /* client streaming: the response to fill */
  char text[32];         /* client streaming: the last text seen */
} bidi_state;

static void *finish_later(void *arg) {
  grpc_c_server_ctx *ctx = arg;
  e2e_sleep_ms(20);
  E2e__EchoReply reply = E2E__ECHO_REPLY__INIT;
  reply.text = "from another thread";
  SERVER_EXPECT(e2e__echo__bidi__server_write(
      (E2e__Echo__Bidi_ServerStream *)ctx, &reply));
  SERVER_EXPECT(grpc_c_server_ctx_finish(ctx, GRPC_C_OK) == 0);
  return NULL;
}

static void bidi_on_read(grpc_c_server_ctx *ctx, const ProtobufCMessage *msg,
                         void *user_data) {
  bidi_state *state = user_data;
  const E2e__EchoRequest *req = (const E2e__EchoRequest *)msg;
  atomic_fetch_add(&reads_seen, 1);
  if (req->wait_for_cancel) return;
  if (strcmp(req->text, "finish from a thread") == 0) {
    pthread_t thread;
    SERVER_EXPECT(pthread_create(&thread, NULL, finish_later, ctx) == 0);
    pthread_detach(thread);
    return;
  }
  /* Pauses that let a test see when replies leave (bounded). */
  if (strcmp(req->text, "wait for the writes") == 0) {
    SERVER_EXPECT(e2e_wait_for(&writes_sent, 1) == 1);
    e2e_sleep_ms(200); /* the requests cross loopback meanwhile */
  } else if (strcmp(req->text, "wait for a reply") == 0) {
    /* Fails (after 2 s) when reply 1 is still held at the server. */
    SERVER_EXPECT(e2e_wait_for(&replies_seen, 1) == 1);
  }
  E2e__EchoReply reply = E2E__ECHO_REPLY__INIT;
  reply.text = req->text;
  reply.payload = req->payload;
  reply.index = state->index++;
  /* Several replies per request when asked, all queued at once. */
  for (int i = 0; i < (req->count > 0 ? req->count : 1); i++)
    e2e__echo__bidi__server_write((E2e__Echo__Bidi_ServerStream *)ctx, &reply);
}

static void bidi_on_read_done(grpc_c_server_ctx *ctx, void *user_data) {
  (void)user_data;
  atomic_fetch_add(&read_dones, 1);
  /* ESTATE when another thread finished the call already. */
  grpc_c_server_ctx_finish(
      ctx, grpc_c_server_ctx_is_cancelled(ctx) ? GRPC_C_CANCELLED : GRPC_C_OK);
}

static void on_cancel(grpc_c_server_ctx *ctx, void *user_data) {
  (void)user_data;
  atomic_fetch_add(&cancels, 1);
  grpc_c_server_ctx_finish(ctx, GRPC_C_CANCELLED);
}

static void on_done(grpc_c_server_ctx *ctx, void *user_data) {
  (void)ctx;
  free(user_data);
  atomic_fetch_add(&dones, 1);
}

static const grpc_c_stream_reactor bidi_reactor = {
    .on_read = bidi_on_read,
    .on_read_done = bidi_on_read_done,
    .on_cancel = on_cancel,
    .on_done = on_done};

static grpc_c_code on_bidi(void *self, grpc_c_server_ctx *ctx,
                           E2e__Echo__Bidi_ServerStream *stream) {
  (void)self;
  (void)stream;
  E2e__EchoRequest *req;
  /* Blocking reads are refused for non-blocking methods. */
  SERVER_EXPECT(!e2e__echo__bidi__server_read(stream, &req));
  bidi_state *state = calloc(1, sizeof *state);
  SERVER_EXPECT(state != NULL);
  if (!state) return GRPC_C_RESOURCE_EXHAUSTED;
  SERVER_EXPECT(grpc_c_server_ctx_react(ctx, &bidi_reactor, state) == 0);
  SERVER_EXPECT(grpc_c_server_ctx_react(ctx, &bidi_reactor, state) ==
                GRPC_C_ESTATE);
  return GRPC_C_INTERNAL; /* ignored: the reactor owns the call */
}

/* Client streaming and server streaming use the generated typed reactors
 * (<method>__server_react); bidi above uses the generic one. */
static void client_on_read(grpc_c_server_ctx *ctx,
                           E2e__Echo__ClientStream_ServerStream *stream,
                           const E2e__EchoRequest *req, void *user_data) {
  (void)ctx;
  (void)stream;
  bidi_state *state = user_data;
  state->count++;
  /* The typed request: its text is kept, the last one wins. */
  if (req->text[0]) snprintf(state->text, sizeof state->text, "%s", req->text);
  atomic_fetch_add(&reads_seen, 1);
}

static void client_on_read_done(grpc_c_server_ctx *ctx,
                                E2e__Echo__ClientStream_ServerStream *stream,
                                void *user_data) {
  (void)stream;
  bidi_state *state = user_data;
  atomic_fetch_add(&read_dones, 1);
  /* The response lives until the call ends: fill it, then finish. */
  state->reply->index = state->count;
  state->reply->text =
      grpc_c_server_ctx_strdup(ctx, state->text[0] ? state->text : "counted");
  grpc_c_server_ctx_finish(ctx, GRPC_C_OK);
}

static void client_on_cancel(grpc_c_server_ctx *ctx,
                             E2e__Echo__ClientStream_ServerStream *stream,
                             void *user_data) {
  (void)stream;
  on_cancel(ctx, user_data);
}

static void client_on_done(grpc_c_server_ctx *ctx,
                           E2e__Echo__ClientStream_ServerStream *stream,
                           void *user_data) {
  (void)stream;
  on_done(ctx, user_data);
}

static const E2e__Echo__ClientStream_Reactor client_reactor = {
    .on_read = client_on_read,
    .on_read_done = client_on_read_done,
    .on_cancel = client_on_cancel,
    .on_done = client_on_done};

static void server_stream_on_done(grpc_c_server_ctx *ctx,
                                  E2e__Echo__ServerStream_ServerStream *stream,
                                  void *user_data) {
  (void)ctx;
  (void)stream;
  (void)user_data;
  atomic_fetch_add(&dones, 1);
}

/* Only on_done: the call ends before anything else could happen. */
static const E2e__Echo__ServerStream_Reactor server_stream_reactor = {
    .on_done = server_stream_on_done};

static grpc_c_code on_client_stream(
    void *self, grpc_c_server_ctx *ctx,
    E2e__Echo__ClientStream_ServerStream *stream, E2e__EchoReply *reply) {
  (void)self;
  (void)ctx;
  bidi_state *state = calloc(1, sizeof *state);
  SERVER_EXPECT(state != NULL);
  if (!state) return GRPC_C_RESOURCE_EXHAUSTED;
  state->reply = reply;
  SERVER_EXPECT(e2e__echo__client_stream__server_react(stream, &client_reactor,
                                                       state) == 0);
  return GRPC_C_OK;
}

/* Server streaming: queue every reply and return at once, without a
 * reactor, or with a typed one that counts on_done when `defer` is set. */
static grpc_c_code on_server_stream(
    void *self, grpc_c_server_ctx *ctx, const E2e__EchoRequest *req,
    E2e__Echo__ServerStream_ServerStream *stream) {
  (void)self;
  if (req->fail_code) return (grpc_c_code)req->fail_code;
  if (req->defer)
    SERVER_EXPECT(e2e__echo__server_stream__server_react(
                      stream, &server_stream_reactor, NULL) == 0);
  for (int i = 0; i < req->count; i++) {
    E2e__EchoReply reply = E2E__ECHO_REPLY__INIT;
    reply.text = req->text;
    reply.index = i;
    SERVER_EXPECT(e2e__echo__server_stream__server_write(stream, &reply));
  }
  if (req->defer) /* with a reactor, the call ends with finish */
    SERVER_EXPECT(grpc_c_server_ctx_finish(ctx, GRPC_C_OK) == 0);
  return GRPC_C_OK;
}

static const E2e__Echo_Servicer servicer = {.bidi = on_bidi,
                                            .client_stream = on_client_stream,
                                            .server_stream = on_server_stream};

/* Two pollers; `receive_limit` > 0: requests may be at most that large,
 * inflated. */
static void start_server(int receive_limit) {
  grpc_c_server_options *opts;
  int port = 0;
  ck_assert_int_eq(grpc_c_server_options_new(&opts), 0);
  ck_assert_int_eq(grpc_c_server_options_set_poller_threads(opts, 2), 0);
  if (receive_limit > 0)
    ck_assert_int_eq(
        grpc_c_server_options_set_max_receive_message_size(opts, receive_limit),
        0);
  /* One stream worker: non-blocking streams must not need any. */
  ck_assert_int_eq(grpc_c_server_options_set_max_stream_workers(opts, 1), 0);
  ck_assert_int_eq(grpc_c_server_create(&server, opts), 0);
  grpc_c_server_options_free(opts);
  ck_assert_int_eq(grpc_c_server_add_listener(server, "127.0.0.1:0", &port), 0);
  ck_assert_int_eq(
      grpc_c_server_set_nonblocking(server, &e2e__echo__bidi__method),
      GRPC_C_EINVAL); /* not registered yet */
  ck_assert_int_eq(e2e__echo__servicer__register(server, &servicer, NULL), 0);
  ck_assert_int_eq(
      grpc_c_server_set_nonblocking(server, &e2e__echo__unary__method),
      GRPC_C_EINVAL);
  ck_assert_int_eq(
      grpc_c_server_set_nonblocking(server, &e2e__echo__bidi__method), 0);
  ck_assert_int_eq(
      grpc_c_server_set_nonblocking(server, &e2e__echo__client_stream__method),
      0);
  ck_assert_int_eq(
      grpc_c_server_set_nonblocking(server, &e2e__echo__server_stream__method),
      0);
  ck_assert_int_eq(grpc_c_server_start(server), 0);
  ck_assert_int_eq(
      grpc_c_server_set_nonblocking(server, &e2e__echo__bidi__method),
      GRPC_C_ESTATE);
  snprintf(target, sizeof target, "127.0.0.1:%d", port);
  ck_assert_int_eq(grpc_c_channel_create(&channel, target, NULL), 0);
}

static void setup(void) {
  atomic_store(&reads_seen, 0);
  atomic_store(&read_dones, 0);
  atomic_store(&cancels, 0);
  atomic_store(&dones, 0);
  atomic_store(&writes_sent, 0);
  atomic_store(&replies_seen, 0);
  atomic_store(&server_faults, 0);
  first_fault[0] = '\0';
  start_server(0);
}

static void teardown(void) {
  grpc_c_channel_destroy(channel);
  channel = NULL;
  if (server) {
    grpc_c_server_shutdown(server, 1000);
    grpc_c_server_destroy(server);
    server = NULL;
  }
  /* The server is gone: its threads wrote all they will. */
  ck_assert_msg(atomic_load(&server_faults) == 0,
                "%d check(s) failed on "
                "server threads, first: %s",
                atomic_load(&server_faults), first_fault);
}

static int thread_count(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  int threads = -1;
  while (f && fgets(line, sizeof line, f))
    if (sscanf(line, "Threads: %d", &threads) == 1) break;
  if (f) fclose(f);
  return threads;
}

/* ---- tests ---- */

START_TEST(reactor_bidi_answers_pipelined_requests_in_order) {
  enum { N = 500 };
  grpc_c_call_options *opts = e2e_timeout_opts(20000);
  E2e__Echo__Bidi_Stream *stream;
  ck_assert_int_eq(e2e__echo__bidi__start(channel, opts, &stream), 0);
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  char text[32];
  req.text = text;
  for (int i = 0; i < N; i++) {
    snprintf(text, sizeof text, "m%d", i);
    ck_assert(e2e__echo__bidi__write(stream, &req));
  }
  ck_assert(e2e__echo__bidi__writes_done(stream));
  for (int i = 0; i < N; i++) {
    E2e__EchoReply *reply;
    ck_assert(e2e__echo__bidi__read(stream, &reply));
    snprintf(text, sizeof text, "m%d", i);
    ck_assert_str_eq(reply->text, text);
    ck_assert_int_eq(reply->index, i);
  }
  E2e__EchoReply *extra;
  ck_assert(!e2e__echo__bidi__read(stream, &extra));
  ck_assert_int_eq(e2e__echo__bidi__finish(stream, NULL), GRPC_C_OK);
  grpc_c_call_options_free(opts);
  ck_assert_int_eq(e2e_wait_for(&dones, 1), 1);
  ck_assert_int_eq(atomic_load(&reads_seen), N);
  ck_assert_int_eq(atomic_load(&read_dones), 1);
  ck_assert_int_eq(atomic_load(&cancels), 0);
}
END_TEST

START_TEST(reactor_ping_pong_and_bursts_of_replies) {
  grpc_c_call_options *opts = e2e_timeout_opts(20000);
  E2e__Echo__Bidi_Stream *stream;
  ck_assert_int_eq(e2e__echo__bidi__start(channel, opts, &stream), 0);
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  for (int round = 0; round < 200; round++) {
    req.text = "ping";
    req.count = round % 5 == 0 ? 300 : 1; /* a burst now and then */
    ck_assert(e2e__echo__bidi__write(stream, &req));
    for (int i = 0; i < req.count; i++) {
      E2e__EchoReply *reply;
      ck_assert(e2e__echo__bidi__read(stream, &reply));
      ck_assert_str_eq(reply->text, "ping");
      ck_assert_int_eq(reply->index, round);
    }
  }
  ck_assert(e2e__echo__bidi__writes_done(stream));
  ck_assert_int_eq(e2e__echo__bidi__finish(stream, NULL), GRPC_C_OK);
  grpc_c_call_options_free(opts);
  ck_assert_int_eq(e2e_wait_for(&dones, 1), 1);
}
END_TEST

/* Replies to pipelined requests are buffered while more requests wait, but
 * only up to a few KiB: a client must not have to wait for the server to
 * work through every request it has before it sees a reply. The server
 * first waits until all requests are written (so they wait at the server),
 * then stops at request 20 until the client has seen reply 1; with the
 * core's own 64 KiB buffer, replies 1-19 (19 KiB) would still be held. */
START_TEST(pipelined_replies_leave_every_few_kilobytes) {
  enum { N = 40, PAYLOAD = 1024 };
  static uint8_t payload[PAYLOAD];
  grpc_c_call_options *opts = e2e_timeout_opts(20000);
  E2e__Echo__Bidi_Stream *stream;
  ck_assert_int_eq(e2e__echo__bidi__start(channel, opts, &stream), 0);
  for (int i = 0; i < N; i++) {
    E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
    req.text = i == 0    ? "wait for the writes"
               : i == 20 ? "wait for a reply"
                         : "m";
    req.payload.data = payload;
    req.payload.len = sizeof payload;
    ck_assert(e2e__echo__bidi__write(stream, &req));
  }
  atomic_store(&writes_sent, 1);
  for (int i = 0; i < N; i++) {
    E2e__EchoReply *reply;
    ck_assert(e2e__echo__bidi__read(stream, &reply));
    ck_assert_int_eq(reply->index, i);
    ck_assert_uint_eq(reply->payload.len, PAYLOAD);
    if (i == 1) atomic_store(&replies_seen, 1);
  }
  ck_assert(e2e__echo__bidi__writes_done(stream));
  E2e__EchoReply *extra;
  ck_assert(!e2e__echo__bidi__read(stream, &extra));
  ck_assert_int_eq(e2e__echo__bidi__finish(stream, NULL), GRPC_C_OK);
  grpc_c_call_options_free(opts);
  ck_assert_int_eq(e2e_wait_for(&dones, 1), 1);
}
END_TEST

/* Replies up to 23 bytes are packed into the byte buffer's inline slice,
 * longer ones into a slice of their own, and a stream reuses the previous
 * reply's buffer: replies of every size across that edge, in one stream,
 * arrive intact. */
START_TEST(replies_of_every_small_size_arrive_intact) {
  enum { LONGEST = 48 };
  static uint8_t bytes[LONGEST];
  for (int i = 0; i < LONGEST; i++) bytes[i] = (uint8_t)(0xA0 + i);
  grpc_c_call_options *opts = e2e_timeout_opts(20000);
  E2e__Echo__Bidi_Stream *stream;
  ck_assert_int_eq(e2e__echo__bidi__start(channel, opts, &stream), 0);
  for (int round = 0; round < 2; round++) { /* growing, then shrinking */
    for (int k = 0; k <= LONGEST; k++) {
      int len = round == 0 ? k : LONGEST - k;
      E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
      req.text = "";
      req.payload.data = bytes;
      req.payload.len = (size_t)len;
      ck_assert(e2e__echo__bidi__write(stream, &req));
      E2e__EchoReply *reply;
      ck_assert(e2e__echo__bidi__read(stream, &reply));
      ck_assert_uint_eq(reply->payload.len, (size_t)len);
      if (len) ck_assert_mem_eq(reply->payload.data, bytes, (size_t)len);
      ck_assert_int_eq(reply->index, round * (LONGEST + 1) + k);
    }
  }
  ck_assert(e2e__echo__bidi__writes_done(stream));
  ck_assert_int_eq(e2e__echo__bidi__finish(stream, NULL), GRPC_C_OK);
  grpc_c_call_options_free(opts);
  ck_assert_int_eq(e2e_wait_for(&dones, 1), 1);
}
END_TEST

START_TEST(reactor_finishes_from_another_thread) {
  grpc_c_call_options *opts = e2e_timeout_opts(10000);
  E2e__Echo__Bidi_Stream *stream;
  ck_assert_int_eq(e2e__echo__bidi__start(channel, opts, &stream), 0);
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  req.text = "finish from a thread";
  ck_assert(e2e__echo__bidi__write(stream, &req));
  E2e__EchoReply *reply;
  ck_assert(e2e__echo__bidi__read(stream, &reply));
  ck_assert_str_eq(reply->text, "from another thread");
  ck_assert(!e2e__echo__bidi__read(stream, &reply));
  ck_assert_int_eq(e2e__echo__bidi__finish(stream, NULL), GRPC_C_OK);
  grpc_c_call_options_free(opts);
  ck_assert_int_eq(e2e_wait_for(&dones, 1), 1);
}
END_TEST

START_TEST(reactor_sees_client_cancel) {
  E2e__Echo__Bidi_Stream *stream;
  ck_assert_int_eq(e2e__echo__bidi__start(channel, NULL, &stream), 0);
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  req.text = "hello";
  ck_assert(e2e__echo__bidi__write(stream, &req));
  E2e__EchoReply *reply;
  ck_assert(e2e__echo__bidi__read(stream, &reply));
  e2e__echo__bidi__cancel(stream);
  ck_assert_int_eq(e2e__echo__bidi__finish(stream, NULL), GRPC_C_CANCELLED);
  ck_assert_int_eq(e2e_wait_for(&dones, 1), 1);
  ck_assert_int_eq(atomic_load(&cancels), 1);
}
END_TEST

START_TEST(reactor_deadline_cancels_an_idle_stream) {
  e2e_bidi_expect_deadline(channel, 200);
  ck_assert_int_eq(e2e_wait_for(&dones, 1), 1);
  ck_assert_int_eq(atomic_load(&cancels), 1);
}
END_TEST

START_TEST(nonblocking_client_stream_counts_and_answers) {
  grpc_c_call_options *opts = e2e_timeout_opts(10000);
  E2e__Echo__ClientStream_Stream *stream;
  ck_assert_int_eq(e2e__echo__client_stream__start(channel, opts, &stream), 0);
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  char text[32];
  for (int i = 0; i < 100; i++) {
    snprintf(text, sizeof text, "request %d", i);
    req.text = text;
    ck_assert(e2e__echo__client_stream__write(stream, &req));
  }
  E2e__EchoReply *reply = NULL;
  ck_assert_int_eq(e2e__echo__client_stream__finish(stream, &reply, NULL),
                   GRPC_C_OK);
  ck_assert_ptr_nonnull(reply);
  /* Counted by the typed on_read, which saw each request's own text. */
  ck_assert_int_eq(reply->index, 100);
  ck_assert_str_eq(reply->text, "request 99");
  e2e__echo_reply__free_unpacked(reply, NULL);
  grpc_c_call_options_free(opts);
  ck_assert_int_eq(e2e_wait_for(&dones, 1), 1);
  ck_assert_int_eq(atomic_load(&reads_seen), 100);
  ck_assert_int_eq(atomic_load(&read_dones), 1);
}
END_TEST

/* Reactor reads keep the same receive limit as blocking reads, for a
 * request that is too large (_i 0) and for one that crosses gzipped as about
 * 1 KiB of zeros but inflates past it (_i 1): the call ends with
 * RESOURCE_EXHAUSTED. */
START_TEST(reactor_reads_keep_the_receive_limit) {
  teardown();
  start_server(64 * 1024);
  grpc_c_call_options *opts = e2e_timeout_opts(10000);
  ck_assert_int_eq(grpc_c_call_options_set_compression(
                       opts, _i ? GRPC_C_COMPRESS_GZIP : GRPC_C_COMPRESS_NONE),
                   0);
  E2e__Echo__ClientStream_Stream *stream;
  ck_assert_int_eq(e2e__echo__client_stream__start(channel, opts, &stream), 0);
  static uint8_t zeros[1024 * 1024];
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  req.payload.data = zeros;
  req.payload.len = sizeof zeros;
  (void)e2e__echo__client_stream__write(stream, &req);
  E2e__EchoReply *reply = NULL;
  ck_assert_int_eq(e2e__echo__client_stream__finish(stream, &reply, NULL),
                   GRPC_C_RESOURCE_EXHAUSTED);
  ck_assert_ptr_null(reply);
  grpc_c_call_options_free(opts);
  ck_assert_int_eq(e2e_wait_for(&dones, 1), 1);
}
END_TEST

/* Asks the server-streaming handler for `count` replies of `text` (with
 * its typed reactor when `typed`), checks them and the OK status. */
static void expect_server_stream(const char *text, int count, bool typed) {
  grpc_c_call_options *opts = e2e_timeout_opts(10000);
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  req.text = (char *)text;
  req.count = count;
  req.defer = typed;
  E2e__Echo__ServerStream_Stream *stream;
  ck_assert_int_eq(
      e2e__echo__server_stream__start(channel, &req, opts, &stream), 0);
  E2e__EchoReply *reply;
  int got = 0;
  while (e2e__echo__server_stream__read(stream, &reply)) {
    ck_assert_int_eq(reply->index, got);
    ck_assert_str_eq(reply->text, text);
    got++;
  }
  ck_assert_int_eq(got, count);
  ck_assert_int_eq(e2e__echo__server_stream__finish(stream, NULL), GRPC_C_OK);
  grpc_c_call_options_free(opts);
}

START_TEST(typed_reactor_on_a_server_stream) {
  expect_server_stream("typed", 50, true);
  /* on_done came through its thunk. */
  ck_assert_int_eq(e2e_wait_for(&dones, 1), 1);
}
END_TEST

/* A client cancels a client stream served by the typed reactor: its
 * on_cancel, on_read_done and on_done arrive through the generated
 * thunks. */
START_TEST(typed_reactor_sees_client_cancel) {
  E2e__Echo__ClientStream_Stream *stream;
  ck_assert_int_eq(e2e__echo__client_stream__start(channel, NULL, &stream), 0);
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  req.text = "then cancel";
  ck_assert(e2e__echo__client_stream__write(stream, &req));
  ck_assert_int_eq(e2e_wait_for(&reads_seen, 1), 1);
  e2e__echo__client_stream__cancel(stream);
  E2e__EchoReply *reply = NULL;
  ck_assert_int_eq(e2e__echo__client_stream__finish(stream, &reply, NULL),
                   GRPC_C_CANCELLED);
  ck_assert_ptr_null(reply);
  ck_assert_int_eq(e2e_wait_for(&dones, 1), 1);
  ck_assert_int_eq(atomic_load(&cancels), 1);
  /* The read side ended early, which on_read_done hears about too. */
  ck_assert_int_eq(atomic_load(&read_dones), 1);
}
END_TEST

START_TEST(nonblocking_server_stream_queues_and_returns) {
  expect_server_stream("many", 2000, false);
  grpc_c_call_options *opts = e2e_timeout_opts(10000);
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  req.fail_code = GRPC_C_NOT_FOUND;
  E2e__Echo__ServerStream_Stream *stream;
  E2e__EchoReply *reply;
  ck_assert_int_eq(
      e2e__echo__server_stream__start(channel, &req, opts, &stream), 0);
  ck_assert(!e2e__echo__server_stream__read(stream, &reply));
  ck_assert_int_eq(e2e__echo__server_stream__finish(stream, NULL),
                   GRPC_C_NOT_FOUND);
  grpc_c_call_options_free(opts);
}
END_TEST

/* Thousands of bidi streams open at once on one server with two pollers
 * and a single stream worker: every stream answers while all are open, and
 * the server starts no thread for them. */
START_TEST(thousands_of_open_streams_without_a_thread_each) {
  enum { STREAMS = 3000 };
  double t0 = e2e_now_s();
  int threads_before = thread_count();
  grpc_c_call_options *opts = e2e_timeout_opts(60000);
  E2e__Echo__Bidi_Stream **streams = calloc(STREAMS, sizeof *streams);
  ck_assert_ptr_nonnull(streams);
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  req.text = "open";
  for (int i = 0; i < STREAMS; i++) {
    ck_assert_int_eq(e2e__echo__bidi__start(channel, opts, &streams[i]), 0);
    ck_assert(e2e__echo__bidi__write(streams[i], &req));
  }
  for (int i = 0; i < STREAMS; i++) {
    E2e__EchoReply *reply;
    ck_assert_msg(e2e__echo__bidi__read(streams[i], &reply),
                  "stream %d got no reply", i);
    ck_assert_str_eq(reply->text, "open");
  }
  /* All open and answered; the server runs no handler thread for them. */
  ck_assert_int_eq(atomic_load(&reads_seen), STREAMS);
  ck_assert_int_eq(atomic_load(&dones), 0);
  int threads_open = thread_count();
  ck_assert_msg(threads_open - threads_before < 8, "threads %d -> %d",
                threads_before, threads_open);
  for (int i = 0; i < STREAMS; i++) {
    ck_assert(e2e__echo__bidi__writes_done(streams[i]));
    ck_assert_int_eq(e2e__echo__bidi__finish(streams[i], NULL), GRPC_C_OK);
  }
  free(streams);
  grpc_c_call_options_free(opts);
  /* every stream's on_done, bounded: 2 s per wait, a few waits */
  for (int k = 0; k < 10 && atomic_load(&dones) < STREAMS; k++)
    e2e_wait_for(&dones, STREAMS);
  ck_assert_int_eq(atomic_load(&dones), STREAMS);
  ck_assert_double_lt(e2e_now_s() - t0, 60.0);
}
END_TEST

START_TEST(shutdown_cancels_open_reactor_streams) {
  enum { STREAMS = 20 };
  E2e__Echo__Bidi_Stream *streams[STREAMS];
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  req.text = "open";
  for (int i = 0; i < STREAMS; i++) {
    ck_assert_int_eq(e2e__echo__bidi__start(channel, NULL, &streams[i]), 0);
    ck_assert(e2e__echo__bidi__write(streams[i], &req));
    E2e__EchoReply *reply;
    ck_assert(e2e__echo__bidi__read(streams[i], &reply));
  }
  double t0 = e2e_now_s();
  ck_assert_int_eq(grpc_c_server_shutdown(server, 100), 0);
  ck_assert_double_lt(e2e_now_s() - t0, 5.0);
  ck_assert_int_eq(atomic_load(&dones), STREAMS);
  for (int i = 0; i < STREAMS; i++)
    ck_assert_int_ne(e2e__echo__bidi__finish(streams[i], NULL), GRPC_C_OK);
}
END_TEST

static Suite *reactor_suite(void) {
  Suite *s = suite_create("reactor");
  TCase *tc = tcase_create("reactor");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, reactor_bidi_answers_pipelined_requests_in_order);
  tcase_add_test(tc, reactor_ping_pong_and_bursts_of_replies);
  tcase_add_test(tc, pipelined_replies_leave_every_few_kilobytes);
  tcase_add_test(tc, replies_of_every_small_size_arrive_intact);
  tcase_add_test(tc, reactor_finishes_from_another_thread);
  tcase_add_test(tc, reactor_sees_client_cancel);
  tcase_add_test(tc, reactor_deadline_cancels_an_idle_stream);
  tcase_add_test(tc, nonblocking_client_stream_counts_and_answers);
  tcase_add_test(tc, typed_reactor_on_a_server_stream);
  tcase_add_test(tc, typed_reactor_sees_client_cancel);
  tcase_add_loop_test(tc, reactor_reads_keep_the_receive_limit, 0, 2);
  tcase_add_test(tc, nonblocking_server_stream_queues_and_returns);
  tcase_add_test(tc, thousands_of_open_streams_without_a_thread_each);
  tcase_add_test(tc, shutdown_cancels_open_reactor_streams);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return e2e_run_suite(reactor_suite()); }
