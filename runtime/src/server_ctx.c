/* The server-side call context: metadata, status, per-call memory,
 * deferred completion, streaming reads and writes, and the end of a call. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* ---- arena: per-call memory, reused across the calls of a slot ---- */

struct gc_arena_block {
  gc_arena_block *next;
  size_t size;
  size_t used;
  _Alignas(max_align_t) unsigned char data[];
};

enum { ARENA_FIRST_BLOCK = 2048 };

static void *arena_take(gc_arena *arena, size_t size);

/* protobuf-c initializes what it allocates (messages, arrays, strings), so
 * its memory is not zeroed first. */
static void *arena_protobuf_alloc(void *arena, size_t size) {
  return arena_take(arena, size);
}

static void arena_protobuf_free(void *arena, void *pointer) {
  (void)arena; /* freed with the arena */
  (void)pointer;
}

void gc_arena_init(gc_arena *arena) {
  arena->head = NULL;
  arena->allocator.alloc = arena_protobuf_alloc;
  arena->allocator.free = arena_protobuf_free;
  arena->allocator.allocator_data = arena;
}

static void *arena_take(gc_arena *arena, size_t size) {
  const size_t align = _Alignof(max_align_t);
  size = (size + align - 1) & ~(align - 1);
  if (size == 0) size = align;
  gc_arena_block *block = arena->head;
  if (!block || block->size - block->used < size) {
    size_t block_size = size > ARENA_FIRST_BLOCK ? size : ARENA_FIRST_BLOCK;
    if (block && block_size < block->size * 2 && size <= block->size * 2)
      block_size = block->size * 2;
    gc_arena_block *fresh = malloc(sizeof *fresh + block_size);
    if (!fresh) return NULL;
    fresh->size = block_size;
    fresh->used = 0;
    fresh->next = block;
    arena->head = block = fresh;
  }
  void *p = block->data + block->used;
  block->used += size;
  return p;
}

void *gc_arena_alloc(gc_arena *arena, size_t size) {
  void *p = arena_take(arena, size);
  if (p) memset(p, 0, size);
  return p;
}

void gc_arena_reset(gc_arena *arena) {
  /* Keep the last (oldest, smallest) block: most calls fit in it. */
  gc_arena_block *block = arena->head;
  while (block && block->next) {
    gc_arena_block *next = block->next;
    free(block);
    block = next;
  }
  if (block) block->used = 0;
  arena->head = block;
}

void gc_arena_free(gc_arena *arena) {
  gc_arena_block *block = arena->head;
  while (block) {
    gc_arena_block *next = block->next;
    free(block);
    block = next;
  }
  arena->head = NULL;
}

/* ---- reset ---- */

void gc_ctx_reset(grpc_c_server_ctx *ctx) {
  if (ctx->call) grpc_call_unref(ctx->call);
  ctx->call = NULL;
  gc_buffer_free(ctx->payload);
  ctx->payload = NULL;
  /* The send buffer is kept, empty, for the slot's next call. */
  if (ctx->send_buffer) gc_buffer_empty(ctx->send_buffer);
  grpc_metadata_array_destroy(&ctx->request_metadata);
  grpc_metadata_array_init(&ctx->request_metadata);
  grpc_call_details_destroy(&ctx->details);
  grpc_call_details_init(&ctx->details);
  if (ctx->lent) protobuf_c_message_free_unpacked(ctx->lent, NULL);
  ctx->lent = NULL;
  gc_md_clear(&ctx->initial_metadata);
  gc_md_clear(&ctx->trailing_metadata);
  free(ctx->status_message);
  ctx->status_message = NULL;
  grpc_slice_unref(ctx->status_slice);
  ctx->status_slice = grpc_empty_slice();
  if (ctx->peer) gpr_free(ctx->peer);
  ctx->peer = NULL;
  gc_arena_reset(&ctx->arena);
  ctx->cancelled_flag = 0;
  atomic_store(&ctx->close_received, false);
  ctx->read_done = false;
  ctx->decode_failed = false;
  ctx->request_too_large = false;
  ctx->request_compressed = false;
  ctx->initial_metadata_sent = false;
  atomic_store(&ctx->deferred, false);
  ctx->defer_flag = NULL;
  ctx->close_started = false;
  atomic_store(&ctx->unary_events, 0);
  ctx->on_cancel = NULL;
  ctx->on_cancel_data = NULL;
  if (ctx->auth) grpc_auth_context_release(ctx->auth);
  ctx->auth = NULL;
  ctx->principal = NULL;
  if (ctx->stream) gc_stream_reset(ctx->stream);
  ctx->state = GC_CTX_IDLE;
}

/* ---- accessors ---- */

const char *grpc_c_server_ctx_method(const grpc_c_server_ctx *ctx) {
  if (!ctx || !ctx->method) return "";
  return ctx->method->method->path;
}

const char *grpc_c_server_ctx_peer(grpc_c_server_ctx *ctx) {
  if (!ctx || !ctx->call) return "";
  if (!ctx->peer) ctx->peer = grpc_call_get_peer(ctx->call);
  return ctx->peer ? ctx->peer : "";
}

int64_t grpc_c_server_ctx_time_remaining_ms(const grpc_c_server_ctx *ctx) {
  if (!ctx) return 0;
  return gc_ms_until(ctx->deadline);
}

/* Streaming calls learn about cancellation from their close event; look at
 * it without waiting. */
static bool poll_close(grpc_c_server_ctx *ctx) {
  if (atomic_load(&ctx->close_received)) return true;
  if (!ctx->stream_cq) return false;
  grpc_event ev = grpc_completion_queue_pluck(
      ctx->stream_cq, &ctx->close_tag, gpr_inf_past(GPR_CLOCK_MONOTONIC), NULL);
  if (ev.type == GRPC_OP_COMPLETE) {
    atomic_store(&ctx->close_received, true);
    return true;
  }
  return false;
}

bool grpc_c_server_ctx_request_compressed(const grpc_c_server_ctx *ctx) {
  return ctx && ctx->request_compressed;
}

bool grpc_c_server_ctx_is_cancelled(const grpc_c_server_ctx *ctx) {
  if (!ctx) return false;
  grpc_c_server_ctx *mutable_ctx = (grpc_c_server_ctx *)ctx;
  if (gc_server_cancelling(ctx->server)) return true;
  if (gc_ms_until(ctx->deadline) == 0) return true;
  if (poll_close(mutable_ctx)) return ctx->cancelled_flag != 0;
  return false;
}

const char *grpc_c_server_ctx_metadata(grpc_c_server_ctx *ctx, const char *key,
                                       size_t index, size_t *len) {
  if (len) *len = 0;
  if (!ctx || !key) return NULL;
  const grpc_slice *value = gc_md_find(&ctx->request_metadata, key, index);
  if (!value) return NULL;
  size_t n = GRPC_SLICE_LENGTH(*value);
  char *copy = gc_arena_alloc(&ctx->arena, n + 1);
  if (!copy) return NULL;
  memcpy(copy, GRPC_SLICE_START_PTR(*value), n);
  copy[n] = '\0';
  if (len) *len = n;
  return copy;
}

int grpc_c_server_ctx_add_initial_metadata(grpc_c_server_ctx *ctx,
                                           const char *key, const void *value,
                                           size_t len) {
  if (!ctx) return GRPC_C_EINVAL;
  if (ctx->initial_metadata_sent) return GRPC_C_ESTATE;
  return gc_md_add(&ctx->initial_metadata, key, value, len);
}

int grpc_c_server_ctx_add_trailing_metadata(grpc_c_server_ctx *ctx,
                                            const char *key, const void *value,
                                            size_t len) {
  if (!ctx) return GRPC_C_EINVAL;
  return gc_md_add(&ctx->trailing_metadata, key, value, len);
}

grpc_c_code grpc_c_server_ctx_fail(grpc_c_server_ctx *ctx, grpc_c_code code,
                                   const char *fmt, ...) {
  if (!ctx || !fmt) return code;
  enum { MAX_MESSAGE = 64 * 1024 };
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) return code;
  size_t size = (size_t)n + 1 > MAX_MESSAGE ? MAX_MESSAGE : (size_t)n + 1;
  char *message = malloc(size);
  if (!message) return code;
  va_start(ap, fmt);
  vsnprintf(message, size, fmt, ap);
  va_end(ap);
  free(ctx->status_message);
  ctx->status_message = message;
  return code;
}

int grpc_c_server_ctx_set_compression(grpc_c_server_ctx *ctx,
                                      grpc_c_compression algorithm) {
  if (!ctx) return GRPC_C_EINVAL;
  if (ctx->initial_metadata_sent) return GRPC_C_ESTATE;
  return gc_md_set_compression(&ctx->initial_metadata, algorithm);
}

int grpc_c_server_ctx_set_error_details(grpc_c_server_ctx *ctx,
                                        const void *details, size_t len) {
  if (!ctx || (!details && len)) return GRPC_C_EINVAL;
  return gc_md_add_reserved(&ctx->trailing_metadata, "grpc-status-details-bin",
                            details, len);
}

void *grpc_c_server_ctx_alloc(grpc_c_server_ctx *ctx, size_t size) {
  return ctx ? gc_arena_alloc(&ctx->arena, size) : NULL;
}

char *grpc_c_server_ctx_strdup(grpc_c_server_ctx *ctx, const char *s) {
  if (!ctx || !s) return NULL;
  size_t n = strlen(s) + 1;
  char *copy = gc_arena_alloc(&ctx->arena, n);
  if (copy) memcpy(copy, s, n);
  return copy;
}

/* ---- ending a call ---- */

int grpc_c_server_ctx_defer(grpc_c_server_ctx *ctx) {
  if (!ctx || !ctx->method) return GRPC_C_EINVAL;
  grpc_c_method_kind kind = ctx->method->method->kind;
  if (!ctx->defer_flag ||
      (kind != GRPC_C_METHOD_UNARY && kind != GRPC_C_METHOD_CLIENT_STREAMING))
    return GRPC_C_ESTATE;
  if (atomic_exchange(&ctx->deferred, true)) return GRPC_C_ESTATE;
  if (kind == GRPC_C_METHOD_UNARY) {
    /* Ask for the close event now, so cancellation is seen while the call
     * waits. It completes on the server queue, tagged ctx + 1 (slots are
     * aligned, so the low bit is free). */
    grpc_op op;
    gc_ctx_close_op(ctx, &op);
    atomic_store(&ctx->unary_events, 2);
    ctx->close_started = true;
    if (grpc_call_start_batch(ctx->call, &op, 1, (char *)ctx + 1, NULL) !=
        GRPC_CALL_OK) {
      ctx->close_started = false;
      atomic_store(&ctx->unary_events, 0);
    }
  }
  /* Tell the thread running the handler, through its own stack, so it
   * never reads the context again: another thread may finish it now. */
  *ctx->defer_flag = true;
  return 0;
}

int grpc_c_server_ctx_on_cancel(grpc_c_server_ctx *ctx, grpc_c_cancel_fn fn,
                                void *user_data) {
  if (!ctx || !fn || !ctx->method) return GRPC_C_EINVAL;
  if (ctx->method->method->kind != GRPC_C_METHOD_UNARY || !ctx->defer_flag ||
      atomic_load(&ctx->deferred))
    return GRPC_C_ESTATE;
  ctx->on_cancel = fn;
  ctx->on_cancel_data = user_data;
  return 0;
}

/* The last of a deferred unary call's two events releases its slot. */
static void unary_event_done(grpc_c_server_ctx *ctx) {
  if (atomic_fetch_sub(&ctx->unary_events, 1) == 1) gc_ctx_release(ctx);
}

void gc_ctx_unary_closed(grpc_c_server_ctx *ctx) {
  atomic_store(&ctx->close_received, true);
  if (ctx->cancelled_flag && ctx->on_cancel)
    ctx->on_cancel(ctx, ctx->on_cancel_data);
  unary_event_done(ctx);
}

void gc_ctx_unary_done(grpc_c_server_ctx *ctx) {
  if (ctx->close_started)
    unary_event_done(ctx);
  else
    gc_ctx_release(ctx);
}

int grpc_c_server_ctx_finish(grpc_c_server_ctx *ctx, grpc_c_code code) {
  if (!ctx) return GRPC_C_EINVAL;
  if (!atomic_exchange(&ctx->deferred, false)) return GRPC_C_ESTATE;
  if (!ctx->stream) ctx->defer_flag = NULL; /* else the handler's thread */
  gc_ctx_finish(ctx, code);
  return 0;
}

void gc_ctx_initial_metadata_op(grpc_c_server_ctx *ctx, grpc_op *op) {
  memset(op, 0, sizeof *op);
  op->op = GRPC_OP_SEND_INITIAL_METADATA;
  op->data.send_initial_metadata.count = ctx->initial_metadata.count;
  op->data.send_initial_metadata.metadata = ctx->initial_metadata.items;
  ctx->initial_metadata_sent = true;
}

void gc_ctx_close_op(grpc_c_server_ctx *ctx, grpc_op *op) {
  memset(op, 0, sizeof *op);
  op->op = GRPC_OP_RECV_CLOSE_ON_SERVER;
  op->data.recv_close_on_server.cancelled = &ctx->cancelled_flag;
}

void gc_ctx_status_op(grpc_c_server_ctx *ctx, grpc_c_code code, grpc_op *op) {
  memset(op, 0, sizeof *op);
  op->op = GRPC_OP_SEND_STATUS_FROM_SERVER;
  op->data.send_status_from_server.status = (grpc_status_code)code;
  op->data.send_status_from_server.trailing_metadata_count =
      ctx->trailing_metadata.count;
  op->data.send_status_from_server.trailing_metadata =
      ctx->trailing_metadata.items;
  if (ctx->status_message) {
    grpc_slice_unref(ctx->status_slice);
    ctx->status_slice = grpc_slice_from_copied_string(ctx->status_message);
    op->data.send_status_from_server.status_details = &ctx->status_slice;
  }
}

/* Waits for `tag` on the call's own queue (streaming calls). */
static bool wait_tag(grpc_c_server_ctx *ctx, void *tag) {
  grpc_event ev = grpc_completion_queue_pluck(
      ctx->stream_cq, tag, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL);
  return ev.type == GRPC_OP_COMPLETE && ev.success;
}

grpc_c_code gc_ctx_decode_outcome(grpc_c_server_ctx *ctx, grpc_c_code code) {
  if (!ctx->decode_failed || code != GRPC_C_OK) return code;
  return gc_ctx_fail_decode(ctx);
}

void gc_ctx_finish(grpc_c_server_ctx *ctx, grpc_c_code code) {
  const grpc_c_method *m = ctx->method->method;
  bool streaming = m->kind != GRPC_C_METHOD_UNARY;
  /* A handler that gives up because its deadline passed reports what the
   * client will see anyway, whichever side's timer fires first. */
  if (code == GRPC_C_CANCELLED && gc_ms_until(ctx->deadline) == 0)
    code = GRPC_C_DEADLINE_EXCEEDED;
  if (code == GRPC_C_UNIMPLEMENTED && !ctx->status_message)
    grpc_c_server_ctx_fail(ctx, code, "Method not implemented: %s", m->path);
  if (ctx->stream) {
    gc_stream_finish(ctx, code); /* applies the decode outcome itself */
    return;
  }
  code = gc_ctx_decode_outcome(ctx, code);
  grpc_op ops[4];
  size_t n = 0;
  if (!ctx->initial_metadata_sent) gc_ctx_initial_metadata_op(ctx, &ops[n++]);
  if (code == GRPC_C_OK && ctx->response_storage) {
    ctx->send_buffer = gc_pack_into(ctx->response_storage, ctx->send_buffer);
    if (ctx->send_buffer) {
      gc_send_message_op(&ops[n++], ctx->send_buffer, 0);
    } else {
      code = grpc_c_server_ctx_fail(ctx, GRPC_C_RESOURCE_EXHAUSTED,
                                    "grpc-c: out of memory");
    }
  }
  gc_ctx_status_op(ctx, code, &ops[n++]);

  if (!streaming) {
    /* Unary: one batch with the close (unless a deferred call asked for it
     * already); the poller releases the slot. */
    if (!ctx->close_started) gc_ctx_close_op(ctx, &ops[n++]);
    ctx->state = GC_CTX_UNARY_DONE;
    if (grpc_call_start_batch(ctx->call, ops, n, ctx, NULL) != GRPC_CALL_OK) {
      gc_log(GRPC_C_LOG_ERROR, "cannot finish a unary call");
      gc_ctx_unary_done(ctx);
    }
    return;
  }

  if (grpc_call_start_batch(ctx->call, ops, n, &ctx->finish_tag, NULL) ==
      GRPC_CALL_OK)
    (void)wait_tag(ctx, &ctx->finish_tag);
  else
    gc_log(GRPC_C_LOG_ERROR, "cannot finish a streaming call");
  /* The close event always comes: wait for it before reusing the queue. */
  if (!atomic_load(&ctx->close_received)) {
    (void)wait_tag(ctx, &ctx->close_tag);
    atomic_store(&ctx->close_received, true);
  }
  gc_ctx_release(ctx);
}

/* ---- streaming reads and writes ---- */

bool grpc_c_server_ctx_read(grpc_c_server_ctx *ctx, ProtobufCMessage **msg) {
  if (msg) *msg = NULL;
  if (!ctx || !msg || !ctx->method || ctx->read_done || ctx->stream)
    return false;
  const grpc_c_method *m = ctx->method->method;
  if (m->kind != GRPC_C_METHOD_CLIENT_STREAMING &&
      m->kind != GRPC_C_METHOD_BIDI_STREAMING)
    return false;
  if (ctx->lent) {
    protobuf_c_message_free_unpacked(ctx->lent, NULL);
    ctx->lent = NULL;
  }
  grpc_byte_buffer *payload = NULL;
  grpc_op op;
  gc_recv_message_op(&op, &payload);
  bool ok = grpc_call_start_batch(ctx->call, &op, 1, &ctx->read_tag, NULL) ==
                GRPC_CALL_OK &&
            wait_tag(ctx, &ctx->read_tag);
  if (!ok || !payload) {
    gc_buffer_free(payload);
    ctx->read_done = true;
    return false;
  }
  ctx->lent = gc_ctx_unpack(ctx, m->request_descriptor, payload, NULL);
  gc_buffer_free(payload);
  if (!ctx->lent) {
    ctx->read_done = true;
    return false;
  }
  *msg = ctx->lent;
  return true;
}

bool grpc_c_server_ctx_write(grpc_c_server_ctx *ctx,
                             const ProtobufCMessage *msg) {
  return grpc_c_server_ctx_write_flags(ctx, msg, 0);
}

bool grpc_c_server_ctx_write_flags(grpc_c_server_ctx *ctx,
                                   const ProtobufCMessage *msg,
                                   unsigned flags) {
  if (!ctx || !msg || !ctx->method) return false;
  if (flags & ~(unsigned)GRPC_C_WRITE_NO_COMPRESS) return false;
  const grpc_c_method *m = ctx->method->method;
  if (m->kind != GRPC_C_METHOD_SERVER_STREAMING &&
      m->kind != GRPC_C_METHOD_BIDI_STREAMING)
    return false;
  if (msg->descriptor != m->response_descriptor) return false;
  if (ctx->stream) return gc_stream_write(ctx, msg, flags);
  grpc_op ops[2];
  size_t n = 0;
  if (!ctx->initial_metadata_sent) gc_ctx_initial_metadata_op(ctx, &ops[n++]);
  grpc_byte_buffer *buffer = gc_pack(msg);
  if (!buffer) return false;
  gc_send_message_op(&ops[n++], buffer, gc_core_write_flags(flags));
  bool ok = grpc_call_start_batch(ctx->call, ops, n, &ctx->write_tag, NULL) ==
                GRPC_CALL_OK &&
            wait_tag(ctx, &ctx->write_tag);
  gc_buffer_free(buffer);
  return ok;
}
