/* Streaming calls of methods marked non-blocking
 * (grpc_c_server_set_nonblocking()): the handler runs on a poller, the
 * call's reads, writes and close event complete on the server queue, and a
 * reactor receives them. No thread waits for an idle stream.
 *
 * Writes are queued and sent one batch at a time. The core sends one TCP
 * write per message unless a message carries GRPC_WRITE_BUFFER_HINT, which
 * buffers it (the batch then completes at once) until the next message
 * without the hint or the status. So while more requests are already
 * waiting, replies go out hinted and the newest one is held back; when no
 * request is waiting, the held reply goes out without the hint and flushes
 * everything in one write. Whether a request is waiting is learnt by posting
 * the next read with the completion-queue cache on: a read that completes
 * at once had its message ready. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Queued responses that pause reading, and the level that resumes it. */
enum { QUEUE_PAUSE_READS = 256, QUEUE_RESUME_READS = 64 };

typedef struct gc_queued {
  grpc_byte_buffer *buffer;
  uint32_t flags;
} gc_queued;

struct gc_stream {
  pthread_mutex_t mu;
  const grpc_c_stream_reactor *reactor; /* NULL until react() */
  const void *table; /* the typed reactor generated thunks forward to */
  void *user_data;

  grpc_byte_buffer *recv_buffer; /* target of the read under way */
  gc_arena messages; /* decoded requests; emptied after each on_read */
  gc_queued *queue;  /* ring of responses not sent yet */
  size_t queue_cap, queue_head, queue_len;
  grpc_byte_buffer *sending_buffer; /* in the write batch under way */
  grpc_byte_buffer *spare; /* a sent buffer to pack the next response into */
  grpc_c_code finish_code;

  int busy;       /* threads running the handler or a callback */
  bool reading;   /* a read is under way */
  bool sending;   /* a write batch is under way (the status batch once
                     status_started: no batch follows it) */
  bool read_done; /* no more reads */
  bool paused;    /* reading waits for the queue to drain */
  bool hold_last; /* keep the newest response back (more requests) */
  bool broken;    /* a write failed: the call is over */
  bool finish_requested;
  bool status_started; /* done once it is and nothing is sending */
  bool closed;         /* the close event arrived */
  bool done;           /* on_done has been or is being called */
};

/* Starts a batch on the stream with the completion-queue cache, when this
 * is a poller (core_fence.c): *completed tells whether it completed at
 * once (with *ok). An application thread that writes must not end up
 * running other calls' callbacks, so there the completion goes through the
 * queue to a poller. */
static grpc_call_error start_cached(grpc_c_server_ctx *ctx, const grpc_op *ops,
                                    size_t n, int kind, bool *completed,
                                    bool *ok) {
  return gc_start_batch_cached(ctx->call, ctx->common->cq, ops, n,
                               gc_tag(ctx, kind), completed, ok);
}

/* ---- life cycle of the per-slot state ---- */

static struct gc_stream *stream_new(void) {
  struct gc_stream *s = calloc(1, sizeof *s);
  if (!s) return NULL;
  pthread_mutex_init(&s->mu, NULL);
  gc_arena_init(&s->messages);
  return s;
}

static void queue_drop(struct gc_stream *s) {
  for (size_t i = 0; i < s->queue_len; i++)
    gc_buffer_free(s->queue[(s->queue_head + i) % s->queue_cap].buffer);
  s->queue_head = s->queue_len = 0;
}

/* Keeps the mutex and the queue's array for the next call of the slot. */
static void stream_reset(struct gc_stream *s) {
  queue_drop(s);
  gc_buffer_free(s->recv_buffer);
  s->recv_buffer = NULL;
  gc_buffer_free(s->sending_buffer);
  s->sending_buffer = NULL;
  gc_buffer_free(s->spare);
  s->spare = NULL;
  gc_arena_free(&s->messages);
  s->reactor = NULL;
  s->table = NULL;
  s->user_data = NULL;
  s->finish_code = GRPC_C_OK;
  s->busy = 0;
  s->reading = s->sending = false;
  s->read_done = s->paused = s->hold_last = s->broken = false;
  s->finish_requested = s->status_started = false;
  s->closed = s->done = false;
}

static void stream_destroy(struct gc_stream *s) {
  if (!s) return;
  stream_reset(s);
  free(s->queue);
  pthread_mutex_destroy(&s->mu);
  free(s);
}

static bool queue_push(struct gc_stream *s, grpc_byte_buffer *buffer,
                       uint32_t flags) {
  if (s->queue_len == s->queue_cap) {
    size_t capacity = s->queue_cap ? s->queue_cap * 2 : 8;
    gc_queued *queue = malloc(capacity * sizeof *queue);
    if (!queue) return false;
    for (size_t i = 0; i < s->queue_len; i++)
      queue[i] = s->queue[(s->queue_head + i) % s->queue_cap];
    free(s->queue);
    s->queue = queue;
    s->queue_cap = capacity;
    s->queue_head = 0;
  }
  s->queue[(s->queue_head + s->queue_len) % s->queue_cap] =
      (gc_queued){buffer, flags};
  s->queue_len++;
  return true;
}

static gc_queued queue_pop(struct gc_stream *s) {
  gc_queued item = s->queue[s->queue_head];
  s->queue_head = (s->queue_head + 1) % s->queue_cap;
  s->queue_len--;
  return item;
}

/* ---- the engine; functions ending in _locked run with s->mu held ---- */

static bool reads_requests(const grpc_c_server_ctx *ctx) {
  grpc_c_method_kind kind = ctx->method->method->kind;
  return kind == GRPC_C_METHOD_CLIENT_STREAMING ||
         kind == GRPC_C_METHOD_BIDI_STREAMING;
}

static bool can_read_locked(const grpc_c_server_ctx *ctx,
                            const struct gc_stream *s) {
  return s->reactor && reads_requests(ctx) && !s->reading && !s->read_done &&
         !s->finish_requested && !s->broken && s->queue_len < QUEUE_PAUSE_READS;
}

static void start_read_locked(grpc_c_server_ctx *ctx, struct gc_stream *s) {
  grpc_op op;
  gc_recv_message_op(&op, &s->recv_buffer);
  s->reading = true;
  s->paused = false;
  if (grpc_call_start_batch(ctx->call, &op, 1, gc_tag(ctx, GC_TAG_STREAM_READ),
                            NULL) != GRPC_CALL_OK) {
    gc_log(GRPC_C_LOG_ERROR, "cannot read from a server stream");
    s->reading = false;
    s->read_done = true;
  }
}

static void write_completed_locked(struct gc_stream *s, bool ok) {
  s->sending = false;
  if (s->sending_buffer && !s->spare) {
    gc_buffer_empty(s->sending_buffer);
    s->spare = s->sending_buffer;
  } else {
    gc_buffer_free(s->sending_buffer);
  }
  s->sending_buffer = NULL;
  if (!ok) {
    s->broken = true;
    queue_drop(s);
  }
}

/* Sends what the queue holds, one batch at a time, as long as batches
 * complete at once: all but the last response hinted, the last one held
 * back while more requests wait, the status with the last response. */
static void pump_locked(grpc_c_server_ctx *ctx, struct gc_stream *s) {
  while (!s->sending && !s->status_started) {
    size_t n = s->queue_len;
    bool with_status = s->finish_requested && n <= 1;
    if (n == 0 && !with_status) return;
    if (n == 1 && s->hold_last && !with_status) return;
    grpc_op ops[3];
    size_t k = 0;
    /* Initial metadata completes only once written: never hint its batch,
     * or the batch would wait for a write that nothing starts. */
    bool may_hint = ctx->initial_metadata_sent;
    if (!ctx->initial_metadata_sent)
      gc_call_initial_metadata_op(ctx, &ops[k++]);
    grpc_byte_buffer *buffer = NULL;
    uint32_t flags = 0;
    grpc_c_code code = s->finish_code;
    if (n > 0) {
      gc_queued item = queue_pop(s);
      buffer = item.buffer;
      flags = item.flags;
      if (may_hint && (n > 1 || s->hold_last)) flags |= GRPC_WRITE_BUFFER_HINT;
    } else if (with_status && code == GRPC_C_OK && ctx->response_storage) {
      buffer = gc_pack_into(ctx->response_storage, s->spare);
      s->spare = NULL;
      if (!buffer)
        code = grpc_c_server_ctx_fail(ctx, GRPC_C_RESOURCE_EXHAUSTED,
                                      "grpc-c: out of memory");
    }
    if (buffer) gc_send_message_op(&ops[k++], buffer, flags);
    if (with_status) {
      gc_call_status_op(ctx, code, &ops[k++]);
      s->status_started = true;
    }
    s->sending = true;
    s->sending_buffer = buffer;
    bool completed = false, ok = false;
    if (start_cached(ctx, ops, k, GC_TAG_STREAM_WRITE, &completed, &ok) !=
        GRPC_CALL_OK) {
      gc_log(GRPC_C_LOG_ERROR, "cannot write to a server stream");
      completed = true;
      ok = false;
    }
    if (!completed) return;
    write_completed_locked(s, ok);
  }
}

/* True once, when the call is over and nothing refers to it any more. */
static bool check_done_locked(struct gc_stream *s) {
  if (s->done || s->busy || !s->closed || !s->status_started || s->reading ||
      s->sending)
    return false;
  s->done = true;
  return true;
}

static void complete(grpc_c_server_ctx *ctx) {
  struct gc_stream *s = ctx->as.reactor;
  if (s->reactor && s->reactor->on_done) s->reactor->on_done(ctx, s->user_data);
  gc_call_release(ctx);
}

static void unlock_and_maybe_complete(grpc_c_server_ctx *ctx,
                                      struct gc_stream *s) {
  bool done = check_done_locked(s);
  pthread_mutex_unlock(&s->mu);
  if (done) complete(ctx);
}

static grpc_byte_buffer *take_recv_locked(struct gc_stream *s, bool ok) {
  grpc_byte_buffer *payload = s->recv_buffer;
  s->recv_buffer = NULL;
  if (!ok && payload) {
    gc_buffer_free(payload);
    payload = NULL;
  }
  return payload;
}

/* A read completed: hand the message to on_read, then look for the next
 * one with the cache on, and keep going while messages are ready. */
static void on_read_event(grpc_c_server_ctx *ctx, struct gc_stream *s,
                          bool ok) {
  pthread_mutex_lock(&s->mu);
  s->reading = false;
  s->busy++;
  grpc_byte_buffer *payload = take_recv_locked(s, ok);
  bool tell_read_done = false;
  /* Whether the last look for a request found one waiting. A read that
   * completed through the queue found none. */
  bool pipelined = false;
  for (;;) {
    ProtobufCMessage *msg = NULL;
    if (payload) {
      gc_arena_reset(&s->messages);
      msg = gc_call_unpack(ctx, payload, &s->messages.allocator);
      gc_buffer_free(payload);
      payload = NULL;
    }
    if (!msg) {
      s->read_done = true;
      tell_read_done = true;
      break;
    }
    /* Pipelined: hold the reply until the next look for a request tells
     * whether to hint it. Ping-pong: send it at once, before looking (the
     * look may write a window update of its own). */
    s->hold_last = pipelined;
    pthread_mutex_unlock(&s->mu);
    if (s->reactor->on_read) s->reactor->on_read(ctx, msg, s->user_data);
    pthread_mutex_lock(&s->mu);
    bool more = false;
    if (can_read_locked(ctx, s)) {
      grpc_op op;
      gc_recv_message_op(&op, &s->recv_buffer);
      bool completed = false, read_ok = false;
      s->reading = true;
      if (start_cached(ctx, &op, 1, GC_TAG_STREAM_READ, &completed, &read_ok) !=
          GRPC_CALL_OK) {
        gc_log(GRPC_C_LOG_ERROR, "cannot read from a server stream");
        s->reading = false;
        completed = true;
        read_ok = false;
      }
      if (completed) {
        s->reading = false;
        payload = take_recv_locked(s, read_ok);
        more = true;
      }
    } else if (reads_requests(ctx) && !s->reading && !s->read_done &&
               !s->finish_requested && !s->broken) {
      s->paused = true; /* the queue is full; write completions resume */
    }
    if (!more) break;
    pipelined = true;
    pump_locked(ctx, s);
  }
  s->hold_last = false;
  pump_locked(ctx, s);
  /* An idle stream keeps no decoding memory, nor a spare buffer (a write
   * that completes later through the queue leaves one until the next read
   * or the end of the call). */
  gc_arena_free(&s->messages);
  gc_buffer_free(s->spare);
  s->spare = NULL;
  if (tell_read_done && s->reactor->on_read_done) {
    pthread_mutex_unlock(&s->mu);
    s->reactor->on_read_done(ctx, s->user_data);
    pthread_mutex_lock(&s->mu);
  }
  s->busy--;
  unlock_and_maybe_complete(ctx, s);
}

static void on_write_event(grpc_c_server_ctx *ctx, struct gc_stream *s,
                           bool ok) {
  pthread_mutex_lock(&s->mu);
  write_completed_locked(s, ok);
  pump_locked(ctx, s);
  if (s->paused && s->queue_len <= QUEUE_RESUME_READS &&
      can_read_locked(ctx, s))
    start_read_locked(ctx, s);
  unlock_and_maybe_complete(ctx, s);
}

static void on_close_event(grpc_c_server_ctx *ctx, struct gc_stream *s) {
  pthread_mutex_lock(&s->mu);
  s->closed = true;
  atomic_store(&ctx->close_received, true);
  bool tell = ctx->cancelled_flag && s->reactor && s->reactor->on_cancel;
  if (tell) {
    s->busy++;
    pthread_mutex_unlock(&s->mu);
    s->reactor->on_cancel(ctx, s->user_data);
    pthread_mutex_lock(&s->mu);
    s->busy--;
  }
  unlock_and_maybe_complete(ctx, s);
}

static void reactor_event(grpc_c_server_ctx *ctx, int kind, bool ok) {
  struct gc_stream *s = ctx->as.reactor;
  if (kind == GC_TAG_STREAM_READ)
    on_read_event(ctx, s, ok);
  else if (kind == GC_TAG_STREAM_WRITE)
    on_write_event(ctx, s, ok);
  else if (kind == GC_TAG_CLOSE)
    on_close_event(ctx, s);
  else
    gc_log(GRPC_C_LOG_ERROR, "unknown stream event %d", kind);
}

/* ---- the handler, writes and finish ---- */

/* On the poller that received the call: asks for the close event, runs
 * the handler, then starts reading if it installed a reactor, and ends the
 * call if it is over. `busy` keeps the call alive meanwhile, whatever the
 * handler did (finish, react, defer), so the handler's flag is dropped
 * here. */
static void reactor_begin(grpc_c_server_ctx *ctx) {
  struct gc_stream *s = ctx->as.reactor;
  s->busy = 1;
  grpc_op op;
  gc_call_close_op(ctx, &op);
  if (grpc_call_start_batch(ctx->call, &op, 1, gc_tag(ctx, GC_TAG_CLOSE),
                            NULL) != GRPC_CALL_OK) {
    gc_log(GRPC_C_LOG_ERROR, "cannot start a server stream");
    s->closed = true;
    atomic_store(&ctx->close_received, true);
  }
  grpc_c_code code;
  if (gc_call_run_handler(ctx, &code)) ctx->mode->finish(ctx, code);
  ctx->defer_flag = NULL;
  pthread_mutex_lock(&s->mu);
  if (can_read_locked(ctx, s)) start_read_locked(ctx, s);
  s->busy--;
  unlock_and_maybe_complete(ctx, s);
}

static int install_reactor(grpc_c_server_ctx *ctx,
                           const grpc_c_stream_reactor *reactor,
                           const void *table, void *user_data) {
  if (!ctx || !reactor || ctx->mode != &gc_reactor_mode) return GRPC_C_EINVAL;
  if (!ctx->defer_flag || ctx->as.reactor->reactor) return GRPC_C_ESTATE;
  if (atomic_exchange(&ctx->deferred, true)) return GRPC_C_ESTATE;
  pthread_mutex_lock(&ctx->as.reactor->mu);
  ctx->as.reactor->reactor = reactor;
  ctx->as.reactor->table = table;
  ctx->as.reactor->user_data = user_data;
  pthread_mutex_unlock(&ctx->as.reactor->mu);
  *ctx->defer_flag = true;
  return 0;
}

int grpc_c_server_ctx_react(grpc_c_server_ctx *ctx,
                            const grpc_c_stream_reactor *reactor,
                            void *user_data) {
  return install_reactor(ctx, reactor, NULL, user_data);
}

int grpc_c_server_ctx_react_with_table(grpc_c_server_ctx *ctx,
                                       const grpc_c_stream_reactor *thunks,
                                       const void *table, void *user_data) {
  if (!table) return GRPC_C_EINVAL;
  return install_reactor(ctx, thunks, table, user_data);
}

const void *grpc_c_server_ctx_reactor_table(const grpc_c_server_ctx *ctx) {
  /* Set before the handler returns, read by callbacks that run after it:
   * the stream's mutex orders the two. */
  return ctx && ctx->mode == &gc_reactor_mode ? ctx->as.reactor->table : NULL;
}

static bool reactor_write(grpc_c_server_ctx *ctx, const ProtobufCMessage *msg,
                          unsigned flags) {
  struct gc_stream *s = ctx->as.reactor;
  pthread_mutex_lock(&s->mu);
  /* A finished or broken call takes no more messages: no need to encode. */
  grpc_byte_buffer *buffer = NULL;
  if (!s->finish_requested && !s->broken) {
    buffer = gc_pack_into(msg, s->spare);
    s->spare = NULL;
  }
  bool ok = buffer && queue_push(s, buffer, gc_core_write_flags(flags));
  if (ok)
    pump_locked(ctx, s);
  else
    gc_buffer_free(buffer);
  pthread_mutex_unlock(&s->mu);
  return ok;
}

/* Ends the call with `code`; applies the decode outcome itself, under the
 * stream's lock, since reads decode on the pollers. Any thread. */
static void reactor_finish(grpc_c_server_ctx *ctx, grpc_c_code code) {
  struct gc_stream *s = ctx->as.reactor;
  code = gc_call_final_code(ctx, code);
  pthread_mutex_lock(&s->mu);
  if (s->finish_requested) {
    pthread_mutex_unlock(&s->mu);
    return;
  }
  s->finish_requested = true;
  s->finish_code = gc_call_decode_outcome(ctx, code);
  pump_locked(ctx, s);
  unlock_and_maybe_complete(ctx, s);
}

/* Client-streaming handlers may hand the call to another thread without a
 * reactor; it ends with grpc_c_server_ctx_finish(). */
static int reactor_defer(grpc_c_server_ctx *ctx) {
  return ctx->method->method->kind == GRPC_C_METHOD_CLIENT_STREAMING
             ? 0
             : GRPC_C_ESTATE;
}

static bool reactor_slot_init(grpc_c_server_ctx *ctx) {
  ctx->as.reactor = stream_new();
  return ctx->as.reactor != NULL;
}

static void reactor_slot_reset(grpc_c_server_ctx *ctx) {
  stream_reset(ctx->as.reactor);
}

static void reactor_slot_free(grpc_c_server_ctx *ctx) {
  stream_destroy(ctx->as.reactor);
}

const gc_call_mode gc_reactor_mode = {
    .slot_init = reactor_slot_init,
    .slot_reset = reactor_slot_reset,
    .slot_free = reactor_slot_free,
    .begin = reactor_begin,
    .event = reactor_event,
    .finish = reactor_finish,
    .defer = reactor_defer,
    .write = reactor_write,
};
