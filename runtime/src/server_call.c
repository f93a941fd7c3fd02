/* The core server call object, shared by every call mode: the slot and its
 * per-call memory, request metadata, response metadata and status, the
 * request's decoding, the handler's invocation, the ops that end a call,
 * and the public grpc_c_server_ctx_* functions, which reach the call's mode
 * through its gc_call_mode where the mode decides. */
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

/* ---- slots ---- */

grpc_c_server_ctx *gc_call_new(gc_server_common *common, gc_server_method *sm) {
  grpc_c_server_ctx *ctx = calloc(1, sizeof *ctx);
  if (!ctx) return NULL;
  ctx->common = common;
  ctx->method = sm;
  ctx->mode = sm->mode;
  ctx->call_cq = common->cq;
  gc_arena_init(&ctx->arena);
  grpc_metadata_array_init(&ctx->request_metadata);
  grpc_call_details_init(&ctx->details);
  ctx->status_slice = grpc_empty_slice();
  const grpc_c_method *m = sm->method;
  if (m && (m->kind == GRPC_C_METHOD_UNARY ||
            m->kind == GRPC_C_METHOD_CLIENT_STREAMING)) {
    ctx->response_storage = calloc(1, m->response_descriptor->sizeof_message);
    if (!ctx->response_storage) goto fail;
  }
  if (ctx->mode && ctx->mode->slot_init && !ctx->mode->slot_init(ctx))
    goto fail;
  return ctx;
fail:
  free(ctx->response_storage);
  free(ctx);
  return NULL;
}

void gc_call_reset(grpc_c_server_ctx *ctx) {
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
  ctx->decode_failed = false;
  ctx->request_too_large = false;
  ctx->request_compressed = false;
  ctx->initial_metadata_sent = false;
  atomic_store(&ctx->deferred, false);
  ctx->defer_flag = NULL;
  if (ctx->auth) grpc_auth_context_release(ctx->auth);
  ctx->auth = NULL;
  ctx->principal = NULL;
  ctx->mode = ctx->method->mode; /* deferred calls return to their own */
  if (ctx->mode && ctx->mode->slot_reset) ctx->mode->slot_reset(ctx);
  ctx->phase = GC_CALL_IDLE;
}

void gc_call_free(grpc_c_server_ctx *ctx) {
  gc_call_reset(ctx);
  if (ctx->mode && ctx->mode->slot_free) ctx->mode->slot_free(ctx);
  gc_buffer_free(ctx->send_buffer);
  grpc_metadata_array_destroy(&ctx->request_metadata);
  grpc_call_details_destroy(&ctx->details);
  gc_md_free(&ctx->initial_metadata);
  gc_md_free(&ctx->trailing_metadata);
  gc_arena_free(&ctx->arena);
  free(ctx->response_storage);
  free(ctx);
}

/* ---- accessors ---- */

const char *grpc_c_server_ctx_method(const grpc_c_server_ctx *ctx) {
  if (!ctx || !ctx->method->method) return "";
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

bool grpc_c_server_ctx_request_compressed(const grpc_c_server_ctx *ctx) {
  return ctx && ctx->request_compressed;
}

bool grpc_c_server_ctx_is_cancelled(const grpc_c_server_ctx *ctx) {
  if (!ctx) return false;
  grpc_c_server_ctx *mutable_ctx = (grpc_c_server_ctx *)ctx;
  if (atomic_load(&ctx->common->cancelling)) return true;
  if (gc_ms_until(ctx->deadline) == 0) return true;
  bool closed = ctx->mode && ctx->mode->poll_close
                    ? ctx->mode->poll_close(mutable_ctx)
                    : atomic_load(&ctx->close_received);
  return closed && ctx->cancelled_flag != 0;
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

/* ---- the handler ---- */

ProtobufCMessage *gc_call_unpack(grpc_c_server_ctx *ctx,
                                 grpc_byte_buffer *buffer,
                                 ProtobufCAllocator *allocator) {
  gc_unpacked info;
  ProtobufCMessage *msg =
      gc_unpack_limited(ctx->method->method->request_descriptor, buffer,
                        allocator, ctx->common->receive_limit, &info);
  ctx->request_compressed = info.compressed;
  if (!msg && buffer) {
    ctx->decode_failed = true;
    ctx->request_too_large = info.too_large;
  }
  return msg;
}

static grpc_c_code fail_decode(grpc_c_server_ctx *ctx) {
  if (ctx->request_too_large)
    return grpc_c_server_ctx_fail(
        ctx, GRPC_C_RESOURCE_EXHAUSTED,
        "grpc-c: a request message exceeds the receive limit (%zu bytes)",
        ctx->common->receive_limit);
  return grpc_c_server_ctx_fail(ctx, GRPC_C_INTERNAL,
                                "grpc-c: failed to parse a request message");
}

grpc_c_code gc_call_decode_outcome(grpc_c_server_ctx *ctx, grpc_c_code code) {
  if (!ctx->decode_failed || code != GRPC_C_OK) return code;
  return fail_decode(ctx);
}

grpc_c_code gc_call_final_code(grpc_c_server_ctx *ctx, grpc_c_code code) {
  /* A handler that gives up because its deadline passed reports what the
   * client will see anyway, whichever side's timer fires first. */
  if (code == GRPC_C_CANCELLED && gc_ms_until(ctx->deadline) == 0)
    code = GRPC_C_DEADLINE_EXCEEDED;
  if (code == GRPC_C_UNIMPLEMENTED && !ctx->status_message)
    grpc_c_server_ctx_fail(ctx, code, "Method not implemented: %s",
                           ctx->method->method->path);
  /* gRPC has 17 codes; other stacks read any other number as UNKNOWN, so
   * send that, and keep the number the handler gave in the message. */
  if ((unsigned)code > (unsigned)GRPC_C_UNAUTHENTICATED) {
    grpc_c_server_ctx_fail(
        ctx, GRPC_C_UNKNOWN, "grpc-c: the handler returned status %d: %s",
        (int)code, ctx->status_message ? ctx->status_message : "");
    code = GRPC_C_UNKNOWN;
  }
  return code;
}

/* Runs the server's auth hook, if any; a refused call is ended here and
 * its handler never runs. Returns true when the call was refused. */
static bool auth_refuses(grpc_c_server_ctx *ctx) {
  const gc_server_common *common = ctx->common;
  if (!common->auth_fn) return false;
  grpc_c_code code = common->auth_fn(common->auth_data, ctx);
  if (code == GRPC_C_OK) return false;
  if (!ctx->status_message)
    grpc_c_server_ctx_fail(ctx, code, "grpc-c: refused by the auth hook");
  ctx->mode->finish(ctx, code);
  return true;
}

/* Decodes the request that came with the call (unary and server-streaming
 * methods). NULL, with the call ended, when there was none or it did not
 * decode. */
static ProtobufCMessage *take_request(grpc_c_server_ctx *ctx) {
  ProtobufCMessage *request =
      ctx->payload ? gc_call_unpack(ctx, ctx->payload, &ctx->arena.allocator)
                   : NULL;
  gc_buffer_free(ctx->payload);
  ctx->payload = NULL;
  if (!request)
    ctx->mode->finish(ctx,
                      ctx->decode_failed
                          ? fail_decode(ctx)
                          : grpc_c_server_ctx_fail(
                                ctx, GRPC_C_INTERNAL,
                                "grpc-c: the client sent no request message"));
  return request;
}

bool gc_call_run_handler(grpc_c_server_ctx *ctx, grpc_c_code *code) {
  const grpc_c_method *m = ctx->method->method;
  if (auth_refuses(ctx)) return false;
  ProtobufCMessage *request = NULL;
  if ((m->kind == GRPC_C_METHOD_UNARY ||
       m->kind == GRPC_C_METHOD_SERVER_STREAMING) &&
      !(request = take_request(ctx)))
    return false;
  ProtobufCMessage *response = ctx->response_storage;
  if (response) protobuf_c_message_init(m->response_descriptor, response);
  bool deferred = false;
  ctx->defer_flag = &deferred;
  *code = m->invoke(ctx->method->servicer, ctx->method->self, ctx, request,
                    response);
  if (deferred) return false; /* another thread, or callbacks, own it now */
  ctx->defer_flag = NULL;
  return true;
}

/* ---- ending a call ---- */

int grpc_c_server_ctx_defer(grpc_c_server_ctx *ctx) {
  if (!ctx || !ctx->method->method) return GRPC_C_EINVAL;
  if (!ctx->defer_flag || !ctx->mode->defer) return GRPC_C_ESTATE;
  if (atomic_exchange(&ctx->deferred, true)) return GRPC_C_ESTATE;
  int rc = ctx->mode->defer(ctx);
  if (rc != 0) {
    atomic_store(&ctx->deferred, false);
    return rc;
  }
  /* Tell the thread running the handler, through its own stack, so it
   * never reads the context again: another thread may finish it now. */
  *ctx->defer_flag = true;
  return 0;
}

int grpc_c_server_ctx_finish(grpc_c_server_ctx *ctx, grpc_c_code code) {
  if (!ctx || !ctx->method->method) return GRPC_C_EINVAL;
  if (!atomic_exchange(&ctx->deferred, false)) return GRPC_C_ESTATE;
  ctx->mode->finish(ctx, code);
  return 0;
}

void gc_call_initial_metadata_op(grpc_c_server_ctx *ctx, grpc_op *op) {
  memset(op, 0, sizeof *op);
  op->op = GRPC_OP_SEND_INITIAL_METADATA;
  op->data.send_initial_metadata.count = ctx->initial_metadata.count;
  op->data.send_initial_metadata.metadata = ctx->initial_metadata.items;
  ctx->initial_metadata_sent = true;
}

void gc_call_close_op(grpc_c_server_ctx *ctx, grpc_op *op) {
  memset(op, 0, sizeof *op);
  op->op = GRPC_OP_RECV_CLOSE_ON_SERVER;
  op->data.recv_close_on_server.cancelled = &ctx->cancelled_flag;
}

void gc_call_status_op(grpc_c_server_ctx *ctx, grpc_c_code code, grpc_op *op) {
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

size_t gc_call_final_ops(grpc_c_server_ctx *ctx, grpc_c_code code,
                         grpc_op *ops) {
  code = gc_call_decode_outcome(ctx, code);
  size_t n = 0;
  if (!ctx->initial_metadata_sent) gc_call_initial_metadata_op(ctx, &ops[n++]);
  if (code == GRPC_C_OK && ctx->response_storage) {
    ctx->send_buffer = gc_pack_into(ctx->response_storage, ctx->send_buffer);
    if (ctx->send_buffer)
      gc_send_message_op(&ops[n++], ctx->send_buffer, 0);
    else
      code = grpc_c_server_ctx_fail(ctx, GRPC_C_RESOURCE_EXHAUSTED,
                                    "grpc-c: out of memory");
  }
  gc_call_status_op(ctx, code, &ops[n++]);
  return n;
}

/* ---- streaming reads and writes: the mode's ---- */

bool grpc_c_server_ctx_read(grpc_c_server_ctx *ctx, ProtobufCMessage **msg) {
  if (msg) *msg = NULL;
  if (!ctx || !msg || !ctx->method->method || !ctx->mode->read) return false;
  const grpc_c_method *m = ctx->method->method;
  if (m->kind != GRPC_C_METHOD_CLIENT_STREAMING &&
      m->kind != GRPC_C_METHOD_BIDI_STREAMING)
    return false;
  return ctx->mode->read(ctx, msg);
}

bool grpc_c_server_ctx_write(grpc_c_server_ctx *ctx,
                             const ProtobufCMessage *msg) {
  return grpc_c_server_ctx_write_flags(ctx, msg, 0);
}

bool grpc_c_server_ctx_write_flags(grpc_c_server_ctx *ctx,
                                   const ProtobufCMessage *msg,
                                   unsigned flags) {
  if (!ctx || !msg || !ctx->method->method || !ctx->mode->write) return false;
  if (flags & ~(unsigned)GRPC_C_WRITE_NO_COMPRESS) return false;
  const grpc_c_method *m = ctx->method->method;
  if (m->kind != GRPC_C_METHOD_SERVER_STREAMING &&
      m->kind != GRPC_C_METHOD_BIDI_STREAMING)
    return false;
  if (msg->descriptor != m->response_descriptor) return false;
  return ctx->mode->write(ctx, msg, flags);
}
