/* Unary calls whose handler called grpc_c_server_ctx_defer(): the call
 * outlives the handler and any thread finishes it. The close event is
 * asked for at defer time, so cancellation reaches the on_cancel callback
 * while the call waits; it completes on the server queue (GC_TAG_CLOSE).
 * The close event and the final batch are the call's two events, and the
 * last of them releases the slot. */
#include "internal.h"

/* Reached from the unary mode's defer hook, on the handler's thread. */
static int deferred_start(grpc_c_server_ctx *ctx) {
  gc_unary_call *u = &ctx->as.unary;
  grpc_op op;
  gc_call_close_op(ctx, &op);
  atomic_store(&u->events, 2);
  u->close_started = true;
  if (grpc_call_start_batch(ctx->call, &op, 1, (char *)ctx + GC_TAG_CLOSE,
                            NULL) != GRPC_CALL_OK) {
    u->close_started = false;
    atomic_store(&u->events, 1);
  }
  return 0;
}

static void event_done(grpc_c_server_ctx *ctx) {
  if (atomic_fetch_sub(&ctx->as.unary.events, 1) == 1) gc_call_release(ctx);
}

/* Any thread, through grpc_c_server_ctx_finish(). */
static void deferred_finish(grpc_c_server_ctx *ctx, grpc_c_code code) {
  ctx->defer_flag = NULL;
  grpc_op ops[4];
  size_t n = gc_call_final_ops(ctx, gc_call_final_code(ctx, code), ops);
  if (!ctx->as.unary.close_started) gc_call_close_op(ctx, &ops[n++]);
  if (grpc_call_start_batch(ctx->call, ops, n, ctx, NULL) != GRPC_CALL_OK) {
    gc_log(GRPC_C_LOG_ERROR, "cannot finish a unary call");
    event_done(ctx);
  }
}

static void deferred_event(grpc_c_server_ctx *ctx, int kind, bool ok) {
  (void)ok;
  if (kind == GC_TAG_CLOSE) {
    atomic_store(&ctx->close_received, true);
    gc_unary_call *u = &ctx->as.unary;
    if (ctx->cancelled_flag && u->on_cancel)
      u->on_cancel(ctx, u->on_cancel_data);
  }
  event_done(ctx);
}

const gc_call_mode gc_deferred_mode = {
    .event = deferred_event,
    .finish = deferred_finish,
    .defer = deferred_start,
};
