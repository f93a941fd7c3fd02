/* Streaming calls whose handler runs on a stream worker (server.c's pool)
 * and blocks in reads and writes. Each slot has its own pluck queue, so the
 * worker waits for exactly its call's events, with no hand-off. The close
 * event is asked for when the handler starts; finishing sends the status,
 * then waits for the close event before the slot (and its queue) is
 * reused. */
#include <stdlib.h>

#include "internal.h"

static bool blocking_slot_init(grpc_c_server_ctx *ctx) {
  ctx->call_cq = grpc_completion_queue_create_for_pluck(NULL);
  return ctx->call_cq != NULL;
}

static void blocking_slot_reset(grpc_c_server_ctx *ctx) {
  gc_blocking_call *b = &ctx->as.blocking;
  if (b->lent) protobuf_c_message_free_unpacked(b->lent, NULL);
  b->lent = NULL;
  b->read_done = false;
}

static void blocking_slot_free(grpc_c_server_ctx *ctx) {
  grpc_completion_queue_shutdown(ctx->call_cq);
  grpc_completion_queue_destroy(ctx->call_cq);
}

/* Waits for `tag` on the call's own queue. Every batch started on the call
 * completes, at the latest when the call is cancelled. */
static bool wait_tag(grpc_c_server_ctx *ctx, void *tag) {
  grpc_event ev = grpc_completion_queue_pluck(
      ctx->call_cq, tag, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL);
  return ev.type == GRPC_OP_COMPLETE && ev.success;
}

/* On a worker thread. */
static void blocking_begin(grpc_c_server_ctx *ctx) {
  /* Ask for the close event now: it tells us about cancellation early. */
  grpc_op close_op;
  gc_call_close_op(ctx, &close_op);
  if (grpc_call_start_batch(ctx->call, &close_op, 1,
                            &ctx->as.blocking.close_tag,
                            NULL) != GRPC_CALL_OK) {
    gc_log(GRPC_C_LOG_ERROR, "cannot start a server stream");
    atomic_store(&ctx->close_received, true);
  }
  grpc_c_code code;
  if (gc_call_run_handler(ctx, &code)) ctx->mode->finish(ctx, code);
}

/* The handler's thread, or (after defer) the thread that finishes. */
static void blocking_finish(grpc_c_server_ctx *ctx, grpc_c_code code) {
  gc_blocking_call *b = &ctx->as.blocking;
  ctx->defer_flag = NULL;
  grpc_op ops[3];
  size_t n = gc_call_final_ops(ctx, gc_call_final_code(ctx, code), ops);
  if (grpc_call_start_batch(ctx->call, ops, n, &b->finish_tag, NULL) ==
      GRPC_CALL_OK)
    (void)wait_tag(ctx, &b->finish_tag);
  else
    gc_log(GRPC_C_LOG_ERROR, "cannot finish a streaming call");
  /* The close event always comes: wait for it before reusing the queue. */
  if (!atomic_load(&ctx->close_received)) {
    (void)wait_tag(ctx, &b->close_tag);
    atomic_store(&ctx->close_received, true);
  }
  gc_call_release(ctx);
}

/* Client-streaming handlers may hand the call to another thread. */
static int blocking_defer(grpc_c_server_ctx *ctx) {
  return ctx->method->method->kind == GRPC_C_METHOD_CLIENT_STREAMING
             ? 0
             : GRPC_C_ESTATE;
}

static bool blocking_read(grpc_c_server_ctx *ctx, ProtobufCMessage **msg) {
  gc_blocking_call *b = &ctx->as.blocking;
  if (b->read_done) return false;
  if (b->lent) {
    protobuf_c_message_free_unpacked(b->lent, NULL);
    b->lent = NULL;
  }
  grpc_byte_buffer *payload = NULL;
  grpc_op op;
  gc_recv_message_op(&op, &payload);
  bool ok = grpc_call_start_batch(ctx->call, &op, 1, &b->read_tag, NULL) ==
                GRPC_CALL_OK &&
            wait_tag(ctx, &b->read_tag);
  if (!ok || !payload) {
    gc_buffer_free(payload);
    b->read_done = true;
    return false;
  }
  b->lent = gc_call_unpack(ctx, payload, NULL);
  gc_buffer_free(payload);
  if (!b->lent) {
    b->read_done = true;
    return false;
  }
  *msg = b->lent;
  return true;
}

static bool blocking_write(grpc_c_server_ctx *ctx, const ProtobufCMessage *msg,
                           unsigned flags) {
  grpc_op ops[2];
  size_t n = 0;
  if (!ctx->initial_metadata_sent) gc_call_initial_metadata_op(ctx, &ops[n++]);
  grpc_byte_buffer *buffer = gc_pack(msg);
  if (!buffer) return false;
  gc_send_message_op(&ops[n++], buffer, gc_core_write_flags(flags));
  bool ok =
      grpc_call_start_batch(ctx->call, ops, n, &ctx->as.blocking.write_tag,
                            NULL) == GRPC_CALL_OK &&
      wait_tag(ctx, &ctx->as.blocking.write_tag);
  gc_buffer_free(buffer);
  return ok;
}

/* Looks at the close event without waiting. */
static bool blocking_poll_close(grpc_c_server_ctx *ctx) {
  if (atomic_load(&ctx->close_received)) return true;
  grpc_event ev =
      grpc_completion_queue_pluck(ctx->call_cq, &ctx->as.blocking.close_tag,
                                  gpr_inf_past(GPR_CLOCK_MONOTONIC), NULL);
  if (ev.type != GRPC_OP_COMPLETE) return false;
  atomic_store(&ctx->close_received, true);
  return true;
}

const gc_call_mode gc_blocking_mode = {
    .on_worker = true,
    .slot_init = blocking_slot_init,
    .slot_reset = blocking_slot_reset,
    .slot_free = blocking_slot_free,
    .begin = blocking_begin,
    .finish = blocking_finish,
    .defer = blocking_defer,
    .read = blocking_read,
    .write = blocking_write,
    .poll_close = blocking_poll_close,
};
