/*
 * Interop server on grpc-c: implements grpcc.interop.Interop (see
 * protos/interop.proto) through the generated servicer table, with the same
 * semantics as py_server.py.
 *
 * Usage: interop_c_server [PORT]
 * The port comes from the argument, else $PORT, else 0 (any free port). The
 * server listens on 127.0.0.1, prints "listening on port N" (the bound port)
 * and serves until SIGTERM or SIGINT, then shuts down and exits 0.
 *
 * NotImplementedByServer is deliberately left NULL in the servicer table, so
 * the runtime answers UNIMPLEMENTED for it.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <grpc-c/grpc-c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "interop.grpc-c.h"

/* ---- helpers ---- */

/* Copies `len` bytes into call memory; NULL for an empty range. */
static void *dup_bytes(grpc_c_server_ctx *ctx, const void *data, size_t len) {
  if (len == 0) return NULL;
  void *copy = grpc_c_server_ctx_alloc(ctx, len);
  if (copy) memcpy(copy, data, len);
  return copy;
}

/* Copies a Shape into call memory, so the response does not depend on the
 * request's lifetime. Returns NULL when out of memory. */
static Grpcc__Interop__Shape *copy_shape(grpc_c_server_ctx *ctx,
                                         const Grpcc__Interop__Shape *from) {
  Grpcc__Interop__Shape *to = grpc_c_server_ctx_alloc(ctx, sizeof *to);
  if (!to) return NULL;
  grpcc__interop__shape__init(to);
  to->kind = from->kind;
  if (from->n_points) {
    to->points =
        grpc_c_server_ctx_alloc(ctx, from->n_points * sizeof *to->points);
    if (!to->points) return NULL;
    for (size_t i = 0; i < from->n_points; i++) {
      Grpcc__Interop__Point *p = grpc_c_server_ctx_alloc(ctx, sizeof *p);
      if (!p) return NULL;
      grpcc__interop__point__init(p);
      p->x = from->points[i]->x;
      p->y = from->points[i]->y;
      to->points[i] = p;
    }
    to->n_points = from->n_points;
  }
  if (from->label) {
    Grpcc__Interop__Shape__Label *label =
        grpc_c_server_ctx_alloc(ctx, sizeof *label);
    if (!label) return NULL;
    grpcc__interop__shape__label__init(label);
    label->text = grpc_c_server_ctx_strdup(ctx, from->label->text);
    if (!label->text) return NULL;
    to->label = label;
  }
  return to;
}

/* Fills response fields 1..10 from the request. With `deep` everything is
 * copied into call memory (unary responses are sent after the handler
 * returns); without it the response borrows the request's data, which is
 * fine for a stream write that happens while the request is still lent.
 * Returns false when out of memory. */
static bool echo_fields(grpc_c_server_ctx *ctx,
                        const Grpcc__Interop__EchoRequest *req,
                        Grpcc__Interop__EchoResponse *resp, bool deep) {
  resp->count = req->count;
  resp->color = req->color;
  resp->big = req->big;
  resp->ratio = req->ratio;
  resp->flag = req->flag;
  if (!deep) {
    resp->message = req->message;
    resp->payload = req->payload;
    resp->n_numbers = req->n_numbers;
    resp->numbers = req->numbers;
    resp->n_tags = req->n_tags;
    resp->tags = req->tags;
    resp->shape = req->shape;
    return true;
  }
  resp->message = grpc_c_server_ctx_strdup(ctx, req->message);
  if (!resp->message) return false;
  resp->payload.len = req->payload.len;
  resp->payload.data = dup_bytes(ctx, req->payload.data, req->payload.len);
  if (req->payload.len && !resp->payload.data) return false;
  resp->n_numbers = req->n_numbers;
  resp->numbers =
      dup_bytes(ctx, req->numbers, req->n_numbers * sizeof *req->numbers);
  if (req->n_numbers && !resp->numbers) return false;
  if (req->n_tags) {
    resp->tags = grpc_c_server_ctx_alloc(ctx, req->n_tags * sizeof *resp->tags);
    if (!resp->tags) return false;
    for (size_t i = 0; i < req->n_tags; i++) {
      resp->tags[i] = grpc_c_server_ctx_strdup(ctx, req->tags[i]);
      if (!resp->tags[i]) return false;
    }
    resp->n_tags = req->n_tags;
  }
  if (req->shape) {
    resp->shape = copy_shape(ctx, req->shape);
    if (!resp->shape) return false;
  }
  return true;
}

/* What the client sent as "x-echo" and "x-echo-bin" (call memory). */
typedef struct echo_md {
  char *text; /* "" when absent */
  ProtobufCBinaryData bin;
} echo_md;

/* Reads the client's x-echo metadata and echoes it back as initial metadata
 * "x-echo" and trailing metadata "x-echo-trailer". Call before the first
 * write. */
static echo_md read_and_announce_metadata(grpc_c_server_ctx *ctx) {
  echo_md md = {(char *)"", {0, NULL}};
  size_t len = 0;
  const char *text = grpc_c_server_ctx_metadata(ctx, "x-echo", 0, &len);
  if (text) {
    md.text = (char *)text;
    int rc = grpc_c_server_ctx_add_initial_metadata(ctx, "x-echo", text, len);
    if (rc == 0)
      rc = grpc_c_server_ctx_add_trailing_metadata(ctx, "x-echo-trailer", text,
                                                   len);
    if (rc != 0)
      fprintf(stderr, "interop_c_server: cannot echo metadata: %s\n",
              grpc_c_strerror(rc));
  }
  const char *bin = grpc_c_server_ctx_metadata(ctx, "x-echo-bin", 0, &len);
  if (bin) {
    md.bin.data = (uint8_t *)bin;
    md.bin.len = len;
  }
  return md;
}

static void set_metadata_fields(Grpcc__Interop__EchoResponse *resp,
                                const echo_md *md) {
  resp->echo_metadata = md->text;
  resp->echo_metadata_bin = md->bin;
}

/* The status a request asked for, with its message. */
static grpc_c_code requested_failure(grpc_c_server_ctx *ctx, int32_t code,
                                     const char *message) {
  return grpc_c_server_ctx_fail(ctx, (grpc_c_code)code, "%s", message);
}

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- handlers ---- */

static grpc_c_code unary_echo(void *self, grpc_c_server_ctx *ctx,
                              const Grpcc__Interop__EchoRequest *req,
                              Grpcc__Interop__EchoResponse *resp) {
  (void)self;
  echo_md md = read_and_announce_metadata(ctx);
  if (req->sleep_ms > 0) {
    /* Blocks a poller thread on purpose (the deadline test); the server has
     * spare pollers. Stops early once the call is cancelled. When that is
     * because the deadline passed, the status must say so: this status can
     * reach the client before its own deadline timer fires. */
    int64_t end = now_ms() + req->sleep_ms;
    while (now_ms() < end) {
      if (grpc_c_server_ctx_is_cancelled(ctx)) {
        if (grpc_c_server_ctx_time_remaining_ms(ctx) == 0)
          return grpc_c_server_ctx_fail(ctx, GRPC_C_DEADLINE_EXCEEDED,
                                        "deadline exceeded while sleeping");
        return grpc_c_server_ctx_fail(ctx, GRPC_C_CANCELLED,
                                      "cancelled while sleeping");
      }
      struct timespec pause = {0, 5 * 1000 * 1000};
      nanosleep(&pause, NULL);
    }
  }
  if (req->fail_with_code)
    return requested_failure(ctx, req->fail_with_code, req->fail_message);
  if (!echo_fields(ctx, req, resp, true))
    return grpc_c_server_ctx_fail(ctx, GRPC_C_RESOURCE_EXHAUSTED,
                                  "out of memory");
  set_metadata_fields(resp, &md);
  return GRPC_C_OK;
}

static grpc_c_code server_stream(
    void *self, grpc_c_server_ctx *ctx,
    const Grpcc__Interop__StreamRequest *req,
    Grpcc__Interop__Interop__ServerStream_ServerStream *stream) {
  (void)self;
  echo_md md = read_and_announce_metadata(ctx);
  for (int32_t i = 0; i < req->count; i++) {
    char *text = NULL;
    size_t prefix_len = strlen(req->prefix);
    char buf[256];
    /* Long prefixes go to call memory; the usual case stays on the stack. */
    text = prefix_len + 16 <= sizeof buf
               ? buf
               : grpc_c_server_ctx_alloc(ctx, prefix_len + 16);
    if (!text)
      return grpc_c_server_ctx_fail(ctx, GRPC_C_RESOURCE_EXHAUSTED,
                                    "out of memory");
    snprintf(text, prefix_len + 16, "%s%d", req->prefix, (int)i);
    Grpcc__Interop__EchoResponse resp = GRPCC__INTEROP__ECHO_RESPONSE__INIT;
    resp.message = text;
    resp.index = i;
    set_metadata_fields(&resp, &md);
    if (!grpcc__interop__interop__server_stream__server_write(stream, &resp))
      return grpc_c_server_ctx_fail(
          ctx, GRPC_C_CANCELLED, "the client went away at message %d", (int)i);
  }
  if (req->fail_with_code)
    return requested_failure(ctx, req->fail_with_code, req->fail_message);
  return GRPC_C_OK;
}

static grpc_c_code client_stream(
    void *self, grpc_c_server_ctx *ctx,
    Grpcc__Interop__Interop__ClientStream_ServerStream *stream,
    Grpcc__Interop__EchoResponse *resp) {
  (void)self;
  echo_md md = read_and_announce_metadata(ctx);
  /* Growing buffers in plain heap memory, copied to call memory at the end. */
  char *text = NULL;
  size_t text_len = 0;
  int32_t *numbers = NULL;
  size_t count = 0, capacity = 0;
  grpc_c_code code = GRPC_C_OK;
  Grpcc__Interop__EchoRequest *req;
  while (grpcc__interop__interop__client_stream__server_read(stream, &req)) {
    if (req->fail_with_code) {
      code = requested_failure(ctx, req->fail_with_code, req->fail_message);
      goto done;
    }
    size_t add = strlen(req->message);
    char *grown_text = realloc(text, text_len + add + 1);
    if (!grown_text) goto oom;
    text = grown_text;
    memcpy(text + text_len, req->message, add + 1);
    text_len += add;
    if (count == capacity) {
      size_t new_capacity = capacity ? capacity * 2 : 16;
      int32_t *grown = realloc(numbers, new_capacity * sizeof *numbers);
      if (!grown) goto oom;
      numbers = grown;
      capacity = new_capacity;
    }
    numbers[count++] = req->count;
  }
  resp->count = (int32_t)count;
  resp->message = grpc_c_server_ctx_strdup(ctx, text ? text : "");
  resp->n_numbers = count;
  resp->numbers = dup_bytes(ctx, numbers, count * sizeof *numbers);
  if (!resp->message || (count && !resp->numbers)) goto oom;
  set_metadata_fields(resp, &md);
  goto done;
oom:
  code =
      grpc_c_server_ctx_fail(ctx, GRPC_C_RESOURCE_EXHAUSTED, "out of memory");
done:
  free(text);
  free(numbers);
  return code;
}

static grpc_c_code bidi(void *self, grpc_c_server_ctx *ctx,
                        Grpcc__Interop__Interop__Bidi_ServerStream *stream) {
  (void)self;
  echo_md md = read_and_announce_metadata(ctx);
  Grpcc__Interop__EchoRequest *req;
  int32_t index = 0;
  while (grpcc__interop__interop__bidi__server_read(stream, &req)) {
    if (req->fail_with_code)
      return requested_failure(ctx, req->fail_with_code, req->fail_message);
    Grpcc__Interop__EchoResponse resp = GRPCC__INTEROP__ECHO_RESPONSE__INIT;
    echo_fields(ctx, req, &resp, false); /* borrows `req`: cannot fail */
    resp.index = index++;
    set_metadata_fields(&resp, &md);
    if (!grpcc__interop__interop__bidi__server_write(stream, &resp))
      return grpc_c_server_ctx_fail(ctx, GRPC_C_CANCELLED,
                                    "the client went away at message %d",
                                    (int)resp.index);
  }
  return GRPC_C_OK;
}

/* ---- main ---- */

static int parse_port(const char *text) {
  char *end;
  errno = 0;
  long port = strtol(text, &end, 10);
  if (errno || end == text || *end || port < 0 || port > 65535) return -1;
  return (int)port;
}

int main(int argc, char **argv) {
  const char *port_text = argc > 1 ? argv[1] : getenv("PORT");
  if (!port_text || !*port_text) port_text = "0";
  int port = parse_port(port_text);
  if (port < 0) {
    fprintf(stderr, "usage: interop_c_server [PORT]  (bad port '%s')\n",
            port_text);
    return 2;
  }
  grpc_c_set_log(grpc_c_log_to_stderr, GRPC_C_LOG_WARNING, NULL);

  static const Grpcc__Interop__Interop_Servicer servicer = {
      .unary_echo = unary_echo,
      .server_stream = server_stream,
      .client_stream = client_stream,
      .bidi = bidi,
      .not_implemented_by_server = NULL, /* answers UNIMPLEMENTED */
  };

  grpc_c_server_options *opts = NULL;
  grpc_c_server *server = NULL;
  int rc = grpc_c_server_options_new(&opts);
  /* The deadline case sleeps in a unary handler: keep pollers to spare. */
  if (rc == 0) rc = grpc_c_server_options_set_poller_threads(opts, 4);
  if (rc == 0) rc = grpc_c_server_create(&server, opts);
  grpc_c_server_options_free(opts);
  if (rc != 0) {
    fprintf(stderr, "interop_c_server: cannot create the server: %s\n",
            grpc_c_strerror(rc));
    return 1;
  }
  char address[64];
  snprintf(address, sizeof address, "127.0.0.1:%d", port);
  int bound = 0;
  rc = grpc_c_server_add_listener(server, address, &bound);
  if (rc == 0)
    rc = grpcc__interop__interop__servicer__register(server, &servicer, NULL);
  if (rc == 0) rc = grpc_c_server_handle_signals(server, 2000);
  if (rc == 0) rc = grpc_c_server_start(server);
  if (rc != 0) {
    fprintf(stderr, "interop_c_server: cannot serve on %s: %s\n", address,
            grpc_c_strerror(rc));
    grpc_c_server_destroy(server);
    return 1;
  }
  printf("listening on port %d\n", bound);
  fflush(stdout);
  grpc_c_server_wait(server);
  grpc_c_server_destroy(server);
  fprintf(stderr, "interop_c_server: stopped\n");
  return 0;
}
