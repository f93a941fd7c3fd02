/* Echo service handlers for the end-to-end tests. */
#define _GNU_SOURCE
#include "e2e_server.h"

#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "e2e.grpc-c.h"

void e2e_sleep_ms(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

double e2e_now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int e2e_wait_for(atomic_int *counter, int value) {
  for (int i = 0; i < 400 && atomic_load(counter) < value; i++) e2e_sleep_ms(5);
  return atomic_load(counter);
}

int e2e_run_suite(Suite *suite) {
  SRunner *runner = srunner_create(suite);
  srunner_run_all(runner, CK_NORMAL);
  int failed = srunner_ntests_failed(runner);
  srunner_free(runner);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* Waits (bounded: 10 s) until the call is cancelled. */
static bool wait_cancelled(grpc_c_server_ctx *ctx) {
  for (int i = 0; i < 2000; i++) {
    if (grpc_c_server_ctx_is_cancelled(ctx)) return true;
    e2e_sleep_ms(5);
  }
  return false;
}

/* Fills the reply fields every handler reports. */
static void describe_call(grpc_c_server_ctx *ctx, const E2e__EchoRequest *req,
                          E2e__EchoReply *reply) {
  int64_t left = grpc_c_server_ctx_time_remaining_ms(ctx);
  reply->deadline_ms = left == INT64_MAX ? -1 : left;
  reply->peer = grpc_c_server_ctx_strdup(ctx, grpc_c_server_ctx_peer(ctx));
  if (req->metadata_key && *req->metadata_key) {
    size_t len = 0;
    const char *value =
        grpc_c_server_ctx_metadata(ctx, req->metadata_key, 0, &len);
    if (value) {
      reply->metadata_value.data = (uint8_t *)value;
      reply->metadata_value.len = len;
    }
  }
}

typedef struct deferred_reply {
  grpc_c_server_ctx *ctx;
  E2e__EchoReply *reply;
} deferred_reply;

static void *finish_later(void *arg) {
  deferred_reply *d = arg;
  e2e_sleep_ms(20);
  d->reply->text = grpc_c_server_ctx_strdup(d->ctx, "deferred");
  grpc_c_server_ctx_finish(d->ctx, GRPC_C_OK);
  free(d);
  return NULL;
}

/* A deferred call learns that its client went away, and ends it. */
static void on_client_cancel(grpc_c_server_ctx *ctx, void *user_data) {
  e2e_server *s = user_data;
  if (grpc_c_server_ctx_is_cancelled(ctx))
    atomic_fetch_add(&s->cancels_seen, 1);
  grpc_c_server_ctx_finish(ctx, GRPC_C_CANCELLED);
}

static grpc_c_code on_unary(void *self, grpc_c_server_ctx *ctx,
                            const E2e__EchoRequest *req,
                            E2e__EchoReply *reply) {
  e2e_server *s = self;
  int call_number = atomic_fetch_add(&s->handler_calls, 1) + 1;
  if (call_number <= req->fail_until_call)
    return grpc_c_server_ctx_fail(ctx, GRPC_C_UNAVAILABLE, "try again");
  if (req->sleep_ms > 0 && !req->call_downstream) e2e_sleep_ms(req->sleep_ms);
  describe_call(ctx, req, reply);
  if (req->fail_code) {
    if (req->fail_details.len)
      grpc_c_server_ctx_set_error_details(ctx, req->fail_details.data,
                                          req->fail_details.len);
    return grpc_c_server_ctx_fail(ctx, (grpc_c_code)req->fail_code, "%s",
                                  req->fail_message);
  }
  if (req->call_downstream) {
    /* A child call: it inherits this call's deadline and cancellation. */
    grpc_c_call_options *opts;
    E2e__EchoRequest down = E2E__ECHO_REQUEST__INIT;
    E2e__EchoReply *down_reply = NULL;
    down.sleep_ms = req->sleep_ms;
    if (grpc_c_call_options_new(&opts))
      return grpc_c_server_ctx_fail(ctx, GRPC_C_INTERNAL, "no memory");
    grpc_c_call_options_set_parent(opts, ctx);
    grpc_c_code code =
        e2e__echo__unary__call(s->loopback, &down, &down_reply, opts, NULL);
    grpc_c_call_options_free(opts);
    if (code != GRPC_C_OK)
      return grpc_c_server_ctx_fail(ctx, code, "downstream: %s",
                                    grpc_c_code_name(code));
    reply->deadline_ms = down_reply->deadline_ms; /* what the child saw */
    reply->text = grpc_c_server_ctx_strdup(ctx, "downstream");
    e2e__echo_reply__free_unpacked(down_reply, NULL);
    return GRPC_C_OK;
  }
  if (req->defer_until_cancel) {
    if (grpc_c_server_ctx_on_cancel(ctx, on_client_cancel, s) != 0 ||
        grpc_c_server_ctx_defer(ctx) != 0)
      return grpc_c_server_ctx_fail(ctx, GRPC_C_INTERNAL, "defer failed");
    return GRPC_C_OK; /* ignored: finished by on_client_cancel */
  }
  if (req->defer) {
    deferred_reply *d = malloc(sizeof *d);
    pthread_t thread;
    if (!d || grpc_c_server_ctx_defer(ctx) != 0) {
      free(d);
      return grpc_c_server_ctx_fail(ctx, GRPC_C_INTERNAL, "defer failed");
    }
    d->ctx = ctx;
    d->reply = reply;
    if (pthread_create(&thread, NULL, finish_later, d) != 0) {
      free(d);
      grpc_c_server_ctx_finish(ctx, GRPC_C_INTERNAL);
      return GRPC_C_INTERNAL;
    }
    pthread_detach(thread);
    return GRPC_C_OK; /* ignored: the call is deferred */
  }
  reply->text = req->text;
  reply->payload = req->payload;
  reply->compressed_requests = grpc_c_server_ctx_request_compressed(ctx);
  if (req->compress_reply)
    grpc_c_server_ctx_set_compression(ctx, GRPC_C_COMPRESS_GZIP);
  /* Initial and trailing metadata that the client can see. */
  grpc_c_server_ctx_add_initial_metadata(ctx, "x-initial", "1", 1);
  grpc_c_server_ctx_add_trailing_metadata(ctx, "x-trailing-bin", "\0\1", 2);
  return GRPC_C_OK;
}

static grpc_c_code on_server_stream(
    void *self, grpc_c_server_ctx *ctx, const E2e__EchoRequest *req,
    E2e__Echo__ServerStream_ServerStream *stream) {
  e2e_server *s = self;
  atomic_fetch_add(&s->handler_calls, 1);
  grpc_c_code code = GRPC_C_OK;
  grpc_c_server_ctx_add_initial_metadata(ctx, "x-stream", "1", 1);
  grpc_c_server_ctx_add_trailing_metadata(ctx, "x-stream-end", "done", 4);
  for (int i = 0; i < req->count; i++) {
    E2e__EchoReply reply = E2E__ECHO_REPLY__INIT;
    reply.text = req->text;
    reply.index = i;
    if (!e2e__echo__server_stream__server_write(stream, &reply)) {
      code = GRPC_C_CANCELLED;
      break;
    }
  }
  if (code == GRPC_C_OK && req->wait_for_cancel) {
    if (wait_cancelled(ctx)) atomic_fetch_add(&s->cancels_seen, 1);
    code = GRPC_C_CANCELLED;
  }
  if (code == GRPC_C_OK && req->fail_code)
    code = grpc_c_server_ctx_fail(ctx, (grpc_c_code)req->fail_code, "%s",
                                  req->fail_message);
  atomic_fetch_add(&s->streams_done, 1);
  return code;
}

static grpc_c_code on_client_stream(
    void *self, grpc_c_server_ctx *ctx,
    E2e__Echo__ClientStream_ServerStream *stream, E2e__EchoReply *reply) {
  e2e_server *s = self;
  atomic_fetch_add(&s->handler_calls, 1);
  E2e__EchoRequest *req;
  int count = 0;
  size_t total = 0;
  while (e2e__echo__client_stream__server_read(stream, &req)) {
    count++;
    total += req->payload.len;
    reply->compressed_requests += grpc_c_server_ctx_request_compressed(ctx);
  }
  char text[64];
  snprintf(text, sizeof text, "%d messages, %zu bytes", count, total);
  reply->text = grpc_c_server_ctx_strdup(ctx, text);
  reply->index = count;
  atomic_fetch_add(&s->streams_done, 1);
  return GRPC_C_OK;
}

static grpc_c_code on_bidi(void *self, grpc_c_server_ctx *ctx,
                           E2e__Echo__Bidi_ServerStream *stream) {
  e2e_server *s = self;
  atomic_fetch_add(&s->handler_calls, 1);
  E2e__EchoRequest *req;
  int index = 0;
  grpc_c_code code = GRPC_C_OK;
  while (e2e__echo__bidi__server_read(stream, &req)) {
    if (req->wait_for_cancel) {
      if (wait_cancelled(ctx)) atomic_fetch_add(&s->cancels_seen, 1);
      code = GRPC_C_CANCELLED;
      break;
    }
    E2e__EchoReply reply = E2E__ECHO_REPLY__INIT;
    reply.text = req->text;
    reply.index = index++;
    if (!e2e__echo__bidi__server_write(stream, &reply)) {
      code = GRPC_C_CANCELLED;
      break;
    }
  }
  if (code == GRPC_C_OK && grpc_c_server_ctx_is_cancelled(ctx)) {
    atomic_fetch_add(&s->cancels_seen, 1);
    code = GRPC_C_CANCELLED;
  }
  atomic_fetch_add(&s->streams_done, 1);
  return code;
}

static const E2e__Echo_Servicer servicer = {
    .unary = on_unary,
    .server_stream = on_server_stream,
    .client_stream = on_client_stream,
    .bidi = on_bidi,
    .unimplemented = NULL, /* answers UNIMPLEMENTED */
};

int e2e_server_start(e2e_server *s, const grpc_c_server_options *opts) {
  return e2e_server_start_at(s, opts, "127.0.0.1:0");
}

int e2e_server_start_at(e2e_server *s, const grpc_c_server_options *opts,
                        const char *address) {
  memset(s, 0, sizeof *s);
  int rc = grpc_c_server_create(&s->server, opts);
  if (rc) return rc;
  if ((rc = grpc_c_server_add_listener(s->server, address, &s->port)) ||
      (rc = e2e__echo__servicer__register(s->server, &servicer, s)) ||
      (rc = grpc_c_server_start(s->server))) {
    grpc_c_server_destroy(s->server);
    s->server = NULL;
    return rc;
  }
  snprintf(s->target, sizeof s->target, "127.0.0.1:%d", s->port);
  return grpc_c_channel_create(&s->loopback, s->target, NULL);
}

void e2e_server_stop(e2e_server *s, int64_t grace_ms) {
  grpc_c_server_shutdown(s->server, grace_ms);
  grpc_c_channel_destroy(s->loopback);
  s->loopback = NULL;
  grpc_c_server_destroy(s->server);
  s->server = NULL;
}

grpc_c_call_options *e2e_timeout_opts(int64_t ms) {
  grpc_c_call_options *opts;
  ck_assert_int_eq(grpc_c_call_options_new(&opts), 0);
  ck_assert_int_eq(grpc_c_call_options_set_timeout_ms(opts, ms), 0);
  return opts;
}

void e2e_bidi_expect_deadline(grpc_c_channel *channel, int64_t timeout_ms) {
  grpc_c_call_options *opts = e2e_timeout_opts(timeout_ms);
  E2e__Echo__Bidi_Stream *stream;
  ck_assert_int_eq(e2e__echo__bidi__start(channel, opts, &stream), 0);
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  req.wait_for_cancel = true;
  ck_assert(e2e__echo__bidi__write(stream, &req));
  E2e__EchoReply *reply;
  ck_assert(!e2e__echo__bidi__read(stream, &reply));
  ck_assert_int_eq(e2e__echo__bidi__finish(stream, NULL),
                   GRPC_C_DEADLINE_EXCEEDED);
  grpc_c_call_options_free(opts);
}
