/* Client calls: per-call options, unary calls (one batch each), streams. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* ---- call options ---- */

int grpc_c_call_options_new(grpc_c_call_options **out) {
  if (!out) return GRPC_C_EINVAL;
  *out = calloc(1, sizeof **out);
  if (!*out) return GRPC_C_ENOMEM;
  (*out)->timeout_ms = -1;
  return 0;
}

void grpc_c_call_options_free(grpc_c_call_options *opts) {
  if (!opts) return;
  gc_md_free(&opts->metadata);
  grpc_c_call_credentials_free(opts->credentials);
  free(opts);
}

int grpc_c_call_options_set_timeout_ms(grpc_c_call_options *opts,
                                       int64_t timeout_ms) {
  if (!opts) return GRPC_C_EINVAL;
  opts->timeout_ms = timeout_ms < 0 ? -1 : timeout_ms;
  return 0;
}

int grpc_c_call_options_add_metadata(grpc_c_call_options *opts, const char *key,
                                     const char *value) {
  if (!opts || !key || !value) return GRPC_C_EINVAL;
  size_t key_len = strlen(key);
  if (key_len > 4 && strcmp(key + key_len - 4, "-bin") == 0)
    return GRPC_C_EINVAL;
  return gc_md_add(&opts->metadata, key, value, strlen(value));
}

int grpc_c_call_options_add_metadata_bin(grpc_c_call_options *opts,
                                         const char *key, const void *value,
                                         size_t len) {
  if (!opts || !key) return GRPC_C_EINVAL;
  size_t key_len = strlen(key);
  if (key_len <= 4 || strcmp(key + key_len - 4, "-bin") != 0)
    return GRPC_C_EINVAL;
  return gc_md_add(&opts->metadata, key, value, len);
}

int grpc_c_call_options_set_wait_for_ready(grpc_c_call_options *opts,
                                           bool wait_for_ready) {
  if (!opts) return GRPC_C_EINVAL;
  opts->wait_for_ready = wait_for_ready;
  return 0;
}

int grpc_c_call_options_set_response_metadata(grpc_c_call_options *opts,
                                              grpc_c_metadata *initial,
                                              grpc_c_metadata *trailing) {
  if (!opts) return GRPC_C_EINVAL;
  opts->response_initial = initial;
  opts->response_trailing = trailing;
  return 0;
}

int grpc_c_call_options_set_parent(grpc_c_call_options *opts,
                                   const grpc_c_server_ctx *parent) {
  if (!opts) return GRPC_C_EINVAL;
  opts->parent = parent ? parent->call : NULL;
  return 0;
}

int grpc_c_call_options_set_compression(grpc_c_call_options *opts,
                                        grpc_c_compression algorithm) {
  if (!opts) return GRPC_C_EINVAL;
  return gc_md_set_compression(&opts->metadata, algorithm);
}

int grpc_c_call_options_set_cancel_source(grpc_c_call_options *opts,
                                          grpc_c_cancel_source *source) {
  if (!opts) return GRPC_C_EINVAL;
  opts->cancel_source = source;
  return 0;
}

/* ---- shared call plumbing ---- */

static void init_send_metadata_op(grpc_op *op,
                                  const grpc_c_call_options *opts) {
  memset(op, 0, sizeof *op);
  op->op = GRPC_OP_SEND_INITIAL_METADATA;
  if (!opts) return;
  op->data.send_initial_metadata.count = opts->metadata.count;
  op->data.send_initial_metadata.metadata = opts->metadata.items;
  if (opts->wait_for_ready)
    op->flags = GRPC_INITIAL_METADATA_WAIT_FOR_READY |
                GRPC_INITIAL_METADATA_WAIT_FOR_READY_EXPLICITLY_SET;
}

static grpc_call *create_call(grpc_c_channel *channel, void *handle,
                              grpc_completion_queue *cq,
                              const grpc_c_call_options *opts) {
  int64_t timeout_ms = opts && opts->timeout_ms >= 0
                           ? opts->timeout_ms
                           : channel->default_timeout_ms;
  /* With a parent, the core takes the earlier of the two deadlines. */
  grpc_call *call = grpc_channel_create_registered_call(
      channel->core, opts ? opts->parent : NULL, GRPC_PROPAGATE_DEFAULTS, cq,
      handle, gc_deadline_after_ms(timeout_ms), NULL);
  gc_cancel_attach(opts ? opts->cancel_source : NULL, call);
  grpc_c_call_credentials *creds = opts ? opts->credentials : NULL;
  if (creds || channel->refuse_credentials)
    gc_call_credentials_apply(channel, call, creds);
  return call;
}

/* What a call receives at its end: the status and trailing metadata. */
typedef struct gc_call_end {
  grpc_metadata_array initial_metadata;
  grpc_metadata_array trailing_metadata;
  grpc_status_code code;
  grpc_slice details;
  const char *error_string;
} gc_call_end;

static void call_end_init(gc_call_end *end) {
  grpc_metadata_array_init(&end->initial_metadata);
  grpc_metadata_array_init(&end->trailing_metadata);
  end->code = GRPC_STATUS_UNKNOWN;
  end->details = grpc_empty_slice();
  end->error_string = NULL;
}

static void call_end_destroy(gc_call_end *end) {
  grpc_metadata_array_destroy(&end->initial_metadata);
  grpc_metadata_array_destroy(&end->trailing_metadata);
  grpc_slice_unref(end->details);
  gpr_free((void *)end->error_string);
}

static void recv_status_op(grpc_op *op, gc_call_end *end) {
  memset(op, 0, sizeof *op);
  op->op = GRPC_OP_RECV_STATUS_ON_CLIENT;
  op->data.recv_status_on_client.trailing_metadata = &end->trailing_metadata;
  op->data.recv_status_on_client.status = &end->code;
  op->data.recv_status_on_client.status_details = &end->details;
  op->data.recv_status_on_client.error_string = &end->error_string;
}

/* Turns a received end into a status; returns its code. Every client call
 * (unary, async, each stream finish) ends here. The core passes on any
 * grpc-status number; one outside 0..16 becomes UNKNOWN (as grpc-java
 * maps it), with the number kept in the message. */
static grpc_c_code call_end_status(const gc_call_end *end,
                                   grpc_c_status *status) {
  const char *message = (const char *)GRPC_SLICE_START_PTR(end->details);
  size_t len = GRPC_SLICE_LENGTH(end->details);
  bool known = (unsigned)end->code <= (unsigned)GRPC_C_UNAUTHENTICATED;
  grpc_c_code code = known ? (grpc_c_code)end->code : GRPC_C_UNKNOWN;
  if (known) {
    gc_status_fill(status, code, message, len);
  } else if (status) {
    char prefix[64];
    int n =
        snprintf(prefix, sizeof prefix, "grpc-c: the server sent status %d%s",
                 (int)end->code, len ? ": " : "");
    char *text = malloc((size_t)n + len);
    if (text) {
      memcpy(text, prefix, (size_t)n);
      if (len) memcpy(text + n, message, len);
    }
    gc_status_fill(status, code, text ? text : prefix,
                   text ? (size_t)n + len : (size_t)n);
    free(text);
  }
  gc_status_take_details(status, &end->trailing_metadata);
  return code;
}

/* ---- unary ---- */

/* One unary call: six ops in one batch. */
typedef struct gc_unary {
  gc_async_tag tag; /* first: the async queue's tag */
  grpc_call *call;
  grpc_byte_buffer *request;
  grpc_byte_buffer *response;
  gc_call_end end;
  grpc_op ops[6];
  const grpc_c_method *method;
  grpc_c_metadata *response_initial; /* sinks from the options */
  grpc_c_metadata *response_trailing;
  grpc_c_cancel_source *cancel_source;
  /* async only */
  grpc_c_unary_thunk thunk;
  grpc_c_generic_fn user_fn;
  void *user_data;
} gc_unary;

static grpc_call_error unary_start(gc_unary *u,
                                   const grpc_c_call_options *opts) {
  if (opts) {
    u->response_initial = opts->response_initial;
    u->response_trailing = opts->response_trailing;
  }
  grpc_op *op = u->ops;
  init_send_metadata_op(op++, opts);
  gc_send_message_op(op++, u->request, 0);
  memset(op, 0, sizeof *op);
  op->op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
  op++;
  memset(op, 0, sizeof *op);
  op->op = GRPC_OP_RECV_INITIAL_METADATA;
  op->data.recv_initial_metadata.recv_initial_metadata =
      &u->end.initial_metadata;
  op++;
  gc_recv_message_op(op++, &u->response);
  recv_status_op(op++, &u->end);
  return grpc_call_start_batch(u->call, u->ops, (size_t)(op - u->ops), u, NULL);
}

/* Decodes the outcome of a finished unary call. */
static grpc_c_code unary_outcome(gc_unary *u, bool ok,
                                 ProtobufCMessage **response,
                                 grpc_c_status *status) {
  *response = NULL;
  if (!ok) {
    gc_status_fill(status, GRPC_C_INTERNAL, "grpc-c: call batch failed", 25);
    return GRPC_C_INTERNAL;
  }
  gc_metadata_fill(u->response_initial, &u->end.initial_metadata);
  gc_metadata_fill(u->response_trailing, &u->end.trailing_metadata);
  grpc_c_code code = call_end_status(&u->end, status);
  if (code != GRPC_C_OK) return code;
  if (!u->response) {
    static const char msg[] = "grpc-c: server sent no response message";
    gc_status_fill(status, GRPC_C_INTERNAL, msg, sizeof msg - 1);
    return GRPC_C_INTERNAL;
  }
  *response = gc_unpack(u->method->response_descriptor, u->response, NULL);
  if (!*response) {
    static const char msg[] = "grpc-c: failed to parse the response message";
    gc_status_fill(status, GRPC_C_INTERNAL, msg, sizeof msg - 1);
    return GRPC_C_INTERNAL;
  }
  return GRPC_C_OK;
}

static void unary_destroy(gc_unary *u) {
  gc_buffer_free(u->request);
  gc_buffer_free(u->response);
  call_end_destroy(&u->end);
  if (u->call) {
    gc_cancel_detach(u->cancel_source, u->call);
    grpc_call_unref(u->call);
  }
}

static const char *check_call_args(grpc_c_channel *channel,
                                   const grpc_c_method *method,
                                   grpc_c_method_kind kind) {
  if (!channel) return "NULL channel";
  if (!method) return "NULL method";
  if (method->kind != kind) return "method is not of the kind this call needs";
  return NULL;
}

grpc_c_code grpc_c_unary_call(grpc_c_channel *channel,
                              const grpc_c_method *method,
                              const ProtobufCMessage *request,
                              ProtobufCMessage **response,
                              const grpc_c_call_options *opts,
                              grpc_c_status *status) {
  const char *misuse = check_call_args(channel, method, GRPC_C_METHOD_UNARY);
  if (!misuse && !request) misuse = "NULL request";
  if (!misuse && !response) misuse = "NULL response pointer";
  if (!misuse && request->descriptor != method->request_descriptor)
    misuse = "request is not of the method's request type";
  if (misuse) {
    if (response) *response = NULL;
    return gc_misuse(status, misuse);
  }
  *response = NULL;

  gc_unary u;
  memset(&u, 0, sizeof u);
  u.method = method;
  u.cancel_source = opts ? opts->cancel_source : NULL;
  call_end_init(&u.end);
  void *handle;
  grpc_completion_queue *cq;
  u.request = gc_pack(request);
  if (!u.request || !gc_channel_acquire(channel, method, &handle, &cq)) {
    unary_destroy(&u);
    gc_status_fill(status, GRPC_C_RESOURCE_EXHAUSTED, "grpc-c: out of memory",
                   21);
    return GRPC_C_RESOURCE_EXHAUSTED;
  }
  u.call = create_call(channel, handle, cq, opts);
  grpc_c_code code;
  if (unary_start(&u, opts) != GRPC_CALL_OK) {
    code = GRPC_C_INTERNAL;
    gc_status_fill(status, code, "grpc-c: the core refused the call", 33);
  } else {
    grpc_event ev = grpc_completion_queue_pluck(
        cq, &u, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL);
    code = unary_outcome(&u, ev.success != 0, response, status);
  }
  unary_destroy(&u);
  gc_channel_release_cq(channel, cq);
  return code;
}

static void unary_async_complete(gc_async_tag *tag, bool ok) {
  gc_unary *u = (gc_unary *)tag;
  grpc_c_status status = GRPC_C_STATUS_INIT;
  ProtobufCMessage *response;
  unary_outcome(u, ok, &response, &status);
  /* The call is over for the application once its callback runs, which
   * may free the cancel source at once: leave the source first. */
  gc_cancel_detach(u->cancel_source, u->call);
  u->cancel_source = NULL;
  u->thunk(u->user_fn, &status, response, u->user_data);
  grpc_c_status_clear(&status);
  unary_destroy(u);
  free(u);
}

int grpc_c_unary_call_async(grpc_c_channel *channel,
                            const grpc_c_method *method,
                            const ProtobufCMessage *request,
                            const grpc_c_call_options *opts,
                            grpc_c_unary_thunk thunk, grpc_c_generic_fn user_fn,
                            void *user_data) {
  if (check_call_args(channel, method, GRPC_C_METHOD_UNARY) || !request ||
      !thunk || !user_fn || request->descriptor != method->request_descriptor)
    return GRPC_C_EINVAL;
  grpc_completion_queue *cq = gc_channel_async_cq(channel);
  if (!cq) return GRPC_C_ETHREAD;
  void *handle;
  gc_unary *u = calloc(1, sizeof *u);
  if (!u) return GRPC_C_ENOMEM;
  u->tag.complete = unary_async_complete;
  u->method = method;
  u->cancel_source = opts ? opts->cancel_source : NULL;
  u->thunk = thunk;
  u->user_fn = user_fn;
  u->user_data = user_data;
  call_end_init(&u->end);
  u->request = gc_pack(request);
  if (!u->request || !gc_channel_acquire(channel, method, &handle, NULL)) {
    unary_destroy(u);
    free(u);
    return GRPC_C_ENOMEM;
  }
  u->call = create_call(channel, handle, cq, opts);
  if (unary_start(u, opts) != GRPC_CALL_OK) {
    unary_destroy(u);
    free(u);
    return GRPC_C_ECORE;
  }
  return 0;
}

/* ---- streams ---- */

struct grpc_c_client_stream {
  grpc_c_channel *channel;
  const grpc_c_method *method;
  grpc_call *call;
  grpc_completion_queue *cq;
  gc_call_end end;
  bool initial_metadata_received; /* touched by the reader only */
  bool read_done;                 /* reader only */
  _Atomic bool writes_done;
  ProtobufCMessage *lent;            /* the message the last read returned */
  grpc_c_metadata *response_initial; /* sinks from the options */
  grpc_c_metadata *response_trailing;
  grpc_c_cancel_source *cancel_source;
};

/* Runs one batch and waits for it on the stream's pluck queue. Each op kind
 * uses its own tag so a reader and a writer can wait at the same time. */
static bool run_batch(grpc_c_client_stream *s, grpc_op *ops, size_t n,
                      void *tag) {
  if (grpc_call_start_batch(s->call, ops, n, tag, NULL) != GRPC_CALL_OK)
    return false;
  grpc_event ev = grpc_completion_queue_pluck(
      s->cq, tag, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL);
  return ev.success != 0;
}

int grpc_c_client_stream_start(grpc_c_channel *channel,
                               const grpc_c_method *method,
                               const ProtobufCMessage *request,
                               const grpc_c_call_options *opts,
                               grpc_c_client_stream **out) {
  if (!out) return GRPC_C_EINVAL;
  *out = NULL;
  if (!channel || !method || method->kind == GRPC_C_METHOD_UNARY)
    return GRPC_C_EINVAL;
  bool server_streaming = method->kind == GRPC_C_METHOD_SERVER_STREAMING;
  if (server_streaming != (request != NULL)) return GRPC_C_EINVAL;
  if (request && request->descriptor != method->request_descriptor)
    return GRPC_C_EINVAL;

  grpc_c_client_stream *s = calloc(1, sizeof *s);
  if (!s) return GRPC_C_ENOMEM;
  s->channel = channel;
  s->method = method;
  if (opts) {
    s->response_initial = opts->response_initial;
    s->response_trailing = opts->response_trailing;
    s->cancel_source = opts->cancel_source;
  }
  call_end_init(&s->end);
  void *handle;
  grpc_byte_buffer *payload = NULL;
  if (request && !(payload = gc_pack(request))) {
    free(s);
    return GRPC_C_ENOMEM;
  }
  if (!gc_channel_acquire(channel, method, &handle, &s->cq)) {
    gc_buffer_free(payload);
    free(s);
    return GRPC_C_ENOMEM;
  }
  s->call = create_call(channel, handle, s->cq, opts);

  grpc_op ops[3];
  size_t n = 0;
  init_send_metadata_op(&ops[n++], opts);
  if (payload) {
    gc_send_message_op(&ops[n++], payload, 0);
    memset(&ops[n], 0, sizeof ops[n]);
    ops[n++].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
    s->writes_done = true;
  }
  /* A failed start is not an error here: the call's status says why. */
  (void)run_batch(s, ops, n, &s->call);
  gc_buffer_free(payload);
  *out = s;
  return 0;
}

bool grpc_c_client_stream_write(grpc_c_client_stream *s,
                                const ProtobufCMessage *msg) {
  return grpc_c_client_stream_write_flags(s, msg, 0);
}

bool grpc_c_client_stream_write_flags(grpc_c_client_stream *s,
                                      const ProtobufCMessage *msg,
                                      unsigned flags) {
  if (!s || !msg || s->writes_done) return false;
  if (flags & ~(unsigned)GRPC_C_WRITE_NO_COMPRESS) return false;
  if (s->method->kind != GRPC_C_METHOD_CLIENT_STREAMING &&
      s->method->kind != GRPC_C_METHOD_BIDI_STREAMING)
    return false;
  if (msg->descriptor != s->method->request_descriptor) return false;
  grpc_byte_buffer *buffer = gc_pack(msg);
  if (!buffer) return false;
  grpc_op op;
  gc_send_message_op(&op, buffer, gc_core_write_flags(flags));
  bool ok = run_batch(s, &op, 1, &s->writes_done);
  gc_buffer_free(buffer);
  return ok;
}

bool grpc_c_client_stream_read(grpc_c_client_stream *s,
                               ProtobufCMessage **msg) {
  if (msg) *msg = NULL;
  if (!s || !msg || s->read_done) return false;
  if (s->method->kind != GRPC_C_METHOD_SERVER_STREAMING &&
      s->method->kind != GRPC_C_METHOD_BIDI_STREAMING)
    return false;
  if (s->lent) {
    protobuf_c_message_free_unpacked(s->lent, NULL);
    s->lent = NULL;
  }
  grpc_op ops[2];
  size_t n = 0;
  grpc_byte_buffer *payload = NULL;
  if (!s->initial_metadata_received) {
    memset(&ops[n], 0, sizeof ops[n]);
    ops[n].op = GRPC_OP_RECV_INITIAL_METADATA;
    ops[n++].data.recv_initial_metadata.recv_initial_metadata =
        &s->end.initial_metadata;
    s->initial_metadata_received = true;
  }
  gc_recv_message_op(&ops[n++], &payload);
  bool ok = run_batch(s, ops, n, &s->read_done);
  if (n == 2) gc_metadata_fill(s->response_initial, &s->end.initial_metadata);
  if (!ok || !payload) {
    gc_buffer_free(payload);
    s->read_done = true;
    return false;
  }
  s->lent = gc_unpack(s->method->response_descriptor, payload, NULL);
  gc_buffer_free(payload);
  if (!s->lent) {
    /* A message we cannot parse ends the call, as in every gRPC stack. */
    grpc_call_cancel_with_status(s->call, GRPC_STATUS_INTERNAL,
                                 "grpc-c: failed to parse a response message",
                                 NULL);
    s->read_done = true;
    return false;
  }
  *msg = s->lent;
  return true;
}

bool grpc_c_client_stream_writes_done(grpc_c_client_stream *s) {
  if (!s) return false;
  if (atomic_exchange(&s->writes_done, true)) return true;
  grpc_op op;
  memset(&op, 0, sizeof op);
  op.op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
  return run_batch(s, &op, 1, &s->end);
}

grpc_c_code grpc_c_client_stream_finish(grpc_c_client_stream *s,
                                        ProtobufCMessage **response,
                                        grpc_c_status *status) {
  if (response) *response = NULL;
  if (!s) return gc_misuse(status, "NULL stream");
  bool client_streaming = s->method->kind == GRPC_C_METHOD_CLIENT_STREAMING;
  (void)grpc_c_client_stream_writes_done(s);

  /* Did the caller read every response? One more read tells: the end of
   * the stream means yes, and the server's status follows. A response means
   * no, and the call is cancelled rather than drained, since the server may
   * never stop sending and finish must not wait for it. */
  if (!client_streaming && !s->read_done) {
    ProtobufCMessage *unread;
    if (grpc_c_client_stream_read(s, &unread))
      grpc_call_cancel_with_status(
          s->call, GRPC_STATUS_CANCELLED,
          "grpc-c: the stream was finished before all its responses were read",
          NULL);
  }

  grpc_op ops[3];
  size_t n = 0;
  grpc_byte_buffer *payload = NULL;
  bool fetch_initial = !s->initial_metadata_received;
  if (fetch_initial) {
    memset(&ops[n], 0, sizeof ops[n]);
    ops[n].op = GRPC_OP_RECV_INITIAL_METADATA;
    ops[n++].data.recv_initial_metadata.recv_initial_metadata =
        &s->end.initial_metadata;
    s->initial_metadata_received = true;
  }
  if (client_streaming) {
    gc_recv_message_op(&ops[n++], &payload);
  }
  recv_status_op(&ops[n++], &s->end);
  grpc_c_code code;
  if (!run_batch(s, ops, n, s)) {
    code = GRPC_C_INTERNAL;
    gc_status_fill(status, code, "grpc-c: call batch failed", 25);
  } else {
    if (fetch_initial)
      gc_metadata_fill(s->response_initial, &s->end.initial_metadata);
    gc_metadata_fill(s->response_trailing, &s->end.trailing_metadata);
    code = call_end_status(&s->end, status);
    if (code == GRPC_C_OK && client_streaming) {
      ProtobufCMessage *reply =
          payload ? gc_unpack(s->method->response_descriptor, payload, NULL)
                  : NULL;
      if (!reply) {
        code = GRPC_C_INTERNAL;
        const char *msg = payload
                              ? "grpc-c: failed to parse the response message"
                              : "grpc-c: server sent no response message";
        gc_status_fill(status, code, msg, strlen(msg));
      } else if (response) {
        *response = reply;
      } else {
        protobuf_c_message_free_unpacked(reply, NULL);
      }
    }
  }
  gc_buffer_free(payload);
  if (s->lent) protobuf_c_message_free_unpacked(s->lent, NULL);
  call_end_destroy(&s->end);
  gc_cancel_detach(s->cancel_source, s->call);
  grpc_call_unref(s->call);
  gc_channel_release_cq(s->channel, s->cq);
  free(s);
  return code;
}

void grpc_c_client_stream_cancel(grpc_c_client_stream *s) {
  if (s) grpc_call_cancel(s->call, NULL);
}
