/* Unary calls whose handler runs inline on the poller that received the
 * call, and finishes it by returning: one batch sends the initial metadata,
 * the response, the status, and asks for the close event; its completion
 * releases the slot. A handler that defers moves the call to the deferred
 * mode (server_deferred.c). */
#include "internal.h"

static void unary_begin(grpc_c_server_ctx *ctx) {
  grpc_c_code code;
  if (gc_call_run_handler(ctx, &code)) ctx->mode->finish(ctx, code);
}

static void unary_finish(grpc_c_server_ctx *ctx, grpc_c_code code) {
  grpc_op ops[4];
  size_t n = gc_call_final_ops(ctx, gc_call_final_code(ctx, code), ops);
  gc_call_close_op(ctx, &ops[n++]);
  if (grpc_call_start_batch(ctx->call, ops, n, ctx, NULL) != GRPC_CALL_OK) {
    gc_log(GRPC_C_LOG_ERROR, "cannot finish a unary call");
    gc_call_release(ctx);
  }
}

/* The final batch completed. */
static void unary_event(grpc_c_server_ctx *ctx, int kind, bool ok) {
  (void)kind;
  (void)ok;
  gc_call_release(ctx);
}

static void unary_slot_reset(grpc_c_server_ctx *ctx) {
  ctx->as.unary = (gc_unary_call){0};
}

/* Switches to the deferred mode, which asks for the close event now. */
static int unary_defer(grpc_c_server_ctx *ctx) {
  ctx->mode = &gc_deferred_mode;
  return gc_deferred_mode.defer(ctx);
}

int grpc_c_server_ctx_on_cancel(grpc_c_server_ctx *ctx, grpc_c_cancel_fn fn,
                                void *user_data) {
  if (!ctx || !fn || !ctx->method->method) return GRPC_C_EINVAL;
  if (ctx->mode != &gc_unary_mode || !ctx->defer_flag ||
      atomic_load(&ctx->deferred))
    return GRPC_C_ESTATE;
  ctx->as.unary.on_cancel = fn;
  ctx->as.unary.on_cancel_data = user_data;
  return 0;
}

const gc_call_mode gc_unary_mode = {
    .slot_reset = unary_slot_reset,
    .begin = unary_begin,
    .event = unary_event,
    .finish = unary_finish,
    .defer = unary_defer,
};
