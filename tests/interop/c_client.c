/*
 * Interop client on grpc-c: runs every case of the interop suite against a
 * server of grpcc.interop.Interop (see protos/interop.proto) and prints
 * "PASS name" or "FAIL name: why" per case. Exits 0 only when all pass.
 *
 * Usage: interop_c_client [--only NAME[,NAME...]] TARGET
 * The cases and their names are the same as in py_client.py. The metadata
 * case checks both what the server saw (echoed in the response body) and the
 * initial and trailing metadata the server sends back.
 */
#define _POSIX_C_SOURCE 200809L

#include <grpc-c/grpc-c.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "interop.grpc-c.h"

enum { CALL_TIMEOUT_MS = 10000 }; /* every call is bounded */

/* "fehlgeschlagen: ü ✓" */
#define UTF8_MESSAGE "fehlgeschlagen: \xc3\xbc \xe2\x9c\x93"
/* "denied ✓" */
#define UTF8_DENIED "denied \xe2\x9c\x93"

/* ---- reporting ---- */

typedef struct why_buf {
  char text[1024];
} why_buf;

/* Records why a case failed; keeps the first reason. */
static bool fail(why_buf *why, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static bool fail(why_buf *why, const char *fmt, ...) {
  if (why->text[0]) return false;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why->text, sizeof why->text, fmt, ap);
  va_end(ap);
  return false;
}

/* Fails the case (jumping to `done`) when `cond` is false. */
#define CHECK(cond, ...)      \
  do {                        \
    if (!(cond)) {            \
      fail(why, __VA_ARGS__); \
      goto done;              \
    }                         \
  } while (0)

static const char *msg_or_none(const grpc_c_status *status) {
  return status->message ? status->message : "(no message)";
}

/* After a stream step failed, adds how the call ended to the reason. */
static void add_final_status(why_buf *why, grpc_c_code code,
                             const grpc_c_status *status) {
  size_t len = strlen(why->text);
  if (!len) return;
  snprintf(why->text + len, sizeof why->text - len,
           " (the call ended with %s \"%s\")", grpc_c_code_name(code),
           msg_or_none(status));
}

/* Checks code and (when `message` is not NULL) the status message. */
static bool expect_status(why_buf *why, grpc_c_code got,
                          const grpc_c_status *status, grpc_c_code want,
                          const char *message) {
  if (got != want)
    return fail(why, "expected %s, got %s \"%s\"", grpc_c_code_name(want),
                grpc_c_code_name(got), msg_or_none(status));
  if (status->code != got)
    return fail(why, "returned %s but status.code is %s", grpc_c_code_name(got),
                grpc_c_code_name(status->code));
  if (message && (!status->message || strcmp(status->message, message) != 0))
    return fail(why, "expected message \"%s\", got \"%s\"", message,
                msg_or_none(status));
  return true;
}

/* Call options with a timeout. No wait-for-ready: the server listens before
 * the client starts, and a server that died must fail calls fast. */
static grpc_c_call_options *new_opts(int64_t timeout_ms) {
  grpc_c_call_options *opts = NULL;
  if (grpc_c_call_options_new(&opts) != 0) return NULL;
  if (grpc_c_call_options_set_timeout_ms(opts, timeout_ms) != 0) {
    grpc_c_call_options_free(opts);
    return NULL;
  }
  return opts;
}

/* What a case's call holds: its options, how it ended, the response of a
 * unary or client-streaming call, and the stream of a streaming call while
 * it is open. Starts as CALL_INIT; call_free() releases what is left. */
typedef struct call {
  grpc_c_call_options *opts;
  grpc_c_code code;
  grpc_c_status st;
  Grpcc__Interop__EchoResponse *resp;
  Grpcc__Interop__Interop__ServerStream_Stream *server;
  Grpcc__Interop__Interop__ClientStream_Stream *client;
  Grpcc__Interop__Interop__Bidi_Stream *bidi;
} call;

#define CALL_INIT \
  { .st = GRPC_C_STATUS_INIT }

/* Gives the call options with a timeout of `timeout_ms`. */
static bool call_begin(why_buf *why, call *c, int64_t timeout_ms) {
  c->opts = new_opts(timeout_ms);
  if (!c->opts) return fail(why, "cannot create call options");
  return true;
}

static void call_free(call *c) {
  if (c->server)
    grpcc__interop__interop__server_stream__finish(c->server, NULL);
  if (c->client)
    grpcc__interop__interop__client_stream__finish(c->client, &c->resp, NULL);
  if (c->bidi) grpcc__interop__interop__bidi__finish(c->bidi, NULL);
  if (c->resp) grpcc__interop__echo_response__free_unpacked(c->resp, NULL);
  grpc_c_status_clear(&c->st);
  grpc_c_call_options_free(c->opts);
}

/* Calls UnaryEcho with `req` and the call's options and checks that the
 * call ended with `want` (and `message`, when not NULL). */
static bool unary_echo_call(grpc_c_channel *ch, why_buf *why, call *c,
                            const Grpcc__Interop__EchoRequest *req,
                            grpc_c_code want, const char *message) {
  c->code = grpcc__interop__interop__unary_echo__call(ch, req, &c->resp,
                                                      c->opts, &c->st);
  return expect_status(why, c->code, &c->st, want, message);
}

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the full request of unary_echo ---- */

static uint8_t all_bytes[256];
static int32_t numbers[] = {1, -2, INT32_MAX, INT32_MIN, 0};
static char *tags[] = {(char *)"alpha", (char *)"",
                       (char *)"gamma \xe2\x9c\x93"};
static Grpcc__Interop__Point points[] = {GRPCC__INTEROP__POINT__INIT,
                                         GRPCC__INTEROP__POINT__INIT,
                                         GRPCC__INTEROP__POINT__INIT};
static Grpcc__Interop__Point *point_ptrs[] = {&points[0], &points[1],
                                              &points[2]};
static Grpcc__Interop__Shape__Label label = GRPCC__INTEROP__SHAPE__LABEL__INIT;
static Grpcc__Interop__Shape shape = GRPCC__INTEROP__SHAPE__INIT;

static void full_request(Grpcc__Interop__EchoRequest *req) {
  for (int i = 0; i < 256; i++) all_bytes[i] = (uint8_t)i;
  points[0].x = 1, points[0].y = 2;
  points[1].x = -3, points[1].y = -4;
  points[2].x = 0, points[2].y = 0;
  label.text = (char *)"unit circle";
  shape.kind = GRPCC__INTEROP__SHAPE__KIND__KIND_CIRCLE;
  shape.n_points = 3;
  shape.points = point_ptrs;
  shape.label = &label;

  req->message = (char *)"h\xc3\xa9llo, w\xc3\xb6rld \xe2\x9c\x93";
  req->payload.data = all_bytes;
  req->payload.len = sizeof all_bytes;
  req->count = 42;
  req->n_numbers = sizeof numbers / sizeof numbers[0];
  req->numbers = numbers;
  req->n_tags = sizeof tags / sizeof tags[0];
  req->tags = tags;
  req->shape = &shape;
  req->color = GRPCC__INTEROP__COLOR__COLOR_BLUE;
  req->big = INT64_C(-9007199254740993);
  req->ratio = 0.1;
  req->flag = 1;
}

static bool shapes_equal(const Grpcc__Interop__Shape *a,
                         const Grpcc__Interop__Shape *b) {
  if (!a || !b) return a == b;
  if (a->kind != b->kind || a->n_points != b->n_points) return false;
  for (size_t i = 0; i < a->n_points; i++)
    if (a->points[i]->x != b->points[i]->x ||
        a->points[i]->y != b->points[i]->y)
      return false;
  if (!a->label || !b->label) return a->label == b->label;
  return strcmp(a->label->text, b->label->text) == 0;
}

/* Fields 1..10 of the response must equal the request's. */
static bool check_echo(why_buf *why, const Grpcc__Interop__EchoResponse *resp,
                       const Grpcc__Interop__EchoRequest *req) {
  if (strcmp(resp->message, req->message) != 0)
    return fail(why, "message: sent \"%s\", got \"%s\"", req->message,
                resp->message);
  if (resp->payload.len != req->payload.len ||
      (req->payload.len &&
       memcmp(resp->payload.data, req->payload.data, req->payload.len) != 0))
    return fail(why, "payload: sent %zu bytes, got %zu different bytes",
                req->payload.len, resp->payload.len);
  if (resp->count != req->count)
    return fail(why, "count: sent %d, got %d", (int)req->count,
                (int)resp->count);
  if (resp->n_numbers != req->n_numbers ||
      (req->n_numbers && memcmp(resp->numbers, req->numbers,
                                req->n_numbers * sizeof *req->numbers) != 0))
    return fail(why, "numbers: sent %zu, got %zu different values",
                req->n_numbers, resp->n_numbers);
  if (resp->n_tags != req->n_tags)
    return fail(why, "tags: sent %zu, got %zu", req->n_tags, resp->n_tags);
  for (size_t i = 0; i < req->n_tags; i++)
    if (strcmp(resp->tags[i], req->tags[i]) != 0)
      return fail(why, "tags[%zu]: sent \"%s\", got \"%s\"", i, req->tags[i],
                  resp->tags[i]);
  if (!shapes_equal(resp->shape, req->shape))
    return fail(why, "shape differs (sent %s, got %s)",
                req->shape ? "one" : "none", resp->shape ? "one" : "none");
  if (resp->color != req->color)
    return fail(why, "color: sent %d, got %d", (int)req->color,
                (int)resp->color);
  if (resp->big != req->big)
    return fail(why, "big: sent %" PRId64 ", got %" PRId64, req->big,
                resp->big);
  if (resp->ratio != req->ratio)
    return fail(why, "ratio: sent %.17g, got %.17g", req->ratio, resp->ratio);
  if (!resp->flag != !req->flag)
    return fail(why, "flag: sent %d, got %d", (int)req->flag, (int)resp->flag);
  return true;
}

/* ---- unary cases ---- */

static bool unary_echo(grpc_c_channel *ch, why_buf *why) {
  bool ok = false;
  call c = CALL_INIT;
  Grpcc__Interop__EchoRequest req = GRPCC__INTEROP__ECHO_REQUEST__INIT;
  CHECK(call_begin(why, &c, CALL_TIMEOUT_MS), "-");
  full_request(&req);
  CHECK(unary_echo_call(ch, why, &c, &req, GRPC_C_OK, NULL), "-");
  CHECK(c.resp, "OK without a response");
  CHECK(check_echo(why, c.resp, &req), "-");
  ok = true;
done:
  call_free(&c);
  return ok;
}

static bool unary_empty_message(grpc_c_channel *ch, why_buf *why) {
  bool ok = false;
  call c = CALL_INIT;
  Grpcc__Interop__EchoRequest req = GRPCC__INTEROP__ECHO_REQUEST__INIT;
  CHECK(call_begin(why, &c, CALL_TIMEOUT_MS), "-");
  CHECK(unary_echo_call(ch, why, &c, &req, GRPC_C_OK, NULL), "-");
  CHECK(c.resp, "OK without a response");
  CHECK(grpcc__interop__echo_response__get_packed_size(c.resp) == 0,
        "expected an empty response, got %zu bytes",
        grpcc__interop__echo_response__get_packed_size(c.resp));
  ok = true;
done:
  call_free(&c);
  return ok;
}

/* A unary call asking the server to fail with `code` and `message`. */
static bool unary_failure(grpc_c_channel *ch, why_buf *why, grpc_c_code want,
                          const char *message) {
  bool ok = false;
  call c = CALL_INIT;
  Grpcc__Interop__EchoRequest req = GRPCC__INTEROP__ECHO_REQUEST__INIT;
  CHECK(call_begin(why, &c, CALL_TIMEOUT_MS), "-");
  req.fail_with_code = (int32_t)want;
  req.fail_message = (char *)message;
  CHECK(unary_echo_call(ch, why, &c, &req, want, message), "-");
  CHECK(!c.resp, "a response came with status %s", grpc_c_code_name(c.code));
  ok = true;
done:
  call_free(&c);
  return ok;
}

static bool unary_status_error(grpc_c_channel *ch, why_buf *why) {
  return unary_failure(ch, why, GRPC_C_NOT_FOUND, "no such thing: 42");
}

static bool unary_status_error_utf8(grpc_c_channel *ch, why_buf *why) {
  return unary_failure(ch, why, GRPC_C_FAILED_PRECONDITION, UTF8_MESSAGE);
}

static bool unary_large_payload_1mib(grpc_c_channel *ch, why_buf *why) {
  bool ok = false;
  enum { SIZE = 1 << 20 };
  call c = CALL_INIT;
  Grpcc__Interop__EchoRequest req = GRPCC__INTEROP__ECHO_REQUEST__INIT;
  c.opts = new_opts(CALL_TIMEOUT_MS);
  uint8_t *payload = malloc(SIZE);
  CHECK(c.opts && payload, "out of memory");
  for (size_t i = 0; i < SIZE; i++)
    payload[i] = (uint8_t)((i * 131 + 7) & 0xff);
  req.payload.data = payload;
  req.payload.len = SIZE;
  CHECK(unary_echo_call(ch, why, &c, &req, GRPC_C_OK, NULL), "-");
  CHECK(c.resp, "OK without a response");
  CHECK(c.resp->payload.len == SIZE, "sent %d bytes, got %zu", SIZE,
        c.resp->payload.len);
  CHECK(memcmp(c.resp->payload.data, payload, SIZE) == 0,
        "payload bytes differ");
  ok = true;
done:
  call_free(&c);
  free(payload);
  return ok;
}

static bool deadline_exceeded(grpc_c_channel *ch, why_buf *why) {
  bool ok = false;
  call c = CALL_INIT;
  Grpcc__Interop__EchoRequest req = GRPCC__INTEROP__ECHO_REQUEST__INIT;
  CHECK(call_begin(why, &c, 200), "-");
  req.sleep_ms = 2000;
  int64_t start = now_ms();
  bool ended =
      unary_echo_call(ch, why, &c, &req, GRPC_C_DEADLINE_EXCEEDED, NULL);
  int64_t elapsed = now_ms() - start;
  CHECK(ended, "-");
  CHECK(!c.resp, "a response came with DEADLINE_EXCEEDED");
  CHECK(elapsed >= 150 && elapsed < 1500,
        "the call took %" PRId64 " ms with a 200 ms deadline", elapsed);
  ok = true;
done:
  call_free(&c);
  return ok;
}

static bool unimplemented_method(grpc_c_channel *ch, why_buf *why) {
  bool ok = false;
  call c = CALL_INIT;
  Grpcc__Interop__EchoRequest req = GRPCC__INTEROP__ECHO_REQUEST__INIT;
  CHECK(call_begin(why, &c, CALL_TIMEOUT_MS), "-");
  c.code = grpcc__interop__interop__not_implemented_by_server__call(
      ch, &req, &c.resp, c.opts, &c.st);
  CHECK(expect_status(why, c.code, &c.st, GRPC_C_UNIMPLEMENTED, NULL), "-");
  CHECK(!c.resp, "a response came with UNIMPLEMENTED");
  ok = true;
done:
  call_free(&c);
  return ok;
}

/* Twenty asynchronous unary calls in flight at once on the shared channel.
 * The state is static: a callback that came after a timeout must still find
 * valid memory. */
enum { ASYNC_CALLS = 20 };
static struct async_state {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int done;
  struct async_result {
    int index;
    grpc_c_code code;
    bool message_ok;
    int callbacks;
  } results[ASYNC_CALLS];
} async_state = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, {{0}}};

static void on_async_reply(const grpc_c_status *status,
                           Grpcc__Interop__EchoResponse *response,
                           void *user_data) {
  struct async_result *result = user_data;
  char expected[32];
  snprintf(expected, sizeof expected, "async-%d", result->index);
  pthread_mutex_lock(&async_state.mu);
  result->code = status->code;
  result->message_ok = response && strcmp(response->message, expected) == 0 &&
                       response->count == result->index;
  result->callbacks++;
  async_state.done++;
  pthread_cond_broadcast(&async_state.cv);
  pthread_mutex_unlock(&async_state.mu);
  if (response) grpcc__interop__echo_response__free_unpacked(response, NULL);
}

static bool unary_async_20(grpc_c_channel *ch, why_buf *why) {
  bool ok = false;
  int started = 0;
  grpc_c_call_options *opts = new_opts(CALL_TIMEOUT_MS);
  CHECK(opts, "cannot create call options");
  for (int i = 0; i < ASYNC_CALLS; i++) {
    char text[32];
    snprintf(text, sizeof text, "async-%d", i);
    Grpcc__Interop__EchoRequest req = GRPCC__INTEROP__ECHO_REQUEST__INIT;
    req.message = text; /* serialized before call_async returns */
    req.count = i;
    async_state.results[i].index = i;
    int rc = grpcc__interop__interop__unary_echo__call_async(
        ch, &req, opts, on_async_reply, &async_state.results[i]);
    if (rc != 0) {
      fail(why, "call_async %d failed: %s", i, grpc_c_strerror(rc));
      break;
    }
    started++;
  }
  /* Wait for every started call, bounded by the call timeout plus slack. */
  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  until.tv_sec += CALL_TIMEOUT_MS / 1000 + 5;
  pthread_mutex_lock(&async_state.mu);
  while (async_state.done < started &&
         pthread_cond_timedwait(&async_state.cv, &async_state.mu, &until) ==
             0) {
  }
  int done = async_state.done;
  pthread_mutex_unlock(&async_state.mu);
  CHECK(done == started, "only %d of %d callbacks ran", done, started);
  CHECK(!why->text[0], "-");
  for (int i = 0; i < ASYNC_CALLS; i++) {
    const struct async_result *r = &async_state.results[i];
    CHECK(r->callbacks == 1, "call %d: %d callbacks", i, r->callbacks);
    CHECK(r->code == GRPC_C_OK, "call %d: %s", i, grpc_c_code_name(r->code));
    CHECK(r->message_ok, "call %d: wrong or missing response", i);
  }
  ok = true;
done:
  grpc_c_call_options_free(opts);
  return ok;
}

/* A method the proto does not declare: built by hand, as generated code
 * would, and called through the generic runtime function. */
static const grpc_c_method no_such_method = {
    "/grpcc.interop.Interop/NoSuchMethod",
    GRPC_C_METHOD_UNARY,
    &grpcc__interop__echo_request__descriptor,
    &grpcc__interop__echo_response__descriptor,
    NULL,
};

static bool unknown_method_path(grpc_c_channel *ch, why_buf *why) {
  bool ok = false;
  call c = CALL_INIT;
  Grpcc__Interop__EchoRequest req = GRPCC__INTEROP__ECHO_REQUEST__INIT;
  ProtobufCMessage *resp = NULL;
  CHECK(call_begin(why, &c, CALL_TIMEOUT_MS), "-");
  req.message = (char *)"?";
  c.code =
      grpc_c_unary_call(ch, &no_such_method, &req.base, &resp, c.opts, &c.st);
  CHECK(expect_status(why, c.code, &c.st, GRPC_C_UNIMPLEMENTED, NULL), "-");
  CHECK(!resp, "a response came with UNIMPLEMENTED");
  ok = true;
done:
  if (resp) protobuf_c_message_free_unpacked(resp, NULL);
  call_free(&c);
  return ok;
}

static bool metadata_echo(grpc_c_channel *ch, why_buf *why) {
  static const uint8_t binary[] = {0x00, 0x01, 0xfe, 0xff};
  bool ok = false;
  call c = CALL_INIT;
  Grpcc__Interop__EchoRequest req = GRPCC__INTEROP__ECHO_REQUEST__INIT;
  grpc_c_metadata *initial = NULL, *trailing = NULL;
  CHECK(call_begin(why, &c, CALL_TIMEOUT_MS), "-");
  CHECK(grpc_c_metadata_new(&initial) == 0 &&
            grpc_c_metadata_new(&trailing) == 0 &&
            grpc_c_call_options_set_response_metadata(c.opts, initial,
                                                      trailing) == 0,
        "cannot ask for response metadata");
  CHECK(grpc_c_call_options_add_metadata(c.opts, "x-echo",
                                         "hello-metadata-123") == 0,
        "cannot add metadata x-echo");
  CHECK(grpc_c_call_options_add_metadata_bin(c.opts, "x-echo-bin", binary,
                                             sizeof binary) == 0,
        "cannot add metadata x-echo-bin");
  req.message = (char *)"md";
  CHECK(unary_echo_call(ch, why, &c, &req, GRPC_C_OK, NULL), "-");
  CHECK(c.resp, "OK without a response");
  CHECK(strcmp(c.resp->echo_metadata, "hello-metadata-123") == 0,
        "server saw x-echo \"%s\"", c.resp->echo_metadata);
  CHECK(c.resp->echo_metadata_bin.len == sizeof binary &&
            memcmp(c.resp->echo_metadata_bin.data, binary, sizeof binary) == 0,
        "server saw x-echo-bin of %zu bytes, not 00 01 fe ff",
        c.resp->echo_metadata_bin.len);
  const char *echoed = grpc_c_metadata_get(initial, "x-echo", 0, NULL);
  CHECK(echoed && strcmp(echoed, "hello-metadata-123") == 0,
        "initial metadata x-echo was \"%s\"", echoed ? echoed : "(none)");
  echoed = grpc_c_metadata_get(trailing, "x-echo-trailer", 0, NULL);
  CHECK(echoed && strcmp(echoed, "hello-metadata-123") == 0,
        "trailing metadata x-echo-trailer was \"%s\"",
        echoed ? echoed : "(none)");
  ok = true;
done:
  call_free(&c);
  grpc_c_metadata_free(initial);
  grpc_c_metadata_free(trailing);
  return ok;
}

/* ---- streams ---- */

enum stream_kind { SERVER_STREAM, CLIENT_STREAM, BIDI };

/* Starts a streaming call of `kind` with a timeout of CALL_TIMEOUT_MS and,
 * when `md` is not NULL, metadata x-echo: md. A ServerStream call sends
 * `req`; the other kinds take NULL. */
static bool open_stream(grpc_c_channel *ch, why_buf *why, call *c,
                        enum stream_kind kind,
                        const Grpcc__Interop__StreamRequest *req,
                        const char *md) {
  if (!call_begin(why, c, CALL_TIMEOUT_MS)) return false;
  if (md && grpc_c_call_options_add_metadata(c->opts, "x-echo", md) != 0)
    return fail(why, "cannot add metadata");
  int rc = 0;
  switch (kind) {
    case SERVER_STREAM:
      rc = grpcc__interop__interop__server_stream__start(ch, req, c->opts,
                                                         &c->server);
      break;
    case CLIENT_STREAM:
      rc = grpcc__interop__interop__client_stream__start(ch, c->opts,
                                                         &c->client);
      break;
    case BIDI:
      rc = grpcc__interop__interop__bidi__start(ch, c->opts, &c->bidi);
      break;
  }
  if (rc != 0) return fail(why, "start failed: %s", grpc_c_strerror(rc));
  return true;
}

/* Writes on the open ClientStream or Bidi stream. */
static bool stream_write(call *c, const Grpcc__Interop__EchoRequest *req) {
  if (c->client)
    return grpcc__interop__interop__client_stream__write(c->client, req);
  return grpcc__interop__interop__bidi__write(c->bidi, req);
}

/* Reads from the open ServerStream or Bidi stream. */
static bool stream_read(call *c, Grpcc__Interop__EchoResponse **resp) {
  if (c->server)
    return grpcc__interop__interop__server_stream__read(c->server, resp);
  return grpcc__interop__interop__bidi__read(c->bidi, resp);
}

/* Writes request `i` of a numbered series: message prefix + i, count i. */
static bool write_request(why_buf *why, call *c, const char *prefix, int i) {
  char text[64];
  snprintf(text, sizeof text, "%s%d", prefix, i);
  Grpcc__Interop__EchoRequest req = GRPCC__INTEROP__ECHO_REQUEST__INIT;
  req.message = text;
  req.count = i;
  if (!stream_write(c, &req)) return fail(why, "write %d failed", i);
  return true;
}

/* Writes requests 0 to n - 1 of a numbered series, up to the first that
 * fails. */
static bool write_requests(why_buf *why, call *c, const char *prefix, int n) {
  for (int i = 0; i < n; i++)
    if (!write_request(why, c, prefix, i)) return false;
  return true;
}

/* Half-closes the open Bidi stream. */
static bool half_close(why_buf *why, call *c) {
  if (!grpcc__interop__interop__bidi__writes_done(c->bidi))
    return fail(why, "writes_done failed");
  return true;
}

/* Finishes the open stream (a ClientStream call's response goes to
 * c->resp) and checks that no step failed and that the call ended with
 * `want` (and `message`, when not NULL). A step that failed is reported
 * with how the call ended. */
static bool finish_stream(why_buf *why, call *c, grpc_c_code want,
                          const char *message) {
  if (c->server) {
    c->code = grpcc__interop__interop__server_stream__finish(c->server, &c->st);
    c->server = NULL;
  } else if (c->client) {
    c->code = grpcc__interop__interop__client_stream__finish(c->client,
                                                             &c->resp, &c->st);
    c->client = NULL;
  } else {
    c->code = grpcc__interop__interop__bidi__finish(c->bidi, &c->st);
    c->bidi = NULL;
  }
  add_final_status(why, c->code, &c->st);
  if (why->text[0]) return false;
  return expect_status(why, c->code, &c->st, want, message);
}

/* ---- server streaming ---- */

/* Reads a ServerStream call of `count` messages named prefix + index and
 * expects the final status `want` (with `message`). `md` is sent as x-echo
 * and must come back in every response when not NULL. */
static bool server_stream_case(grpc_c_channel *ch, why_buf *why, int count,
                               const char *prefix, grpc_c_code want,
                               const char *message, const char *md) {
  bool ok = false;
  call c = CALL_INIT;
  Grpcc__Interop__StreamRequest req = GRPCC__INTEROP__STREAM_REQUEST__INIT;
  req.count = count;
  req.prefix = (char *)prefix;
  if (want != GRPC_C_OK) {
    req.fail_with_code = (int32_t)want;
    req.fail_message = (char *)message;
  }
  CHECK(open_stream(ch, why, &c, SERVER_STREAM, &req, md), "-");
  int got = 0;
  Grpcc__Interop__EchoResponse *resp;
  while (got <= count && stream_read(&c, &resp)) {
    char expected[256];
    snprintf(expected, sizeof expected, "%s%d", prefix, got);
    if (strcmp(resp->message, expected) != 0 || resp->index != got) {
      fail(why, "message %d: got \"%s\" index %d", got, resp->message,
           (int)resp->index);
      break;
    }
    if (md && strcmp(resp->echo_metadata, md) != 0) {
      fail(why, "message %d: server saw x-echo \"%s\"", got,
           resp->echo_metadata);
      break;
    }
    got++;
  }
  CHECK(finish_stream(why, &c, want, message), "-");
  CHECK(got == count, "expected %d messages, got %d", count, got);
  ok = true;
done:
  call_free(&c);
  return ok;
}

static bool server_stream_100(grpc_c_channel *ch, why_buf *why) {
  return server_stream_case(ch, why, 100, "item-", GRPC_C_OK, NULL,
                            "stream-md");
}

static bool server_stream_0(grpc_c_channel *ch, why_buf *why) {
  return server_stream_case(ch, why, 0, "none-", GRPC_C_OK, NULL, NULL);
}

static bool server_stream_error_after_messages(grpc_c_channel *ch,
                                               why_buf *why) {
  return server_stream_case(ch, why, 3, "x", GRPC_C_ABORTED, "stopped after 3",
                            NULL);
}

/* ---- client streaming ---- */

static bool client_stream_100(grpc_c_channel *ch, why_buf *why) {
  bool ok = false;
  call c = CALL_INIT;
  char expected[1024] = "";
  size_t expected_len = 0;
  for (int i = 0; i < 100; i++)
    expected_len += (size_t)snprintf(expected + expected_len,
                                     sizeof expected - expected_len, "m%d", i);
  CHECK(open_stream(ch, why, &c, CLIENT_STREAM, NULL, NULL), "-");
  (void)write_requests(why, &c, "m", 100);
  CHECK(finish_stream(why, &c, GRPC_C_OK, NULL), "-");
  CHECK(c.resp, "OK without a response");
  CHECK(c.resp->count == 100, "count %d", (int)c.resp->count);
  CHECK(strcmp(c.resp->message, expected) == 0, "message \"%s\"",
        c.resp->message);
  CHECK(c.resp->n_numbers == 100, "%zu numbers", c.resp->n_numbers);
  for (int i = 0; i < 100; i++)
    CHECK(c.resp->numbers[i] == i, "numbers[%d] = %d", i,
          (int)c.resp->numbers[i]);
  ok = true;
done:
  call_free(&c);
  return ok;
}

static bool client_stream_status_error(grpc_c_channel *ch, why_buf *why) {
  bool ok = false;
  call c = CALL_INIT;
  CHECK(open_stream(ch, why, &c, CLIENT_STREAM, NULL, NULL), "-");
  Grpcc__Interop__EchoRequest req = GRPCC__INTEROP__ECHO_REQUEST__INIT;
  req.fail_with_code = GRPC_C_INVALID_ARGUMENT;
  req.fail_message = (char *)"bad item 0";
  /* The write may fail if the server has ended the call already; finish
   * tells the status either way. */
  (void)stream_write(&c, &req);
  CHECK(finish_stream(why, &c, GRPC_C_INVALID_ARGUMENT, "bad item 0"), "-");
  CHECK(!c.resp, "a response came with INVALID_ARGUMENT");
  ok = true;
done:
  call_free(&c);
  return ok;
}

/* ---- bidirectional streaming ---- */

static bool check_reply(why_buf *why, const Grpcc__Interop__EchoResponse *resp,
                        const char *prefix, int i) {
  char expected[64];
  snprintf(expected, sizeof expected, "%s%d", prefix, i);
  if (strcmp(resp->message, expected) != 0 || resp->index != i ||
      resp->count != i)
    return fail(why, "reply %d: \"%s\" index %d count %d", i, resp->message,
                (int)resp->index, (int)resp->count);
  return true;
}

static bool bidi_ping_pong_50(grpc_c_channel *ch, why_buf *why) {
  bool ok = false;
  call c = CALL_INIT;
  CHECK(open_stream(ch, why, &c, BIDI, NULL, NULL), "-");
  for (int i = 0; i < 50; i++) {
    Grpcc__Interop__EchoResponse *resp;
    if (!write_request(why, &c, "ping-", i)) break;
    if (!stream_read(&c, &resp)) {
      fail(why, "read %d found the end of the stream", i);
      break;
    }
    if (!check_reply(why, resp, "ping-", i)) break;
  }
  if (!why->text[0] && half_close(why, &c)) {
    Grpcc__Interop__EchoResponse *extra;
    if (stream_read(&c, &extra))
      fail(why, "a reply \"%s\" came after half-close", extra->message);
  }
  CHECK(finish_stream(why, &c, GRPC_C_OK, NULL), "-");
  ok = true;
done:
  call_free(&c);
  return ok;
}

static bool bidi_write_all_then_read_all_50(grpc_c_channel *ch, why_buf *why) {
  bool ok = false;
  call c = CALL_INIT;
  int got = 0;
  CHECK(open_stream(ch, why, &c, BIDI, NULL, NULL), "-");
  if (write_requests(why, &c, "all-", 50) && half_close(why, &c)) {
    Grpcc__Interop__EchoResponse *resp;
    while (!why->text[0] && got <= 50 && stream_read(&c, &resp)) {
      if (check_reply(why, resp, "all-", got)) got++;
    }
  }
  CHECK(finish_stream(why, &c, GRPC_C_OK, NULL), "-");
  CHECK(got == 50, "expected 50 replies, got %d", got);
  ok = true;
done:
  call_free(&c);
  return ok;
}

static bool bidi_status_error(grpc_c_channel *ch, why_buf *why) {
  bool ok = false;
  call c = CALL_INIT;
  CHECK(open_stream(ch, why, &c, BIDI, NULL, NULL), "-");
  Grpcc__Interop__EchoRequest first = GRPCC__INTEROP__ECHO_REQUEST__INIT;
  first.message = (char *)"first";
  Grpcc__Interop__EchoResponse *resp = NULL;
  if (!stream_write(&c, &first))
    fail(why, "first write failed");
  else if (!stream_read(&c, &resp))
    fail(why, "no reply to the first message");
  else if (strcmp(resp->message, "first") != 0)
    fail(why, "first reply \"%s\"", resp->message);
  if (!why->text[0]) {
    Grpcc__Interop__EchoRequest bad = GRPCC__INTEROP__ECHO_REQUEST__INIT;
    bad.fail_with_code = GRPC_C_PERMISSION_DENIED;
    bad.fail_message = (char *)UTF8_DENIED;
    (void)stream_write(&c, &bad);
    (void)grpcc__interop__interop__bidi__writes_done(c.bidi);
    if (stream_read(&c, &resp))
      fail(why, "a reply \"%s\" came instead of the error", resp->message);
  }
  CHECK(finish_stream(why, &c, GRPC_C_PERMISSION_DENIED, UTF8_DENIED), "-");
  ok = true;
done:
  call_free(&c);
  return ok;
}

/* ---- main ---- */

typedef struct test_case {
  const char *name;
  bool (*run)(grpc_c_channel *ch, why_buf *why);
} test_case;

#define CASE(name) \
  { #name, name }
static const test_case cases[] = {
    CASE(unary_echo),
    CASE(unary_empty_message),
    CASE(unary_status_error),
    CASE(unary_status_error_utf8),
    CASE(unary_large_payload_1mib),
    CASE(unary_async_20),
    CASE(server_stream_100),
    CASE(server_stream_0),
    CASE(server_stream_error_after_messages),
    CASE(client_stream_100),
    CASE(client_stream_status_error),
    CASE(bidi_ping_pong_50),
    CASE(bidi_write_all_then_read_all_50),
    CASE(bidi_status_error),
    CASE(deadline_exceeded),
    CASE(unimplemented_method),
    CASE(unknown_method_path),
    CASE(metadata_echo),
};
#undef CASE
enum { CASE_COUNT = sizeof cases / sizeof cases[0] };

/* True when `name` is in the comma-separated `list`. */
static bool listed(const char *list, const char *name) {
  size_t n = strlen(name);
  for (const char *p = list; *p;) {
    const char *comma = strchr(p, ',');
    size_t len = comma ? (size_t)(comma - p) : strlen(p);
    if (len == n && strncmp(p, name, n) == 0) return true;
    p += len + (comma ? 1 : 0);
  }
  return false;
}

int main(int argc, char **argv) {
  const char *only = NULL;
  const char *target = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
      only = argv[++i];
    else if (!target && argv[i][0] != '-')
      target = argv[i];
    else
      target = NULL, i = argc;
  }
  if (!target) {
    fprintf(stderr, "usage: interop_c_client [--only NAME[,NAME...]] TARGET\n");
    return 2;
  }
  grpc_c_set_log(grpc_c_log_to_stderr, GRPC_C_LOG_WARNING, NULL);

  grpc_c_channel *ch = NULL;
  int rc = grpc_c_channel_create(&ch, target, NULL);
  if (rc != 0) {
    fprintf(stderr, "interop_c_client: cannot create a channel to %s: %s\n",
            target, grpc_c_strerror(rc));
    return 1;
  }
  int run = 0, failed = 0;
  for (size_t i = 0; i < CASE_COUNT; i++) {
    if (only && !listed(only, cases[i].name)) continue;
    why_buf why = {""};
    run++;
    if (cases[i].run(ch, &why)) {
      printf("PASS %s\n", cases[i].name);
    } else {
      failed++;
      printf("FAIL %s: %s\n", cases[i].name,
             why.text[0] ? why.text : "(no reason recorded)");
    }
    fflush(stdout);
  }
  grpc_c_channel_destroy(ch);
  fprintf(stderr, "%d of %d cases failed\n", failed, run);
  if (run == 0) {
    fprintf(stderr, "interop_c_client: no case matches --only %s\n", only);
    return 2;
  }
  return failed ? 1 : 0;
}
