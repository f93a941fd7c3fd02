/* Servers: options, listeners, registered methods, call slots and their
 * dispatch to the call modes, poller threads (which run unary and
 * non-blocking streaming handlers inline), a bounded worker pool for
 * blocking streaming handlers, the life cycle, and signals. What a call
 * does lives in server_call.c and the mode modules (see internal.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* Calls kept requested from the core per method. Small on purpose: the core
 * scans requested calls linearly, and unmatched calls simply wait in the
 * core until a slot is requested again. */
enum { UNARY_SLOTS = 8, STREAM_SLOTS = 2, GENERIC_SLOTS = 2 };
/* Bytes of hinted stream replies the core buffers before it writes them
 * (grpc.http2.write_buffer_size; the core's default is 64 KiB). */
enum { STREAM_WRITE_BUFFER = 8 * 1024 };

/* See "life cycle" below. */
typedef enum server_state {
  SERVER_CREATED,
  SERVER_STARTED,
  SERVER_DRAINING,
  SERVER_STOPPED
} server_state;

struct grpc_c_server_options {
  int pollers;
  int max_workers;
  gc_args args;
  grpc_c_auth_fn auth_fn;
  void *auth_data;
  size_t memory_limit; /* 0: none */
};

struct grpc_c_server {
  grpc_server *core;
  grpc_completion_queue *cq; /* notifications, unary and generic calls */
  gc_server_common common;   /* what calls see of the server */
  int poller_count;
  int max_workers;
  int listener_count;

  gc_server_method *methods;
  size_t method_count;
  gc_server_method generic;        /* slots answering UNIMPLEMENTED */
  const grpc_c_service **services; /* as registered, for reflection */
  size_t service_count;
  gc_reflection *reflection; /* NULL until reflection is enabled */

  pthread_t *pollers;

  /* Slot free lists, the active-call count and the shutdown notification. */
  pthread_mutex_t slot_mu;
  pthread_cond_t drained_cv;
  size_t active_calls;
  bool shutdown_notified;
  int shutdown_tag;

  /* The streaming worker pool. */
  pthread_mutex_t pool_mu;
  pthread_cond_t work_cv;
  grpc_c_server_ctx *queue_head, *queue_tail;
  pthread_t *workers;
  int worker_count;
  int idle_workers;
  bool stop_workers;

  /* Life cycle. */
  pthread_mutex_t life_mu;
  pthread_cond_t life_cv;
  _Atomic server_state state;
  bool core_started;
  bool finishing;              /* a thread is finishing the drain */
  gpr_timespec drain_deadline; /* DRAINING: when to cancel what is left */
  bool connections_closed;     /* guarded by slot_mu */

  /* Signal handling (grpc_c_server_handle_signals()). */
  int signal_read_fd; /* -1: not handling signals */
  int64_t signal_grace_ms;
  pthread_t signal_watcher;
  bool signal_watcher_started;

  /* grpc.health.v1.Health (health.c), or NULL. */
  _Atomic(gc_health *) health;
};

/* ---- options ---- */

static int default_pollers(void) {
  cpu_set_t set;
  int n = 2;
  if (sched_getaffinity(0, sizeof set, &set) == 0) n = CPU_COUNT(&set);
  if (n < 1) n = 1;
  return n > 8 ? 8 : n;
}

int grpc_c_server_options_new(grpc_c_server_options **out) {
  if (!out) return GRPC_C_EINVAL;
  *out = calloc(1, sizeof **out);
  if (!*out) return GRPC_C_ENOMEM;
  (*out)->pollers = 0; /* default, decided at create */
  (*out)->max_workers = 64;
  return 0;
}

void grpc_c_server_options_free(grpc_c_server_options *opts) {
  if (!opts) return;
  gc_args_free(&opts->args);
  free(opts);
}

int grpc_c_server_options_set_poller_threads(grpc_c_server_options *opts,
                                             int threads) {
  if (!opts || threads < 1 || threads > 1024) return GRPC_C_EINVAL;
  opts->pollers = threads;
  return 0;
}

int grpc_c_server_options_set_max_stream_workers(grpc_c_server_options *opts,
                                                 int workers) {
  if (!opts || workers < 1 || workers > 65536) return GRPC_C_EINVAL;
  opts->max_workers = workers;
  return 0;
}

int grpc_c_server_options_set_max_receive_message_size(
    grpc_c_server_options *opts, int bytes) {
  if (!opts || bytes < -1) return GRPC_C_EINVAL;
  return gc_args_set(&opts->args, GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH, NULL,
                     bytes);
}

int grpc_c_server_options_set_max_send_message_size(grpc_c_server_options *opts,
                                                    int bytes) {
  if (!opts || bytes < -1) return GRPC_C_EINVAL;
  return gc_args_set(&opts->args, GRPC_ARG_MAX_SEND_MESSAGE_LENGTH, NULL,
                     bytes);
}

int grpc_c_server_options_set_compression(grpc_c_server_options *opts,
                                          grpc_c_compression algorithm) {
  if (!opts || (unsigned)algorithm > GRPC_C_COMPRESS_GZIP) return GRPC_C_EINVAL;
  return gc_args_set(&opts->args, GRPC_COMPRESSION_CHANNEL_DEFAULT_ALGORITHM,
                     NULL, (int)algorithm);
}

int grpc_c_server_options_set_inspect_compression(grpc_c_server_options *opts,
                                                  bool inspect) {
  if (!opts) return GRPC_C_EINVAL;
  return gc_args_set(&opts->args, GRPC_ARG_ENABLE_PER_MESSAGE_DECOMPRESSION,
                     NULL, inspect ? 0 : 1);
}

int grpc_c_server_options_set_max_concurrent_streams(
    grpc_c_server_options *opts, int streams) {
  if (!opts || streams < 1) return GRPC_C_EINVAL;
  return gc_args_set(&opts->args, GRPC_ARG_MAX_CONCURRENT_STREAMS, NULL,
                     streams);
}

int grpc_c_server_options_set_auth_hook(grpc_c_server_options *opts,
                                        grpc_c_auth_fn fn, void *user_data) {
  if (!opts || !fn) return GRPC_C_EINVAL;
  opts->auth_fn = fn;
  opts->auth_data = user_data;
  return 0;
}

int grpc_c_server_options_set_memory_limit(grpc_c_server_options *opts,
                                           size_t bytes) {
  if (!opts) return GRPC_C_EINVAL;
  opts->memory_limit = bytes;
  return 0;
}

int grpc_c_server_options_set_int(grpc_c_server_options *opts, const char *key,
                                  int value) {
  if (!opts) return GRPC_C_EINVAL;
  return gc_args_set(&opts->args, key, NULL, value);
}

static void release_slot(grpc_c_server_ctx *ctx);

/* ---- create, listen, register ---- */

int grpc_c_server_create(grpc_c_server **out,
                         const grpc_c_server_options *opts) {
  if (!out) return GRPC_C_EINVAL;
  *out = NULL;
  grpc_c_server *server = calloc(1, sizeof *server);
  if (!server) return GRPC_C_ENOMEM;
  server->poller_count =
      opts && opts->pollers > 0 ? opts->pollers : default_pollers();
  server->max_workers = opts ? opts->max_workers : 64;
  /* The receive limit, however it was set (the core's default when not),
   * which the runtime applies itself (codec.c). */
  int max_receive = gc_args_get_int(opts ? &opts->args : NULL,
                                    GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH,
                                    4 * 1024 * 1024 /* the core's default */);
  server->common.receive_limit =
      max_receive >= 0 ? (size_t)max_receive : SIZE_MAX;
  server->common.release = release_slot;
  server->generic.server = server;
  if (opts) {
    server->common.auth_fn = opts->auth_fn;
    server->common.auth_data = opts->auth_data;
  }

  /* SO_REUSEPORT is on by default in the core: a stale process on the same
   * port would silently take a share of the connections. Channelz, on by
   * default in the core, counts every call and message for a channelz
   * service this runtime does not offer (about 4% of a streaming server's
   * CPU). Hinted stream replies (server_reactor.c) are written once 8 KiB
   * wait instead of the core's 64 KiB, so a client that pipelines gets
   * replies while the server still works through its requests, rather than
   * both sides taking turns (+7% pipelined messages/s, see
   * docs/design.md). Requests are inflated by the runtime (codec.c), within
   * the receive limit, rather than by the core's filter, which inflates
   * without a bound before the size check and costs a step on every message
   * (about 1.4% of pipelined messages/s). Options set with
   * grpc_c_server_options_set_int() (and
   * grpc_c_server_options_set_inspect_compression()) win over these four.
   *
   * The receive limit goes to the core as -1, always: the runtime checks
   * every request against it as it decodes (gc_call_unpack()), so the core's
   * message-size filter, which costs another step on every message (about
   * 1.6%), is left out unless a send limit needs it. */
  grpc_arg forced[3] = {{.type = GRPC_ARG_INTEGER,
                         .key = (char *)GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH,
                         .value.integer = -1}};
  size_t forced_count = 1;
  /* Without byte buffer internals (core_fence.c) the runtime cannot see
   * that a request is compressed: the core inflates them. */
  if (!gc_fence_verified())
    forced[forced_count++] =
        (grpc_arg){.type = GRPC_ARG_INTEGER,
                   .key = (char *)GRPC_ARG_ENABLE_PER_MESSAGE_DECOMPRESSION,
                   .value.integer = 1};
  /* The memory ceiling: the core's resource quota, which its transports
   * draw on for what they read and buffer, and which cancels calls (the
   * largest buffers first) when it runs out. */
  grpc_resource_quota *quota = NULL;
  if (opts && opts->memory_limit) {
    quota = grpc_resource_quota_create("grpc-c server");
    if (!quota) {
      free(server);
      return GRPC_C_ENOMEM;
    }
    grpc_resource_quota_resize(quota, opts->memory_limit);
    forced[forced_count++] =
        (grpc_arg){.type = GRPC_ARG_POINTER,
                   .key = (char *)GRPC_ARG_RESOURCE_QUOTA,
                   .value.pointer = {
                       .p = quota, .vtable = grpc_resource_quota_arg_vtable()}};
  }
  grpc_arg defaults[] = {
      {.type = GRPC_ARG_INTEGER,
       .key = (char *)GRPC_ARG_ALLOW_REUSEPORT,
       .value.integer = 0},
      {.type = GRPC_ARG_INTEGER,
       .key = (char *)GRPC_ARG_ENABLE_CHANNELZ,
       .value.integer = 0},
      {.type = GRPC_ARG_INTEGER,
       .key = (char *)GRPC_ARG_HTTP2_WRITE_BUFFER_SIZE,
       .value.integer = STREAM_WRITE_BUFFER},
      {.type = GRPC_ARG_INTEGER,
       .key = (char *)GRPC_ARG_ENABLE_PER_MESSAGE_DECOMPRESSION,
       .value.integer = 0}};
  grpc_channel_args args;
  if (gc_args_to_core(opts ? &opts->args : NULL, defaults,
                      sizeof defaults / sizeof *defaults, forced, forced_count,
                      &args)) {
    if (quota) grpc_resource_quota_unref(quota);
    free(server);
    return GRPC_C_ENOMEM;
  }
  gc_core_ref();
  server->core = grpc_server_create(&args, NULL);
  free(args.args);
  if (quota) grpc_resource_quota_unref(quota); /* the server holds its own */
  server->cq = grpc_completion_queue_create_for_next(NULL);
  if (!server->core || !server->cq) {
    if (server->core) grpc_server_destroy(server->core);
    if (server->cq) grpc_completion_queue_destroy(server->cq);
    free(server);
    gc_core_unref();
    return GRPC_C_ECORE;
  }
  server->common.cq = server->cq;
  grpc_server_register_completion_queue(server->core, server->cq, NULL);
  pthread_mutex_init(&server->slot_mu, NULL);
  pthread_cond_init(&server->drained_cv, NULL);
  pthread_mutex_init(&server->pool_mu, NULL);
  pthread_cond_init(&server->work_cv, NULL);
  pthread_mutex_init(&server->life_mu, NULL);
  pthread_cond_init(&server->life_cv, NULL);
  server->signal_read_fd = -1;
  server->state = SERVER_CREATED;
  *out = server;
  return 0;
}

int grpc_c_server_add_listener(grpc_c_server *server, const char *address,
                               int *bound_port) {
  if (bound_port) *bound_port = 0;
  if (!server || !address || !*address) return GRPC_C_EINVAL;
  grpc_server_credentials *creds = grpc_insecure_server_credentials_create();
  int rc = gc_server_add_port(server, address, creds, bound_port);
  grpc_server_credentials_release(creds);
  return rc;
}

int gc_server_add_port(grpc_c_server *server, const char *address,
                       grpc_server_credentials *creds, int *bound_port) {
  if (server->state != SERVER_CREATED) return GRPC_C_ESTATE;
  int port = grpc_server_add_http2_port(server->core, address, creds);
  if (port <= 0) {
    gc_log(GRPC_C_LOG_ERROR, "cannot listen on %s", address);
    return GRPC_C_EBIND;
  }
  server->listener_count++;
  if (bound_port) *bound_port = port;
  return 0;
}

int grpc_c_server_register(grpc_c_server *server, const grpc_c_service *service,
                           const void *servicer, void *self) {
  if (!server || !service || !servicer || !service->name ||
      (service->method_count && !service->methods))
    return GRPC_C_EINVAL;
  if (server->state != SERVER_CREATED) return GRPC_C_ESTATE;
  for (size_t i = 0; i < service->method_count; i++) {
    const grpc_c_method *m = service->methods[i];
    if (!m || !m->path || !m->invoke) return GRPC_C_EINVAL;
    for (size_t j = 0; j < server->method_count; j++)
      if (strcmp(server->methods[j].method->path, m->path) == 0)
        return GRPC_C_EEXIST;
  }
  for (size_t i = 0; i < server->service_count; i++)
    if (strcmp(server->services[i]->name, service->name) == 0)
      return GRPC_C_EEXIST;
  const grpc_c_service **services =
      realloc(server->services, (server->service_count + 1) * sizeof *services);
  if (!services) return GRPC_C_ENOMEM;
  server->services = services;
  gc_server_method *methods = realloc(
      server->methods,
      (server->method_count + service->method_count + 1) * sizeof *methods);
  if (!methods) return GRPC_C_ENOMEM;
  server->methods = methods;
  server->services[server->service_count++] = service;
  for (size_t i = 0; i < service->method_count; i++) {
    gc_server_method *sm = &server->methods[server->method_count++];
    memset(sm, 0, sizeof *sm);
    sm->server = server;
    sm->method = service->methods[i];
    sm->servicer = servicer;
    sm->self = self;
    sm->mode = sm->method->kind == GRPC_C_METHOD_UNARY ? &gc_unary_mode
                                                       : &gc_blocking_mode;
  }
  return 0;
}

size_t gc_server_services(const grpc_c_server *server,
                          const grpc_c_service *const **services) {
  *services = server->services;
  return server->service_count;
}

bool gc_server_is_created(const grpc_c_server *server) {
  return server->state == SERVER_CREATED;
}

gc_reflection **gc_server_reflection_slot(grpc_c_server *server) {
  return &server->reflection;
}

int grpc_c_server_set_nonblocking(grpc_c_server *server,
                                  const grpc_c_method *method) {
  if (!server || !method) return GRPC_C_EINVAL;
  if (server->state != SERVER_CREATED) return GRPC_C_ESTATE;
  if (method->kind == GRPC_C_METHOD_UNARY) return GRPC_C_EINVAL;
  for (size_t i = 0; i < server->method_count; i++) {
    if (server->methods[i].method == method ||
        strcmp(server->methods[i].method->path, method->path) == 0) {
      server->methods[i].mode = &gc_reactor_mode;
      return 0;
    }
  }
  return GRPC_C_EINVAL;
}

/* ---- slots ---- */

static bool is_streaming(const gc_server_method *sm) {
  return sm->method && sm->method->kind != GRPC_C_METHOD_UNARY;
}

static bool reads_payload_with_call(const gc_server_method *sm) {
  return sm->method && (sm->method->kind == GRPC_C_METHOD_UNARY ||
                        sm->method->kind == GRPC_C_METHOD_SERVER_STREAMING);
}

static grpc_c_server_ctx *slot_take(grpc_c_server *server,
                                    gc_server_method *sm) {
  pthread_mutex_lock(&server->slot_mu);
  grpc_c_server_ctx *ctx = sm->free_slots;
  if (ctx) sm->free_slots = ctx->next;
  pthread_mutex_unlock(&server->slot_mu);
  if (!ctx) ctx = gc_call_new(&server->common, sm);
  if (ctx) ctx->next = NULL;
  return ctx;
}

/* Puts a slot back; `was_active` says it carried a call. */
static void slot_put(grpc_c_server *server, grpc_c_server_ctx *ctx,
                     bool was_active) {
  gc_server_method *sm = ctx->method;
  pthread_mutex_lock(&server->slot_mu);
  ctx->next = sm->free_slots;
  sm->free_slots = ctx;
  if (was_active && --server->active_calls == 0)
    pthread_cond_broadcast(&server->drained_cv);
  pthread_mutex_unlock(&server->slot_mu);
}

/* gc_server_common.release: a call ended. */
static void release_slot(grpc_c_server_ctx *ctx) {
  grpc_c_server *server = ctx->method->server;
  gc_call_reset(ctx);
  slot_put(server, ctx, true);
}

/* Requests one call for `sm` from the core. */
static void request_slot(grpc_c_server *server, gc_server_method *sm) {
  if (server->state >= SERVER_DRAINING) return;
  grpc_c_server_ctx *ctx = slot_take(server, sm);
  if (!ctx) {
    gc_log(GRPC_C_LOG_ERROR, "out of memory requesting a call slot");
    return;
  }
  grpc_call_error err;
  ctx->phase = GC_CALL_REQUESTED;
  if (!sm->method) {
    err = grpc_server_request_call(server->core, &ctx->call, &ctx->details,
                                   &ctx->request_metadata, server->cq,
                                   server->cq, ctx);
  } else {
    err = grpc_server_request_registered_call(
        server->core, sm->core_handle, &ctx->call, &ctx->deadline,
        &ctx->request_metadata,
        reads_payload_with_call(sm) ? &ctx->payload : NULL, ctx->call_cq,
        server->cq, ctx);
  }
  if (err != GRPC_CALL_OK) {
    gc_log(GRPC_C_LOG_ERROR, "the core refused a call request (%d)", (int)err);
    ctx->phase = GC_CALL_IDLE;
    slot_put(server, ctx, false);
  }
}

/* ---- the stream worker pool ---- */

/* The server whose poller or worker this thread is, if any. */
static _Thread_local const grpc_c_server *tls_own_server;

static bool on_own_thread(const grpc_c_server *server) {
  return tls_own_server == server;
}

static void *worker_loop(void *arg) {
  grpc_c_server *server = arg;
  tls_own_server = server;
  for (;;) {
    pthread_mutex_lock(&server->pool_mu);
    while (!server->queue_head && !server->stop_workers) {
      server->idle_workers++;
      pthread_cond_wait(&server->work_cv, &server->pool_mu);
      server->idle_workers--;
    }
    grpc_c_server_ctx *ctx = server->queue_head;
    if (!ctx) {
      pthread_mutex_unlock(&server->pool_mu);
      return NULL;
    }
    server->queue_head = ctx->next;
    if (!server->queue_head) server->queue_tail = NULL;
    pthread_mutex_unlock(&server->pool_mu);
    ctx->next = NULL;
    ctx->mode->begin(ctx);
  }
}

/* Hands a call to the pool, starting a worker if none is idle and the pool
 * is below its bound. */
static void enqueue_call(grpc_c_server *server, grpc_c_server_ctx *ctx) {
  pthread_mutex_lock(&server->pool_mu);
  if (server->queue_tail)
    server->queue_tail->next = ctx;
  else
    server->queue_head = ctx;
  server->queue_tail = ctx;
  if (server->idle_workers > 0) {
    pthread_cond_signal(&server->work_cv);
  } else if (server->worker_count < server->max_workers) {
    if (pthread_create(&server->workers[server->worker_count], NULL,
                       worker_loop, server) == 0)
      server->worker_count++;
    else
      gc_log(GRPC_C_LOG_ERROR, "cannot start a stream worker thread");
  }
  pthread_mutex_unlock(&server->pool_mu);
}

/* ---- dispatch ---- */

/* Calls to methods nobody registered: one batch answers UNIMPLEMENTED. */
static void answer_unimplemented(grpc_c_server_ctx *ctx) {
  grpc_op ops[3];
  grpc_c_server_ctx_fail(
      ctx, GRPC_C_UNIMPLEMENTED, "Method not found: %.*s",
      (int)GRPC_SLICE_LENGTH(ctx->details.method),
      (const char *)GRPC_SLICE_START_PTR(ctx->details.method));
  gc_call_initial_metadata_op(ctx, &ops[0]);
  gc_call_status_op(ctx, GRPC_C_UNIMPLEMENTED, &ops[1]);
  gc_call_close_op(ctx, &ops[2]);
  if (grpc_call_start_batch(ctx->call, ops, 3, ctx, NULL) != GRPC_CALL_OK)
    release_slot(ctx);
}

/* A requested call arrived (ok), or its request ended with the server. */
static void call_arrived(grpc_c_server *server, grpc_c_server_ctx *ctx,
                         bool ok) {
  if (!ok) {
    gc_call_reset(ctx);
    slot_put(server, ctx, false);
    return;
  }
  ctx->phase = GC_CALL_ACTIVE;
  pthread_mutex_lock(&server->slot_mu);
  server->active_calls++;
  pthread_mutex_unlock(&server->slot_mu);
  request_slot(server, ctx->method);
  if (!ctx->mode)
    answer_unimplemented(ctx);
  else if (ctx->mode->on_worker)
    enqueue_call(server, ctx);
  else
    ctx->mode->begin(ctx);
}

static void dispatch(void *arg, void *tag, bool ok) {
  grpc_c_server *server = arg;
  if (tag == &server->shutdown_tag) {
    pthread_mutex_lock(&server->slot_mu);
    server->shutdown_notified = true;
    pthread_cond_broadcast(&server->drained_cv);
    pthread_mutex_unlock(&server->slot_mu);
    return;
  }
  grpc_c_server_ctx *ctx;
  int kind;
  gc_tag_split(tag, &ctx, &kind);
  if (ctx->phase == GC_CALL_REQUESTED)
    call_arrived(server, ctx, ok);
  else if (ctx->phase != GC_CALL_ACTIVE)
    gc_log(GRPC_C_LOG_ERROR, "event for an idle call slot");
  else if (!ctx->mode)
    release_slot(ctx); /* the UNIMPLEMENTED answer went out */
  else
    ctx->mode->event(ctx, kind, ok);
}

/* ---- life cycle ----
 *
 * One state machine, guarded by life_mu:
 *
 *   CREATED --start--> STARTED --shutdown--> DRAINING --finished--> STOPPED
 *      |                                                               ^
 *      +---------------------------shutdown----------------------------+
 *
 * CREATED takes listeners, services and signal handling; a start that
 * cannot start its threads leaves it CREATED. DRAINING begins with the
 * core's shutdown: no new calls; calls in flight finish until the grace
 * deadline, then the rest are cancelled. One thread, the finisher, waits
 * for that and joins the server's threads: the first caller of shutdown,
 * wait or destroy that is not a thread of this server. A handler cannot be
 * the finisher (it would wait for itself), so shutdown from a handler only
 * begins the drain. STOPPED leaves only destroy. */

static void *poller_loop(void *arg) {
  grpc_c_server *server = arg;
  tls_own_server = server;
  gc_events_poller_thread(dispatch, server);
  for (;;) {
    grpc_event ev = grpc_completion_queue_next(
        server->cq, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL);
    if (ev.type == GRPC_QUEUE_SHUTDOWN) break;
    if (ev.type != GRPC_OP_COMPLETE) continue;
    dispatch(server, ev.tag, ev.success != 0);
    gc_events_drain();
  }
  gc_events_poller_exit();
  return NULL;
}

static int start_signal_watcher(grpc_c_server *server);

int grpc_c_server_start(grpc_c_server *server) {
  if (!server) return GRPC_C_EINVAL;
  pthread_mutex_lock(&server->life_mu);
  int rc = 0;
  gc_health *health = server->health;
  if (server->state != SERVER_CREATED || server->listener_count == 0) {
    rc = GRPC_C_ESTATE;
    goto out;
  }
  server->workers =
      calloc((size_t)server->max_workers, sizeof *server->workers);
  server->pollers =
      calloc((size_t)server->poller_count, sizeof *server->pollers);
  if (!server->workers || !server->pollers) {
    rc = GRPC_C_ENOMEM;
    goto undo_memory;
  }
  /* Health statuses are in place before any call can ask for them. */
  if (health && (rc = gc_health_start(health, server->methods,
                                      server->method_count)) != 0)
    goto undo_memory;
  /* Threads first: a server whose threads cannot start stays CREATED,
   * with nothing started in the core. Pollers may wait on the queue of a
   * core server that has not started. */
  if ((rc = start_signal_watcher(server)) != 0) goto undo;
  int started = 0;
  for (; started < server->poller_count; started++)
    if (pthread_create(&server->pollers[started], NULL, poller_loop, server))
      break;
  if (started == 0) {
    gc_log(GRPC_C_LOG_ERROR, "cannot start a poller thread");
    rc = GRPC_C_ETHREAD;
    goto undo;
  }
  server->poller_count = started;
  for (size_t i = 0; i < server->method_count; i++) {
    gc_server_method *sm = &server->methods[i];
    sm->core_handle = grpc_server_register_method(
        server->core, sm->method->path, NULL,
        reads_payload_with_call(sm) ? GRPC_SRM_PAYLOAD_READ_INITIAL_BYTE_BUFFER
                                    : GRPC_SRM_PAYLOAD_NONE,
        0);
  }
  grpc_server_start(server->core);
  server->core_started = true;
  server->state = SERVER_STARTED;
  pthread_mutex_unlock(&server->life_mu);
  for (size_t i = 0; i < server->method_count; i++) {
    gc_server_method *sm = &server->methods[i];
    int slots = is_streaming(sm) ? STREAM_SLOTS : UNARY_SLOTS;
    for (int k = 0; k < slots; k++) request_slot(server, sm);
  }
  for (int k = 0; k < GENERIC_SLOTS; k++)
    request_slot(server, &server->generic);
  return 0;
undo:
  if (health) gc_health_unstart(health);
undo_memory:
  free(server->workers);
  free(server->pollers);
  server->workers = server->pollers = NULL;
out:
  pthread_mutex_unlock(&server->life_mu);
  return rc;
}

static bool drained_locked(const grpc_c_server *server) {
  return server->shutdown_notified && server->active_calls == 0;
}

/* Waits on drained_cv until drained or `deadline`, in steps of at most
 * 100 ms (so a deadline shortened meanwhile is seen). Returns true when
 * drained. */
static bool wait_drained(grpc_c_server *server, bool until_drained) {
  pthread_mutex_lock(&server->slot_mu);
  for (;;) {
    if (drained_locked(server)) break;
    /* No call left, yet no word from the core: connections that stay open
     * (idle clients, or peers that ignore GOAWAY) hold it back. With no
     * call to lose, close them now rather than at the end of the grace. */
    if (server->active_calls == 0 && !server->connections_closed) {
      server->connections_closed = true;
      pthread_mutex_unlock(&server->slot_mu);
      grpc_server_cancel_all_calls(server->core);
      pthread_mutex_lock(&server->slot_mu);
      continue;
    }
    gpr_timespec now = gpr_now(GPR_CLOCK_MONOTONIC);
    gpr_timespec step =
        gpr_time_add(now, gpr_time_from_millis(100, GPR_TIMESPAN));
    pthread_mutex_lock(&server->life_mu);
    gpr_timespec deadline = server->drain_deadline;
    pthread_mutex_unlock(&server->life_mu);
    if (!until_drained && gpr_time_cmp(now, deadline) >= 0) break;
    if (!until_drained && gpr_time_cmp(deadline, step) < 0) step = deadline;
    gpr_timespec rt = gpr_convert_clock_type(step, GPR_CLOCK_REALTIME);
    struct timespec ts = {.tv_sec = (time_t)rt.tv_sec, .tv_nsec = rt.tv_nsec};
    pthread_cond_timedwait(&server->drained_cv, &server->slot_mu, &ts);
  }
  bool drained = drained_locked(server);
  pthread_mutex_unlock(&server->slot_mu);
  return drained;
}

/* The finisher's part of shutdown: drain until the grace deadline, cancel
 * what is left, wait for every handler, join every thread. The wait after
 * cancelling ends when the last handler returns: cancelled calls fail
 * their reads and writes, and the core then reports shutdown. */
static void finish_shutdown(grpc_c_server *server) {
  if (!wait_drained(server, false)) {
    atomic_store(&server->common.cancelling, true);
    grpc_server_cancel_all_calls(server->core);
    wait_drained(server, true);
  }
  pthread_mutex_lock(&server->pool_mu);
  server->stop_workers = true;
  pthread_cond_broadcast(&server->work_cv);
  pthread_mutex_unlock(&server->pool_mu);
  for (int i = 0; i < server->worker_count; i++)
    pthread_join(server->workers[i], NULL);
  grpc_completion_queue_shutdown(server->cq);
  for (int i = 0; i < server->poller_count; i++)
    pthread_join(server->pollers[i], NULL);
}

/* Moves a STARTED server to DRAINING (the core stops taking calls), or
 * brings the deadline of a drain forward. life_mu held. */
static void begin_drain_locked(grpc_c_server *server, int64_t grace_ms) {
  gpr_timespec deadline = gc_deadline_after_ms(grace_ms < 0 ? 0 : grace_ms);
  if (server->state == SERVER_STARTED) {
    server->state = SERVER_DRAINING;
    server->drain_deadline = deadline;
    grpc_server_shutdown_and_notify(server->core, server->cq,
                                    &server->shutdown_tag);
    pthread_cond_broadcast(&server->life_cv);
  } else if (gpr_time_cmp(deadline, server->drain_deadline) < 0) {
    server->drain_deadline = deadline;
  }
}

/* Waits for STOPPED, becoming the finisher of a drain that has none.
 * life_mu held; released on return. Not on the server's own threads. */
static void finish_or_wait_unlock(grpc_c_server *server) {
  while (server->state != SERVER_STOPPED) {
    if (server->state == SERVER_DRAINING && !server->finishing) {
      server->finishing = true;
      pthread_mutex_unlock(&server->life_mu);
      finish_shutdown(server);
      pthread_mutex_lock(&server->life_mu);
      server->state = SERVER_STOPPED;
      pthread_cond_broadcast(&server->life_cv);
      break;
    }
    pthread_cond_wait(&server->life_cv, &server->life_mu);
  }
  pthread_mutex_unlock(&server->life_mu);
}

int grpc_c_server_shutdown(grpc_c_server *server, int64_t grace_ms) {
  if (!server) return GRPC_C_EINVAL;
  /* Health first, outside life_mu: Watch streams see NOT_SERVING and end
   * before the drain, and finishing them runs reactor callbacks. */
  gc_health *health = server->health;
  if (health) gc_health_drain(health);
  pthread_mutex_lock(&server->life_mu);
  switch ((server_state)server->state) {
    case SERVER_CREATED:
      server->state = SERVER_STOPPED;
      pthread_cond_broadcast(&server->life_cv);
      break;
    case SERVER_STARTED:
    case SERVER_DRAINING:
      begin_drain_locked(server, grace_ms);
      if (on_own_thread(server)) break; /* a handler: the drain goes on */
      finish_or_wait_unlock(server);
      return 0;
    case SERVER_STOPPED:
      break;
  }
  pthread_mutex_unlock(&server->life_mu);
  return 0;
}

int grpc_c_server_wait(grpc_c_server *server) {
  if (!server) return GRPC_C_EINVAL;
  if (on_own_thread(server)) return GRPC_C_ESTATE;
  pthread_mutex_lock(&server->life_mu);
  if (server->state == SERVER_CREATED) {
    pthread_mutex_unlock(&server->life_mu);
    return GRPC_C_ESTATE;
  }
  finish_or_wait_unlock(server);
  return 0;
}

static void free_slot_list(grpc_c_server_ctx *ctx) {
  while (ctx) {
    grpc_c_server_ctx *next = ctx->next;
    gc_call_free(ctx);
    ctx = next;
  }
}

static void stop_signal_handling(grpc_c_server *server);

void grpc_c_server_destroy(grpc_c_server *server) {
  if (!server) return;
  if (on_own_thread(server)) {
    gc_log(GRPC_C_LOG_ERROR,
           "grpc_c_server_destroy() called from a handler of the server; "
           "the server is left as it is");
    return;
  }
  grpc_c_server_shutdown(server, 0); /* STOPPED, from any state */
  stop_signal_handling(server);
  if (!server->core_started) {
    /* The core wants shutdown before destroy even when never started; no
     * poller runs, so the notification is collected here. */
    grpc_server_shutdown_and_notify(server->core, server->cq,
                                    &server->shutdown_tag);
    grpc_completion_queue_shutdown(server->cq);
  }
  /* Collect what is left on the (shut down) queue, within a bound: the
   * core never keeps a shut-down queue busy for long. */
  gpr_timespec deadline = gc_deadline_after_ms(10000);
  bool emptied = false;
  for (;;) {
    grpc_event ev = grpc_completion_queue_next(server->cq, deadline, NULL);
    if (ev.type == GRPC_QUEUE_SHUTDOWN) {
      emptied = true;
      break;
    }
    if (ev.type == GRPC_QUEUE_TIMEOUT) break;
  }
  if (emptied) {
    grpc_server_destroy(server->core);
    grpc_completion_queue_destroy(server->cq);
  } else {
    /* Freeing them now could crash the core: leave them. */
    gc_log(GRPC_C_LOG_ERROR, "the core did not release a server in 10 s");
  }
  for (size_t i = 0; i < server->method_count; i++)
    free_slot_list(server->methods[i].free_slots);
  free_slot_list(server->generic.free_slots);
  free(server->methods);
  free(server->services);
  gc_reflection_free(server->reflection);
  free(server->workers);
  free(server->pollers);
  gc_health_free(server->health);
  pthread_mutex_destroy(&server->slot_mu);
  pthread_cond_destroy(&server->drained_cv);
  pthread_mutex_destroy(&server->pool_mu);
  pthread_cond_destroy(&server->work_cv);
  pthread_mutex_destroy(&server->life_mu);
  pthread_cond_destroy(&server->life_cv);
  free(server);
  if (emptied) gc_core_unref();
}

/* ---- health (health.c) ---- */

gc_health *gc_server_health(grpc_c_server *server) { return server->health; }

void gc_server_attach_health(grpc_c_server *server, gc_health *health) {
  server->health = health;
}

/* ---- signals ----
 *
 * The handler can only reach process-wide state: a pipe, written without
 * blocking. One server at a time handles signals. Its watcher thread,
 * started with the server, reads the pipe and shuts the server down; a
 * signal that arrives before the server starts waits in the pipe. */

static pthread_mutex_t signal_mu = PTHREAD_MUTEX_INITIALIZER;
static int signal_pipe[2] = {-1, -1};
static grpc_c_server *signal_owner; /* guarded by signal_mu */
static struct sigaction old_term, old_int;

static void on_signal(int sig) {
  int saved = errno;
  char byte = sig == SIGINT ? 'i' : 't';
  ssize_t unused = write(signal_pipe[1], &byte, 1);
  (void)unused;
  errno = saved;
}

static void *signal_watcher(void *arg) {
  grpc_c_server *server = arg;
  struct pollfd pfd = {.fd = server->signal_read_fd, .events = POLLIN};
  for (;;) {
    char byte = 0;
    if (poll(&pfd, 1, -1) < 0 && errno == EINTR) continue;
    if (read(server->signal_read_fd, &byte, 1) < 0 && errno == EINTR) continue;
    if (byte == 'q') break; /* destroy */
    if (byte == 't' || byte == 'i') {
      gc_log(GRPC_C_LOG_INFO, "%s received: shutting down",
             byte == 't' ? "SIGTERM" : "SIGINT");
      grpc_c_server_shutdown(server, server->signal_grace_ms);
      break;
    }
  }
  return NULL;
}

static int start_signal_watcher(grpc_c_server *server) {
  if (server->signal_read_fd < 0 || server->signal_watcher_started) return 0;
  if (pthread_create(&server->signal_watcher, NULL, signal_watcher, server)) {
    gc_log(GRPC_C_LOG_ERROR, "cannot start the signal watcher thread");
    return GRPC_C_ETHREAD;
  }
  server->signal_watcher_started = true;
  return 0;
}

int grpc_c_server_handle_signals(grpc_c_server *server, int64_t grace_ms) {
  if (!server) return GRPC_C_EINVAL;
  pthread_mutex_lock(&server->life_mu);
  server_state state = server->state;
  pthread_mutex_unlock(&server->life_mu);
  if (state != SERVER_CREATED && state != SERVER_STARTED) return GRPC_C_ESTATE;
  pthread_mutex_lock(&signal_mu);
  if (signal_owner) {
    pthread_mutex_unlock(&signal_mu);
    return signal_owner == server ? 0 : GRPC_C_ESTATE;
  }
  if (pipe(signal_pipe) != 0) {
    pthread_mutex_unlock(&signal_mu);
    return GRPC_C_ESIGNAL;
  }
  /* The handler must never block; the reader blocks in poll(). */
  fcntl(signal_pipe[1], F_SETFL, fcntl(signal_pipe[1], F_GETFL) | O_NONBLOCK);
  fcntl(signal_pipe[0], F_SETFD, FD_CLOEXEC);
  fcntl(signal_pipe[1], F_SETFD, FD_CLOEXEC);
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  int rc = 0;
  if (sigaction(SIGTERM, &action, &old_term) != 0) {
    rc = GRPC_C_ESIGNAL;
  } else if (sigaction(SIGINT, &action, &old_int) != 0) {
    sigaction(SIGTERM, &old_term, NULL);
    rc = GRPC_C_ESIGNAL;
  }
  if (rc != 0) {
    close(signal_pipe[0]);
    close(signal_pipe[1]);
    signal_pipe[0] = signal_pipe[1] = -1;
    pthread_mutex_unlock(&signal_mu);
    return rc;
  }
  signal_owner = server;
  pthread_mutex_unlock(&signal_mu);

  pthread_mutex_lock(&server->life_mu);
  server->signal_read_fd = signal_pipe[0];
  server->signal_grace_ms = grace_ms;
  if (server->state == SERVER_STARTED) rc = start_signal_watcher(server);
  pthread_mutex_unlock(&server->life_mu);
  if (rc != 0) stop_signal_handling(server);
  return rc;
}

/* Stops the watcher, restores the previous handlers and closes the pipe. */
static void stop_signal_handling(grpc_c_server *server) {
  pthread_mutex_lock(&signal_mu);
  if (signal_owner != server) {
    pthread_mutex_unlock(&signal_mu);
    return;
  }
  if (server->signal_watcher_started) {
    char quit = 'q';
    ssize_t unused = write(signal_pipe[1], &quit, 1);
    (void)unused;
    pthread_join(server->signal_watcher, NULL);
    server->signal_watcher_started = false;
  }
  sigaction(SIGTERM, &old_term, NULL);
  sigaction(SIGINT, &old_int, NULL);
  close(signal_pipe[0]);
  close(signal_pipe[1]);
  signal_pipe[0] = signal_pipe[1] = -1;
  server->signal_read_fd = -1;
  signal_owner = NULL;
  pthread_mutex_unlock(&signal_mu);
}

int grpc_c_server_wait_for_signal(grpc_c_server *server, int64_t grace_ms) {
  if (!server) return GRPC_C_EINVAL;
  pthread_mutex_lock(&server->life_mu);
  server_state state = server->state;
  pthread_mutex_unlock(&server->life_mu);
  if (state == SERVER_CREATED || on_own_thread(server)) return GRPC_C_ESTATE;
  pthread_mutex_lock(&signal_mu);
  bool handled_already = signal_owner == server;
  pthread_mutex_unlock(&signal_mu);
  if (!handled_already) {
    int rc = grpc_c_server_handle_signals(server, grace_ms);
    if (rc != 0) return rc;
  }
  grpc_c_server_wait(server);
  /* Handlers installed for this call only go when it returns. */
  if (!handled_already) stop_signal_handling(server);
  return 0;
}

int grpc_c_port_from_env(int default_port) {
  const char *value = getenv("PORT");
  if (!value || !*value) return default_port;
  char *end;
  errno = 0;
  long port = strtol(value, &end, 10);
  if (errno || *end || port < 1 || port > 65535) return default_port;
  return (int)port;
}
