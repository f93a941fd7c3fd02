/*
 * Internal interfaces of libgrpc-c. Nothing here is exported: the shared
 * library's version script exports only grpc_c_* symbols, and internal
 * functions use the gc_ prefix.
 */
#ifndef GRPC_C_INTERNAL_H
#define GRPC_C_INTERNAL_H

#include <grpc/byte_buffer.h>
#include <grpc/compression.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/slice.h>
#include <grpc/support/alloc.h>
#include <grpc/support/string_util.h>
#include <grpc/support/time.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "grpc-c/grpc-c.h"
#include "grpc-c/security.h"

/* ---- logging (log.c) ---- */
void gc_log(grpc_c_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- process-wide gRPC core init (core.c) ---- */
/* grpc_init()/grpc_shutdown() are reference counted by the core itself;
 * every runtime object that uses the core holds one reference. */
void gc_core_ref(void);
void gc_core_unref(void);

/* ---- status helpers (status.c) ---- */
/* Fills `status` (if not NULL) with `code` and a copy of `message`
 * (`len` bytes, need not be NUL-terminated; NULL for none). */
void gc_status_fill(grpc_c_status *status, grpc_c_code code,
                    const char *message, size_t len);
/* Reports local misuse on an RPC function: INVALID_ARGUMENT with a message
 * "grpc-c: <what>". Returns GRPC_C_INVALID_ARGUMENT. */
grpc_c_code gc_misuse(grpc_c_status *status, const char *what);
/* Copies the grpc-status-details-bin entry of `trailing` into `status`. */
void gc_status_take_details(grpc_c_status *status,
                            const grpc_metadata_array *trailing);

/* ---- time ---- */
gpr_timespec gc_deadline_after_ms(int64_t timeout_ms);
int64_t gc_ms_until(gpr_timespec deadline);

/* ---- protobuf-c <-> grpc byte buffers (codec.c) ---- */
/* Serializes `msg` into a new byte buffer with a single slice.
 * Returns NULL when out of memory. */
grpc_byte_buffer *gc_pack(const ProtobufCMessage *msg);
/* The same into `reuse` when not NULL: a buffer emptied by gc_buffer_empty()
 * (saves the core's allocation and release of a buffer per message); it is
 * consumed either way (core_fence.c). */
grpc_byte_buffer *gc_pack_into(const ProtobufCMessage *msg,
                               grpc_byte_buffer *reuse);
/* Fill `op` with a SEND_MESSAGE of `buffer` (which the caller keeps) or a
 * RECV_MESSAGE into `*into`. In place: a grpc_op returned by value stalled
 * on the copy in the streaming hot path. */
static inline void gc_send_message_op(grpc_op *op, grpc_byte_buffer *buffer,
                                      uint32_t core_flags) {
  memset(op, 0, sizeof *op);
  op->op = GRPC_OP_SEND_MESSAGE;
  op->flags = core_flags;
  op->data.send_message.send_message = buffer;
}
static inline void gc_recv_message_op(grpc_op *op, grpc_byte_buffer **into) {
  memset(op, 0, sizeof *op);
  op->op = GRPC_OP_RECV_MESSAGE;
  op->data.recv_message.recv_message = into;
}
/* The core's write flags for GRPC_C_WRITE_* `flags`. */
static inline uint32_t gc_core_write_flags(unsigned flags) {
  return (flags & GRPC_C_WRITE_NO_COMPRESS) ? GRPC_WRITE_NO_COMPRESS : 0;
}
/* Empties a buffer whose batch completed so it can be packed into again
 * (core_fence.c). */
void gc_buffer_empty(grpc_byte_buffer *buffer);
/* Releases a byte buffer (NULL is fine), on verified cores without the
 * core execution context grpc_byte_buffer_destroy() sets up for each call,
 * which costs more than the release itself (core_fence.c). */
void gc_buffer_free(grpc_byte_buffer *buffer);
/* What a received buffer holds: its length as received, its compression
 * (GRPC_COMPRESS_NONE on the public-API path), and its one slice when it
 * has exactly one (else NULL). core_fence.c. */
typedef struct gc_buffer_view {
  size_t length;
  grpc_compression_algorithm compression;
  const grpc_slice *single;
} gc_buffer_view;
void gc_buffer_look(grpc_byte_buffer *buffer, gc_buffer_view *view);
/* Parses `buffer` as a message of `descriptor`. `allocator` may be NULL for
 * malloc. Returns NULL when the bytes are not a valid message. */
ProtobufCMessage *gc_unpack(const ProtobufCMessageDescriptor *descriptor,
                            grpc_byte_buffer *buffer,
                            ProtobufCAllocator *allocator);
/* What gc_unpack_limited() saw besides the message. */
typedef struct gc_unpacked {
  bool compressed; /* the buffer arrived compressed */
  bool too_large;  /* NULL because it is, or inflates, beyond the limit */
} gc_unpacked;
/* The same, also for buffers still compressed (gzip or deflate), which are
 * inflated to at most `limit` bytes. NULL for a buffer larger than `limit`,
 * before or after inflating. `info` may be NULL. */
ProtobufCMessage *gc_unpack_limited(
    const ProtobufCMessageDescriptor *descriptor, grpc_byte_buffer *buffer,
    ProtobufCAllocator *allocator, size_t limit, gc_unpacked *info);

/* ---- metadata lists (metadata.c) ---- */
typedef struct gc_md_list {
  grpc_metadata *items; /* key and value slices owned by the list */
  size_t count;
  size_t capacity;
} gc_md_list;

/* Validates and appends a copy of key/value. Text values must be printable
 * ASCII; keys ending in "-bin" take any bytes. Returns 0 or GRPC_C_E*. */
int gc_md_add(gc_md_list *list, const char *key, const void *value, size_t len);
/* True when `value` is a valid text metadata value (printable ASCII). */
bool gc_md_text_valid(const void *value, size_t len);
void gc_md_clear(gc_md_list *list); /* keeps the capacity */
void gc_md_free(gc_md_list *list);
/* Finds the index-th value of `key` in a received metadata array. */
const grpc_slice *gc_md_find(const grpc_metadata_array *array, const char *key,
                             size_t index);

/* ---- core channel/server arguments (args.c) ---- */
typedef struct gc_arg {
  char *key;
  char *string_value; /* NULL for integer arguments */
  int int_value;
} gc_arg;

typedef struct gc_args {
  gc_arg *items;
  size_t count;
} gc_args;

/* Sets or replaces one argument; copies key and value. */
int gc_args_set(gc_args *args, const char *key, const char *string_value,
                int int_value);
/* Builds core args borrowing the strings of `args` (may be NULL), then the
 * `defaults` whose key `args` does not set, then the `forced` ones, which
 * replace any of the others with their key. The caller frees `out->args`.
 * Returns 0 or GRPC_C_ENOMEM. */
int gc_args_to_core(const gc_args *args, const grpc_arg *defaults,
                    size_t default_count, const grpc_arg *forced,
                    size_t forced_count, grpc_channel_args *out);
/* The integer value of `key` in `args` (may be NULL), or `fallback`. */
int gc_args_get_int(const gc_args *args, const char *key, int fallback);
void gc_args_free(gc_args *args);

/* ---- per-call options (client.c) ---- */
struct grpc_c_call_options {
  int64_t timeout_ms; /* < 0: none */
  bool wait_for_ready;
  gc_md_list metadata;
  grpc_c_metadata *response_initial; /* borrowed sinks, may be NULL */
  grpc_c_metadata *response_trailing;
  grpc_call *parent;                    /* borrowed server call, may be NULL */
  grpc_c_cancel_source *cancel_source;  /* borrowed, may be NULL */
  grpc_c_call_credentials *credentials; /* a reference, may be NULL */
};

/* Registers a started call with its cancel source (cancelling it at once
 * when the source already is), and removes it when the call ends. Both
 * accept a NULL source. */
void gc_cancel_attach(grpc_c_cancel_source *source, grpc_call *call);
void gc_cancel_detach(grpc_c_cancel_source *source, grpc_call *call);

/* Replaces the contents of `md` (may be NULL) with copies of `array`. */
void gc_metadata_fill(grpc_c_metadata *md, const grpc_metadata_array *array);
/* Sets the core's per-call compression request in `list`: the key
 * "grpc-internal-encoding-request", which the core consumes and never sends.
 * Returns 0, GRPC_C_EINVAL or GRPC_C_ENOMEM. */
int gc_md_set_compression(gc_md_list *list, grpc_c_compression algorithm);
/* Appends without validation (for reserved keys the runtime sets). */
int gc_md_add_reserved(gc_md_list *list, const char *key, const void *value,
                       size_t len);

/* ---- channel internals (channel.c) ---- */
struct grpc_c_channel {
  grpc_channel *core;
  char *target;
  int64_t default_timeout_ms; /* < 0: none */
  /* Call credentials may go out: TLS, or plaintext allowed for testing. */
  bool credentials_allowed;
  /* Channel-wide call credentials where they may not go out: every call
   * ends with UNAUTHENTICATED before anything is sent. */
  bool refuse_credentials;

  pthread_mutex_t mu;
  /* Methods registered with the core on this channel, keyed by the address
   * of their static grpc_c_method (open addressing, power-of-two size). */
  struct gc_registered_method {
    const grpc_c_method *method;
    void *handle;
  } * registered;
  size_t registered_capacity;
  size_t registered_count;
  /* Idle pluck completion queues for blocking calls and streams. */
  grpc_completion_queue **idle_cqs;
  size_t idle_count;
  size_t idle_capacity;

  /* Asynchronous calls: one next-queue and the thread that polls it. */
  grpc_completion_queue *async_cq;
  pthread_t async_thread;
  bool async_started;
};

/* Looks up (registering on first use) the core handle of `method` and, when
 * `cq` is not NULL, takes an idle pluck queue, in one lock.
 * Returns false when out of memory. */
bool gc_channel_acquire(grpc_c_channel *channel, const grpc_c_method *method,
                        void **handle, grpc_completion_queue **cq);
void gc_channel_release_cq(grpc_c_channel *channel, grpc_completion_queue *cq);
/* Starts the async thread if needed; returns its queue or NULL. */
grpc_completion_queue *gc_channel_async_cq(grpc_c_channel *channel);

/* Async completion tags on a channel's async queue. */
typedef struct gc_async_tag {
  void (*complete)(struct gc_async_tag *tag, bool ok);
} gc_async_tag;

/* ---- security (security.c) ---- */
/* Reads a whole (PEM) file into a NUL-terminated string the caller frees.
 * Returns 0, GRPC_C_EINVAL, GRPC_C_EIO or GRPC_C_ENOMEM. */
int gc_read_file(const char *path, char **out);
/* Parse checks with OpenSSL (which the core links already), so a bad
 * certificate fails where it is given, with the reason logged, instead of
 * at the first handshake. Return 0, GRPC_C_EINVAL or GRPC_C_ETLS. */
int gc_check_ca_pem(const char *pem);
int gc_check_key_cert_pem(const char *cert_pem, const char *key_pem);
grpc_c_call_credentials *gc_call_credentials_ref(
    grpc_c_call_credentials *creds);
grpc_call_credentials *gc_call_credentials_core(
    const grpc_c_call_credentials *creds);
/* Puts per-call credentials (may be NULL) on a new call, or cancels it with
 * UNAUTHENTICATED when the channel refuses credentials. */
void gc_call_credentials_apply(grpc_c_channel *channel, grpc_call *call,
                               grpc_c_call_credentials *creds);
/* Adds a listening port with `creds` (server.c). Returns 0, GRPC_C_EINVAL,
 * GRPC_C_ESTATE or GRPC_C_EBIND. */
int gc_server_add_port(grpc_c_server *server, const char *address,
                       grpc_server_credentials *creds, int *bound_port);

/* ---- arena (server_call.c) ---- */
typedef struct gc_arena_block gc_arena_block;
typedef struct gc_arena {
  gc_arena_block *head; /* the first block is kept across resets */
  ProtobufCAllocator allocator;
} gc_arena;
void gc_arena_init(gc_arena *arena);
void *gc_arena_alloc(gc_arena *arena, size_t size); /* zeroed */
void gc_arena_reset(gc_arena *arena);
void gc_arena_free(gc_arena *arena);

/* ---- server calls ----
 *
 * A server call is a slot (grpc_c_server_ctx): the core call object of
 * server_call.c (call, metadata, status, arena, the handler's invocation)
 * and a mode, one module each, that drives the call from its arrival to its
 * end behind the small interface gc_call_mode:
 *
 *   server_unary.c     unary, handler inline on the poller
 *   server_deferred.c  unary whose handler deferred it (finish from any thread)
 *   server_blocking.c  streaming, handler on a worker, blocking reads/writes
 *   server_reactor.c   streaming, handler on the poller, callbacks (reactor)
 *
 * server.c owns slots, dispatch and the life cycle; it calls a mode only
 * through the interface, and modes reach the server only through
 * gc_server_common. Files depend one way: server.c -> modes ->
 * server_call.c -> core_fence.c. */

typedef struct gc_call_mode gc_call_mode;

/* Services a server offers beside the application's (their own files, which
 * reach the server only through these functions and its public API). */
typedef struct gc_reflection gc_reflection; /* reflection.c */
/* Frees what grpc_c_server_enable_reflection() made; accepts NULL. Runs in
 * grpc_c_server_destroy(), when no call is left. */
void gc_reflection_free(gc_reflection *reflection);
/* The services registered on `server`, in order; final once started. */
size_t gc_server_services(const grpc_c_server *server,
                          const grpc_c_service *const **services);
bool gc_server_is_created(const grpc_c_server *server);
/* Where the server keeps its reflection state, freed at destroy. */
gc_reflection **gc_server_reflection_slot(grpc_c_server *server);

/* What calls need of their server; owned by server.c. */
typedef struct gc_server_common {
  grpc_completion_queue *cq; /* the server queue */
  size_t receive_limit;      /* largest request, inflated or not */
  grpc_c_auth_fn auth_fn;    /* NULL: no auth hook */
  void *auth_data;
  _Atomic bool cancelling; /* past the shutdown grace */
  /* Returns a finished call's slot to the server (resets it first). */
  void (*release)(grpc_c_server_ctx *ctx);
} gc_server_common;

typedef struct gc_server_method {
  grpc_c_server *server;
  const grpc_c_method *method; /* NULL for the UNIMPLEMENTED slots */
  const void *servicer;
  void *self;
  void *core_handle;
  const gc_call_mode *mode;      /* chosen when the server starts */
  grpc_c_server_ctx *free_slots; /* guarded by the server's slot lock */
} gc_server_method;

/* Unary calls (server_unary.c, server_deferred.c). */
typedef struct gc_unary_call {
  /* A deferred call asks for its close event at defer time; it and the
   * final batch are its two events, and the last one releases the slot. */
  bool close_started;
  _Atomic int events;
  grpc_c_cancel_fn on_cancel;
  void *on_cancel_data;
} gc_unary_call;

/* Blocking streams (server_blocking.c). */
typedef struct gc_blocking_call {
  int close_tag, read_tag, write_tag, finish_tag; /* addresses as tags */
  ProtobufCMessage *lent; /* last message a read returned */
  bool read_done;
} gc_blocking_call;

typedef enum gc_call_phase {
  GC_CALL_IDLE = 0,  /* in a free list */
  GC_CALL_REQUESTED, /* waiting in the core for a call */
  GC_CALL_ACTIVE     /* carrying a call */
} gc_call_phase;

/* One server call slot. Slots belong to a method (or to the UNIMPLEMENTED
 * answer), are requested from the core, serve one call, and are reused. */
struct grpc_c_server_ctx {
  gc_server_common *common;
  gc_server_method *method; /* also for the UNIMPLEMENTED slots */
  const gc_call_mode *mode; /* the method's, or deferred after defer() */
  gc_call_phase phase;

  /* The queue the call's batches complete on: the server queue, or the
   * mode's own (blocking streams: a pluck queue per slot, so a worker
   * waits for its reads and writes without a hand-off). */
  grpc_completion_queue *call_cq;

  /* Filled by the core when a call arrives. */
  grpc_call *call;
  gpr_timespec deadline;
  grpc_metadata_array request_metadata;
  grpc_byte_buffer *payload; /* the request, for unary and server streams */
  grpc_call_details details; /* UNIMPLEMENTED slots only */

  int cancelled_flag;          /* RECV_CLOSE_ON_SERVER output */
  _Atomic bool close_received; /* the close event completed */
  bool decode_failed;          /* a request message did not decode */
  bool request_too_large;      /* ... because it exceeds the receive limit */
  bool request_compressed;     /* the last request arrived compressed */

  gc_arena arena;              /* request, strings, user allocations */
  void *response_storage;      /* sizeof the response message, or NULL */
  gc_md_list initial_metadata; /* to send */
  gc_md_list trailing_metadata;
  bool initial_metadata_sent;
  char *status_message;
  grpc_slice status_slice;
  grpc_byte_buffer *send_buffer; /* kept, empty, for the slot's next call */
  char *peer;
  grpc_auth_context *auth; /* fetched on first use */
  const char *principal;   /* in the arena; set by the auth hook */

  _Atomic bool deferred; /* the handler handed the call on, not finished */
  bool *defer_flag;      /* while a handler runs: its caller's flag */

  union { /* the mode's own state */
    gc_unary_call unary;
    gc_blocking_call blocking;
    struct gc_stream *reactor;
  } as;

  grpc_c_server_ctx *next; /* free list or worker queue */
};

/* A call mode: one module per way of running a call. */
struct gc_call_mode {
  /* Handlers of this mode run on a stream worker, not on the poller. */
  bool on_worker;
  /* Per-slot state: made with the slot (false: out of memory), reset
   * after each call, freed with the slot. Any may be NULL. */
  bool (*slot_init)(grpc_c_server_ctx *ctx);
  void (*slot_reset)(grpc_c_server_ctx *ctx);
  void (*slot_free)(grpc_c_server_ctx *ctx);
  /* The call arrived: run the handler and go on (poller or worker). */
  void (*begin)(grpc_c_server_ctx *ctx);
  /* An event of the call on the server queue: GC_TAG_* kind and ok. */
  void (*event)(grpc_c_server_ctx *ctx, int kind, bool ok);
  /* Ends the call with `code`: the handler returned it, or called
   * grpc_c_server_ctx_finish(). */
  void (*finish)(grpc_c_server_ctx *ctx, grpc_c_code code);
  /* grpc_c_server_ctx_defer() during the handler; NULL: not deferrable.
   * Returns 0 or GRPC_C_E*. */
  int (*defer)(grpc_c_server_ctx *ctx);
  /* Streaming reads and writes; NULL: the mode has none. */
  bool (*read)(grpc_c_server_ctx *ctx, ProtobufCMessage **msg);
  bool (*write)(grpc_c_server_ctx *ctx, const ProtobufCMessage *msg,
                unsigned flags);
  /* Whether the close event arrived, looked at without waiting; NULL:
   * close_received says it. */
  bool (*poll_close)(grpc_c_server_ctx *ctx);
};

extern const gc_call_mode gc_unary_mode;    /* server_unary.c */
extern const gc_call_mode gc_deferred_mode; /* server_deferred.c */
extern const gc_call_mode gc_blocking_mode; /* server_blocking.c */
extern const gc_call_mode gc_reactor_mode;  /* server_reactor.c */

/* ---- the core call object (server_call.c) ---- */

/* Makes a slot for `sm` (mode state included), or NULL. */
grpc_c_server_ctx *gc_call_new(gc_server_common *common, gc_server_method *sm);
/* Resets per-call state, keeping buffers for the slot's next call. */
void gc_call_reset(grpc_c_server_ctx *ctx);
void gc_call_free(grpc_c_server_ctx *ctx);
/* Hands a finished call's slot back to the server. */
static inline void gc_call_release(grpc_c_server_ctx *ctx) {
  ctx->common->release(ctx);
}
/* Runs the auth hook, decodes the request that came with the call (if the
 * method has one) and calls the handler. Returns true when the call is
 * still the caller's, with the handler's code in *code; false when it was
 * ended (refused, undecodable) or handed on by the handler (deferred, or a
 * reactor), after which the caller must not touch it. */
bool gc_call_run_handler(grpc_c_server_ctx *ctx, grpc_c_code *code);
/* `code` as the call ends with it: CANCELLED past the deadline becomes
 * DEADLINE_EXCEEDED, UNIMPLEMENTED gets its message. */
grpc_c_code gc_call_final_code(grpc_c_server_ctx *ctx, grpc_c_code code);
/* Fills `ops` with what ends a call: initial metadata if not sent, the
 * response when OK and the method has one, and the status (after the
 * decode outcome). Returns the number of ops (at most 3). */
size_t gc_call_final_ops(grpc_c_server_ctx *ctx, grpc_c_code code,
                         grpc_op *ops);
/* Parses a request message of the call, noting whether it arrived
 * compressed and holding it, as sent and inflated, to the receive limit.
 * NULL (and decode_failed set) when `buffer` does not decode. */
ProtobufCMessage *gc_call_unpack(grpc_c_server_ctx *ctx,
                                 grpc_byte_buffer *buffer,
                                 ProtobufCAllocator *allocator);
/* `code`, or the decode failure's code when a request failed to decode and
 * the handler said OK: RESOURCE_EXHAUSTED over the receive limit (as sent
 * or inflated), else INTERNAL; the status message is set. */
grpc_c_code gc_call_decode_outcome(grpc_c_server_ctx *ctx, grpc_c_code code);
/* Ops: the status of `code` (with the message set by
 * grpc_c_server_ctx_fail(), kept alive by `ctx`), the close event into
 * ctx->cancelled_flag, the initial metadata to send (marked sent). */
void gc_call_status_op(grpc_c_server_ctx *ctx, grpc_c_code code, grpc_op *op);
void gc_call_close_op(grpc_c_server_ctx *ctx, grpc_op *op);
void gc_call_initial_metadata_op(grpc_c_server_ctx *ctx, grpc_op *op);

/* ---- grpc.health.v1.Health (health.c) ----
 *
 * The server keeps its health state (NULL until
 * grpc_c_server_enable_health()) and calls it at the steps of its life
 * cycle; health.c reaches the server only through these two functions and
 * the public API. */
typedef struct gc_health gc_health;
/* server.c: the server's health state or NULL; attaching it (once, during
 * set-up). */
gc_health *gc_server_health(grpc_c_server *server);
void gc_server_attach_health(grpc_c_server *server, gc_health *health);
/* Start, before any call can arrive: "" and the service of every method in
 * `methods` become SERVING unless a status is set. Returns 0, or
 * GRPC_C_ENOMEM with nothing changed. */
int gc_health_start(gc_health *health, const gc_server_method *methods,
                    size_t count);
/* Undoes gc_health_start() when the server's start fails after it. */
void gc_health_unstart(gc_health *health);
/* The drain's first step: every name NOT_SERVING, written to its Watch
 * streams, which are then finished with UNAVAILABLE; set and clear are
 * refused from then on. Idempotent: later callers return once the first
 * one's work is done (it never waits for the network). Call it holding no
 * server lock: finishing a stream can run its callbacks here. */
void gc_health_drain(gc_health *health);
/* Frees the state once the server has stopped; accepts NULL. */
void gc_health_free(gc_health *health);

/* ---- beyond the core's public API (core_fence.c) ---- */

/* True when the core is a version whose internals the runtime was
 * verified on (and GRPC_C_CORE_PUBLIC_API=1 is not set): then codec.c
 * works on byte buffers directly and pollers use the completion-queue
 * cache; else only the public API is used. */
bool gc_fence_verified(void);

/* Tags on the server queue: slot addresses plus a small event number. */
enum {
  GC_TAG_CALL = 0,        /* the slot's call arrived or its final batch ended */
  GC_TAG_CLOSE = 1,       /* the close event (deferred unary, reactor) */
  GC_TAG_STREAM_READ = 2, /* reactor: a read completed */
  GC_TAG_STREAM_WRITE = 3, /* ... a write (maybe with the status) */
  GC_TAG_MASK = 7
};
static inline void *gc_tag(grpc_c_server_ctx *ctx, int kind) {
  return (char *)ctx + kind;
}
void gc_tag_split(void *tag, grpc_c_server_ctx **ctx, int *kind);

/* Handles one event of the server queue. */
typedef void (*gc_dispatch_fn)(void *arg, void *tag, bool ok);
/* Marks the calling thread as a server poller that handles events with
 * `dispatch` (once, at its start); only pollers use the cache. */
void gc_events_poller_thread(gc_dispatch_fn dispatch, void *arg);
/* Handles the events the cache caught while the poller dispatched one
 * event (after each event; nothing to do most of the time). */
void gc_events_drain(void);
/* Frees the poller's event array (when the poller ends). */
void gc_events_poller_exit(void);
/* Starts a batch; on pollers with the cache, so *completed tells whether
 * it completed at once (with *ok), and other completions the cache caught
 * are stashed for gc_events_drain(). */
grpc_call_error gc_start_batch_cached(grpc_call *call,
                                      grpc_completion_queue *cq,
                                      const grpc_op *ops, size_t n, void *tag,
                                      bool *completed, bool *ok);

#endif /* GRPC_C_INTERNAL_H */
