/**
 * @file grpc-c/server.h
 * @brief Servers, the server-side call context, and server-side streams.
 *
 * Life cycle: grpc_c_server_create() → grpc_c_server_add_listener() (one or
 * more) → grpc_c_server_register() (each service, usually through the
 * generated `<service>__servicer__register()`) → grpc_c_server_start() →
 * grpc_c_server_wait() (after grpc_c_server_handle_signals()) or
 * grpc_c_server_shutdown() → grpc_c_server_destroy(). The states are
 * created, started, draining and stopped; each function says what it does
 * in each.
 *
 * Threads: the server owns its threads. Unary handlers run directly on the
 * threads that poll the gRPC core (no hand-off), so a unary handler should
 * not block for long: it can grpc_c_server_ctx_defer() and finish the call
 * later from any thread. Streaming handlers run on a bounded pool of worker
 * threads and may block in reads and writes, unless their method is marked
 * with grpc_c_server_set_nonblocking(): such handlers run on the pollers,
 * never block, and receive messages through callbacks
 * (grpc_c_server_ctx_react()), so one server holds any number of open
 * streams without a thread each. A call's context is used by one thread at
 * a time, the call's owner (see ::grpc_c_server_ctx); each function's
 * Threads: line says who may call it.
 */
#ifndef GRPC_C_SERVER_H
#define GRPC_C_SERVER_H

#include <grpc-c/method.h>
#include <grpc-c/status.h>
#include <protobuf-c/protobuf-c.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A server. Opaque. */
typedef struct grpc_c_server grpc_c_server;

/** Options for grpc_c_server_create(). Opaque; setters grow the set. */
typedef struct grpc_c_server_options grpc_c_server_options;

/**
 * Creates an options object with the defaults.
 * Threads: any thread.
 * @param[out] out owned by the caller, freed with grpc_c_server_options_free().
 * @return 0, ::GRPC_C_EINVAL, ::GRPC_C_ENOMEM.
 */
int grpc_c_server_options_new(grpc_c_server_options **out);

/**
 * Frees an options object. Accepts NULL.
 * Threads: any thread, once no other thread uses `opts`.
 */
void grpc_c_server_options_free(grpc_c_server_options *opts);

/**
 * Number of threads polling the gRPC core and running unary handlers
 * (default: the number of CPUs this process may run on, at most 8).
 * Threads: one thread at a time per `opts`.
 * @return 0 or ::GRPC_C_EINVAL (outside 1..1024).
 */
int grpc_c_server_options_set_poller_threads(grpc_c_server_options *opts,
                                             int threads);

/**
 * Largest number of streaming handlers running at once, each on its own
 * worker thread (default 64). Further streaming calls wait in arrival order
 * until a worker is free.
 * Threads: one thread at a time per `opts`.
 * @return 0 or ::GRPC_C_EINVAL (outside 1..65536).
 */
int grpc_c_server_options_set_max_stream_workers(grpc_c_server_options *opts,
                                                 int workers);

/**
 * Largest request message accepted, in bytes (default 4 MiB); -1 means
 * unlimited. The limit holds for a request as sent and, when compressed,
 * inflated. Larger requests end the call with ::GRPC_C_RESOURCE_EXHAUSTED
 * ("grpc-c: a request message exceeds the receive limit (N bytes)"); a
 * unary handler does not run, a streaming one sees its reads end. Setting
 * "grpc.max_receive_message_length" with grpc_c_server_options_set_int() is
 * the same.
 * Threads: one thread at a time per `opts`.
 * @return 0 or ::GRPC_C_EINVAL.
 */
int grpc_c_server_options_set_max_receive_message_size(
    grpc_c_server_options *opts, int bytes);

/**
 * Largest response message sent, in bytes (default unlimited, -1).
 * Threads: one thread at a time per `opts`.
 * @return 0 or ::GRPC_C_EINVAL.
 */
int grpc_c_server_options_set_max_send_message_size(grpc_c_server_options *opts,
                                                    int bytes);

/**
 * Default compression of response messages. The server compresses only for
 * clients that announce they accept the algorithm (grpc-accept-encoding);
 * requests are decompressed whatever the setting.
 * Threads: one thread at a time per `opts`.
 * @return 0, ::GRPC_C_EINVAL, ::GRPC_C_ENOMEM.
 */
int grpc_c_server_options_set_compression(grpc_c_server_options *opts,
                                          grpc_c_compression algorithm);

/**
 * Who decompresses requests. By default (`inspect` true) the runtime does
 * (gzip and deflate): it stops inflating at the receive limit
 * (grpc_c_server_options_set_max_receive_message_size(), default 4 MiB), so a
 * small compressed request never costs more memory than the limit, and
 * handlers can ask grpc_c_server_ctx_request_compressed() whether a request
 * arrived compressed. A request that inflates beyond the limit ends the call
 * with ::GRPC_C_RESOURCE_EXHAUSTED, one that does not inflate with
 * ::GRPC_C_INTERNAL. With `inspect` false the gRPC core decompresses instead:
 * it inflates a request whole before checking its size, and
 * grpc_c_server_ctx_request_compressed() is always false.
 * Threads: one thread at a time per `opts`.
 * @return 0, ::GRPC_C_EINVAL, ::GRPC_C_ENOMEM.
 */
int grpc_c_server_options_set_inspect_compression(grpc_c_server_options *opts,
                                                  bool inspect);

/**
 * Largest number of concurrent calls (HTTP/2 streams) one client connection
 * may open (default: unlimited by us, the core's default applies).
 * Threads: one thread at a time per `opts`.
 * @return 0 or ::GRPC_C_EINVAL (below 1).
 */
int grpc_c_server_options_set_max_concurrent_streams(
    grpc_c_server_options *opts, int streams);

/**
 * Sets a raw gRPC core server argument with an integer value, such as
 * "grpc.max_concurrent_streams". The key is copied. It wins over the
 * defaults this runtime gives the core: "grpc.so_reuseport" 0,
 * "grpc.enable_channelz" 0 (channelz costs CPU on every message and the
 * runtime offers no channelz service), "grpc.http2.write_buffer_size" 8192
 * and "grpc.per_message_decompression" 0. "grpc.max_receive_message_length"
 * sets the receive limit the runtime enforces, as
 * grpc_c_server_options_set_max_receive_message_size() does.
 * Threads: one thread at a time per `opts`.
 * @return 0, ::GRPC_C_EINVAL, ::GRPC_C_ENOMEM.
 */
int grpc_c_server_options_set_int(grpc_c_server_options *opts, const char *key,
                                  int value);

/**
 * Gives the server a memory ceiling: the gRPC core's resource quota, from
 * which its transports take what they read and buffer (request messages
 * included, which the core assembles whole before the runtime can check
 * them against the receive limit). When the quota runs short the core
 * cancels calls, those holding the most memory first, with
 * RESOURCE_EXHAUSTED, and slows its reads, so a server under abuse
 * refuses calls instead of growing without bound. It covers the core's
 * buffers, not memory the handlers allocate. 0 (the default): no ceiling.
 * Pick a value well above the receive limit times the calls you expect at
 * once; docs/limits.md has the measurements.
 * @return 0 or ::GRPC_C_EINVAL.
 * Threads: any thread, before grpc_c_server_create() reads the options.
 */
int grpc_c_server_options_set_memory_limit(grpc_c_server_options *opts,
                                           size_t bytes);

/**
 * Creates a server.
 * Threads: any thread; `opts` may be shared while no thread changes it.
 * @param[out] out owned by the caller, destroyed with grpc_c_server_destroy().
 * @param opts     options or NULL for the defaults; read during the call only.
 * @return 0, ::GRPC_C_EINVAL, ::GRPC_C_ENOMEM, ::GRPC_C_ECORE.
 */
int grpc_c_server_create(grpc_c_server **out,
                         const grpc_c_server_options *opts);

/**
 * Adds a plaintext listening address such as "0.0.0.0:8080",
 * "127.0.0.1:0" (any free port) or "[::]:50051". Before start only.
 * Threads: one thread at a time with the other set-up calls, before start.
 * @param address    copied.
 * @param[out] bound_port NULL, or receives the port actually bound.
 * @return 0, ::GRPC_C_EINVAL, ::GRPC_C_ESTATE (already started),
 *         ::GRPC_C_EBIND (the address cannot be bound).
 */
int grpc_c_server_add_listener(grpc_c_server *server, const char *address,
                               int *bound_port);

/**
 * Registers a service implementation. Before start only. Usually called
 * through the generated `<service>__servicer__register()`.
 * Threads: one thread at a time with the other set-up calls, before start.
 *
 * @param service  the generated service descriptor; static storage.
 * @param servicer the generated servicer table filled with handler functions;
 *                 borrowed until the server is destroyed. NULL slots answer
 *                 ::GRPC_C_UNIMPLEMENTED.
 * @param self     passed back to every handler of this service; not touched.
 * @return 0, ::GRPC_C_EINVAL, ::GRPC_C_ESTATE (already started),
 *         ::GRPC_C_EEXIST (a service of that name is registered),
 *         ::GRPC_C_ENOMEM.
 */
int grpc_c_server_register(grpc_c_server *server, const grpc_c_service *service,
                           const void *servicer, void *self);

/**
 * Marks a streaming method as non-blocking: its handler runs on a poller
 * thread as soon as the call arrives, instead of on a stream worker. Such a
 * handler must not block. It either returns a status at once (after queuing
 * responses with grpc_c_server_ctx_write(), which never blocks for these
 * methods), or installs callbacks with grpc_c_server_ctx_react() and
 * returns, after which the call lives on without any thread until
 * grpc_c_server_ctx_finish(). Blocking reads (grpc_c_server_ctx_read())
 * return false for these methods. After grpc_c_server_register(), before
 * start.
 * Threads: one thread at a time with the other set-up calls, before start.
 *
 * @param method the registered method, such as
 *               `&helloworld__greeter__say_hello_stream__method`; static
 *               storage.
 * @return 0, ::GRPC_C_EINVAL (NULL, a unary method, or not registered on this
 *         server), ::GRPC_C_ESTATE (already started).
 */
int grpc_c_server_set_nonblocking(grpc_c_server *server,
                                  const grpc_c_method *method);

/**
 * Starts serving: starts the poller threads (and the signal watcher, after
 * grpc_c_server_handle_signals()) and begins accepting calls. Calls to
 * methods nobody registered answer ::GRPC_C_UNIMPLEMENTED.
 *
 * Created → started. When a thread cannot be started (::GRPC_C_ETHREAD) or
 * memory runs out, nothing has started and the server stays created: call
 * start again, or destroy it.
 * Threads: one thread at a time with the other set-up calls. Handlers then
 * run on pollers (unary, non-blocking) or stream workers (blocking
 * streaming).
 * @return 0, ::GRPC_C_EINVAL, ::GRPC_C_ESTATE (not in the created state, or
 *         no listener), ::GRPC_C_ETHREAD, ::GRPC_C_ENOMEM.
 */
int grpc_c_server_start(grpc_c_server *server);

/**
 * Shuts the server down: stops accepting new calls and connections at
 * once, lets in-flight calls finish for up to `grace_ms` milliseconds, then
 * cancels the rest (their streaming handlers see reads and writes fail and
 * grpc_c_server_ctx_is_cancelled() return true) and waits for every handler
 * to return. Connections left open with no call on them are closed as soon
 * as the last call ends, without waiting for the grace.
 *
 * By state: created → stopped at once (nothing to drain); started →
 * draining → stopped, and the call returns once stopped; draining (another
 * thread began the shutdown) → waits until stopped, and a shorter grace
 * brings the deadline forward; stopped → returns at once.
 *
 * From a handler of this server (a poller or stream worker thread), the
 * call only begins the drain and returns 0 at once: the drain cannot wait
 * for the handler that asked for it. It completes in grpc_c_server_wait(),
 * grpc_c_server_wait_for_signal(), a shutdown from another thread, or
 * grpc_c_server_destroy().
 *
 * The wait ends when the last handler returns after the grace: handlers of
 * cancelled calls should return promptly (blocking reads and writes fail at
 * once; a deferred call must still be finished).
 * Threads: any thread; from a handler of this server it only begins the
 * drain (above). Several threads may wait at once.
 * @return 0 or ::GRPC_C_EINVAL.
 */
int grpc_c_server_shutdown(grpc_c_server *server, int64_t grace_ms);

/**
 * Blocks until the server has stopped: until a shutdown that another thread
 * (or the signal watcher, see grpc_c_server_handle_signals()) began has
 * finished. A drain begun from a handler is finished by this call.
 * Threads: any thread but the server's own; several threads may wait.
 * @return 0 once stopped (at once when stopped already), ::GRPC_C_EINVAL,
 *         ::GRPC_C_ESTATE (the server was never started, so nothing could
 *         stop it; or called from a handler of this server, which would wait
 *         for itself).
 */
int grpc_c_server_wait(grpc_c_server *server);

/**
 * Makes SIGTERM and SIGINT shut this server down gracefully with
 * `grace_ms`, from this call until grpc_c_server_destroy(). Call it before
 * grpc_c_server_start(): then a signal that arrives at any moment after
 * start returns, even before the program reaches grpc_c_server_wait(),
 * drains the server, and a program that then destroys the server and
 * returns from main() exits with status 0. A signal that arrives before
 * start is kept and acted on as soon as the server starts.
 *
 * Process-wide effects, for as long as the server handles signals: the
 * handlers of SIGTERM and SIGINT are replaced (with SA_RESTART), a pipe
 * (close-on-exec) is opened, and a watcher thread runs from start; the
 * previous handlers come back in grpc_c_server_destroy(). One server per
 * process handles signals at a time. A second signal while draining is
 * ignored. With a grace below 10 s this fits Cloud Run's and Kubernetes'
 * termination windows.
 * Threads: any thread, during set-up or while started. The signal watcher
 * is a thread of its own; the shutdown it begins runs there.
 * @return 0 (also when this server handles them already), ::GRPC_C_EINVAL,
 *         ::GRPC_C_ESTATE (draining or stopped, or another server handles
 *         signals), ::GRPC_C_ESIGNAL (sigaction or pipe failed),
 *         ::GRPC_C_ETHREAD (started, and the watcher cannot start).
 */
int grpc_c_server_handle_signals(grpc_c_server *server, int64_t grace_ms);

/**
 * Blocks until SIGTERM or SIGINT arrives (or until another thread shuts
 * the server down), then shuts down with `grace_ms` and returns once
 * stopped. Unless grpc_c_server_handle_signals() was called before, the
 * handlers are installed for the duration of this call only (a signal
 * before it still ends the process the default way) and the previous ones
 * restored on return; prefer grpc_c_server_handle_signals() before start
 * and grpc_c_server_wait().
 * Threads: any thread but the server's own.
 * @return 0, ::GRPC_C_EINVAL, ::GRPC_C_ESTATE (never started, called from a
 *         handler of this server, or another server handles signals),
 *         ::GRPC_C_ESIGNAL.
 */
int grpc_c_server_wait_for_signal(grpc_c_server *server, int64_t grace_ms);

/**
 * Shuts down with no grace if needed (see grpc_c_server_shutdown()),
 * restores the signal handlers it replaced, and frees the server. Accepts
 * NULL. Works in every state; after it returns no thread of the server
 * runs. Must not be called from a handler of this server: that call is
 * refused (logged) and the server is left as it is.
 * Threads: any thread but the server's own, once no other thread uses the
 * server.
 */
void grpc_c_server_destroy(grpc_c_server *server);

/**
 * Reads the listening port from the environment variable PORT, as Cloud
 * Run, Knative and many platforms set it.
 * Threads: any thread (reads the environment).
 * @return the port, or `default_port` when PORT is unset, empty or not a
 *         number in 1..65535.
 */
int grpc_c_port_from_env(int default_port);

/* ------------------------------------------------------------------------ */
/* Server-side call context                                                  */
/* ------------------------------------------------------------------------ */

/**
 * The method path of the call, such as "/helloworld.Greeter/SayHello".
 * Valid for the duration of the call.
 * Threads: any thread while the call lasts.
 */
const char *grpc_c_server_ctx_method(const grpc_c_server_ctx *ctx);

/**
 * The peer address of the client, such as "ipv4:127.0.0.1:41234".
 * Valid for the duration of the call; never NULL.
 * Threads: the call's owner (see ::grpc_c_server_ctx).
 */
const char *grpc_c_server_ctx_peer(grpc_c_server_ctx *ctx);

/**
 * Milliseconds left before the client's deadline, 0 if it has passed, or
 * INT64_MAX when the client set no deadline.
 * Threads: any thread while the call lasts.
 */
int64_t grpc_c_server_ctx_time_remaining_ms(const grpc_c_server_ctx *ctx);

/**
 * True when the request message last received on this call (the request of
 * a unary or server-streaming call, or the last read, even one that failed
 * to decode) arrived compressed. Always false on servers that leave
 * decompression to the core (grpc_c_server_options_set_inspect_compression()
 * with false), on a gRPC core the runtime was not verified on (or with
 * GRPC_C_CORE_PUBLIC_API=1 in the environment), where the core inflates
 * requests, and for NULL.
 * Threads: the call's owner (see ::grpc_c_server_ctx).
 */
bool grpc_c_server_ctx_request_compressed(const grpc_c_server_ctx *ctx);

/**
 * True once the call is cancelled: the client cancelled or went away, the
 * deadline passed, or the server is shutting down past its grace. A handler
 * that then returns ::GRPC_C_CANCELLED after its deadline has passed sends
 * ::GRPC_C_DEADLINE_EXCEEDED, which is what the client sees in any case.
 * Threads: any thread while the call lasts.
 */
bool grpc_c_server_ctx_is_cancelled(const grpc_c_server_ctx *ctx);

/**
 * Looks up a request metadata entry the client sent.
 * Threads: the call's owner (see ::grpc_c_server_ctx).
 * @param key        lowercase key.
 * @param index      0 for the first entry with this key, 1 for the next...
 * @param[out] len   NULL or receives the value's length (binary values of
 *                   "-bin" keys may contain NUL bytes).
 * @return the value, valid for the duration of the call, or NULL when there
 *         is no such entry. Text values are NUL-terminated.
 */
const char *grpc_c_server_ctx_metadata(grpc_c_server_ctx *ctx, const char *key,
                                       size_t index, size_t *len);

/**
 * Adds an initial metadata entry to send to the client (before the first
 * response message). Key rules as for grpc_c_call_options_add_metadata();
 * keys ending in "-bin" take any bytes. Key and value are copied.
 * Threads: the call's owner (see ::grpc_c_server_ctx).
 * @return 0, ::GRPC_C_EINVAL, ::GRPC_C_ENOMEM, ::GRPC_C_ESTATE (initial
 *         metadata already sent).
 */
int grpc_c_server_ctx_add_initial_metadata(grpc_c_server_ctx *ctx,
                                           const char *key, const void *value,
                                           size_t len);

/**
 * Adds a trailing metadata entry, sent with the status. Same rules. Add
 * entries before the status goes out: before the handler returns, or, for
 * a deferred or non-blocking call, before grpc_c_server_ctx_finish(). That
 * is not checked (::GRPC_C_ESTATE is never returned): after finish, in the
 * callbacks of a non-blocking call whose context outlives it, an entry is
 * not sent and may race with the status going out, so do not add one.
 * Threads: the call's owner (see ::grpc_c_server_ctx).
 * @return 0, ::GRPC_C_EINVAL (NULL `ctx`, invalid key or value),
 *         ::GRPC_C_ENOMEM.
 */
int grpc_c_server_ctx_add_trailing_metadata(grpc_c_server_ctx *ctx,
                                            const char *key, const void *value,
                                            size_t len);

/**
 * Sets the status message that goes with the code the handler returns, in
 * printf style, and returns `code` so a handler can write
 * `return grpc_c_server_ctx_fail(ctx, GRPC_C_NOT_FOUND, "no %s", name);`.
 * The message is copied (truncated to 64 KiB).
 * Threads: the call's owner (see ::grpc_c_server_ctx).
 */
grpc_c_code grpc_c_server_ctx_fail(grpc_c_server_ctx *ctx, grpc_c_code code,
                                   const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/**
 * Compresses this call's response messages with `algorithm` (overrides the
 * server default), if the client accepts it. Before the first response
 * message or status only.
 * Threads: the call's owner (see ::grpc_c_server_ctx).
 * @return 0, ::GRPC_C_EINVAL, ::GRPC_C_ENOMEM, ::GRPC_C_ESTATE (initial
 *         metadata already sent).
 */
int grpc_c_server_ctx_set_compression(grpc_c_server_ctx *ctx,
                                      grpc_c_compression algorithm);

/**
 * Attaches binary error details to the status (sent as
 * grpc-status-details-bin, by convention a serialized google.rpc.Status);
 * clients read them in grpc_c_status::details. Copied.
 * Threads: the call's owner (see ::grpc_c_server_ctx).
 * @return 0, ::GRPC_C_EINVAL, ::GRPC_C_ENOMEM.
 */
int grpc_c_server_ctx_set_error_details(grpc_c_server_ctx *ctx,
                                        const void *details, size_t len);

/**
 * Allocates `size` bytes, zeroed, that live until the call has ended. Use it
 * for strings, repeated fields and sub-messages that a response points to.
 * Threads: the call's owner (see ::grpc_c_server_ctx).
 * @return the memory or NULL when out of memory. Never free it yourself.
 */
void *grpc_c_server_ctx_alloc(grpc_c_server_ctx *ctx, size_t size);

/**
 * Copies a NUL-terminated string into memory that lives until the call has
 * ended, like grpc_c_server_ctx_alloc().
 * Threads: the call's owner (see ::grpc_c_server_ctx).
 * @return the copy, or NULL when `s` is NULL or out of memory.
 */
char *grpc_c_server_ctx_strdup(grpc_c_server_ctx *ctx, const char *s);

/**
 * Unary and client-streaming handlers only: keeps the call open after the
 * handler returns (its return value is then ignored). The response message
 * stays valid and may be filled from any thread; the call ends when
 * grpc_c_server_ctx_finish() is called, exactly once.
 * Threads: inside the handler, on its thread.
 * @return 0, ::GRPC_C_EINVAL, ::GRPC_C_ESTATE (not such a handler or
 *         already deferred).
 */
int grpc_c_server_ctx_defer(grpc_c_server_ctx *ctx);

/**
 * Called when the client cancels a deferred unary call; see below.
 * Threads: runs on a server poller.
 */
typedef void (*grpc_c_cancel_fn)(grpc_c_server_ctx *ctx, void *user_data);

/**
 * Unary handlers that defer: asks to be told when the client cancels the
 * call (or it ends early for any other reason, such as its deadline) before
 * it is finished. `fn` runs at most once and must not block; the context
 * stays valid while it runs, and the call must still be finished with
 * grpc_c_server_ctx_finish() (typically from `fn`). Call it before
 * grpc_c_server_ctx_defer(). From then on, grpc_c_server_ctx_is_cancelled()
 * also sees client cancellation.
 * Threads: inside the unary handler, on its thread. `fn` runs on a server
 * poller.
 * @return 0, ::GRPC_C_EINVAL, ::GRPC_C_ESTATE (not a unary handler, or
 *         already deferred).
 */
int grpc_c_server_ctx_on_cancel(grpc_c_server_ctx *ctx, grpc_c_cancel_fn fn,
                                void *user_data);

/**
 * Callbacks of a non-blocking stream, installed with
 * grpc_c_server_ctx_react(). Every member may be NULL. The callbacks run on
 * the server's poller threads and must not block; they may write, finish
 * and read the context. on_read and on_read_done of one call never run at
 * the same time as each other; on_cancel may run on another poller
 * meanwhile. Usually a static constant.
 * Threads: pollers; on_done also on a thread that calls
 * grpc_c_server_ctx_finish().
 */
typedef struct grpc_c_stream_reactor {
  /**
   * A request message arrived (client-streaming and bidirectional methods).
   * `msg` is a message of the method's request type, lent until the
   * callback returns.
   */
  void (*on_read)(grpc_c_server_ctx *ctx, const ProtobufCMessage *msg,
                  void *user_data);
  /**
   * No request will follow: the client half-closed, or the call ended early
   * (grpc_c_server_ctx_is_cancelled() tells which), or a request could not
   * be decoded (a handler that then finishes with ::GRPC_C_OK ends the call
   * with ::GRPC_C_RESOURCE_EXHAUSTED when the request exceeded the receive
   * limit, else ::GRPC_C_INTERNAL). The usual place to finish a
   * bidirectional call. Runs at most once, not for server-streaming methods.
   */
  void (*on_read_done)(grpc_c_server_ctx *ctx, void *user_data);
  /**
   * The call was cancelled (by the client, its deadline or shutdown), so
   * the client sees no status from the handler. Writes fail from now on;
   * the call must still be finished (finishing twice is harmless: the
   * second grpc_c_server_ctx_finish() returns ::GRPC_C_ESTATE). Runs at most
   * once, possibly after the handler finished the call.
   */
  void (*on_cancel)(grpc_c_server_ctx *ctx, void *user_data);
  /**
   * The call is over: it was finished, the status went out (or the call
   * was cancelled) and no callback is pending. The last callback; `ctx` is
   * invalid after it returns, so free `user_data` here. Runs on a poller,
   * or on the thread calling grpc_c_server_ctx_finish() when the call
   * could end right there.
   */
  void (*on_done)(grpc_c_server_ctx *ctx, void *user_data);
} grpc_c_stream_reactor;

/**
 * From a handler of a method marked with grpc_c_server_set_nonblocking():
 * keeps the call open after the handler returns (its return value is then
 * ignored) and delivers its events to `reactor`. Reading starts when the
 * handler returns; it pauses while many responses are waiting to be sent
 * and resumes as they go out. Responses are queued with
 * grpc_c_server_ctx_write() from any thread, and the call ends when
 * grpc_c_server_ctx_finish() is called from any thread, exactly once,
 * sending the queued responses first and then the status (the last
 * response and the status travel together).
 * Threads: inside the handler, on its thread (a poller). The callbacks run on
 * pollers; on_done also on a thread that calls grpc_c_server_ctx_finish().
 *
 * @param reactor   borrowed until on_done has returned.
 * @param user_data passed to every callback; not touched.
 * @return 0, ::GRPC_C_EINVAL (NULL argument, or not a non-blocking streaming
 *         handler), ::GRPC_C_ESTATE (not inside the handler, or called
 *         twice).
 */
int grpc_c_server_ctx_react(grpc_c_server_ctx *ctx,
                            const grpc_c_stream_reactor *reactor,
                            void *user_data);

/**
 * grpc_c_server_ctx_react() for generated code: `thunks` (static callbacks
 * generated per method) receive the call's events and forward them to
 * `table`, the application's typed reactor of that method (such as
 * `Helloworld__Greeter__BidiHello_Reactor`), which they read back with
 * grpc_c_server_ctx_reactor_table(). Applications call the generated
 * `<service>__<method>__server_react()` instead.
 * Threads: as grpc_c_server_ctx_react().
 *
 * @param thunks borrowed until on_done has returned; static in practice.
 * @param table  borrowed until on_done has returned; not touched.
 * @param user_data passed to every callback; not touched.
 * @return as grpc_c_server_ctx_react(); ::GRPC_C_EINVAL also for a NULL
 *         `table`.
 */
int grpc_c_server_ctx_react_with_table(grpc_c_server_ctx *ctx,
                                       const grpc_c_stream_reactor *thunks,
                                       const void *table, void *user_data);

/**
 * The `table` given to grpc_c_server_ctx_react_with_table() for this call;
 * NULL for a call without one (or a NULL `ctx`).
 * Threads: any thread while the call lasts.
 */
const void *grpc_c_server_ctx_reactor_table(const grpc_c_server_ctx *ctx);

/**
 * Ends a deferred call with `code` (and the message set with
 * grpc_c_server_ctx_fail(), if any), sending the response when `code` is
 * ::GRPC_C_OK. The context is invalid afterwards, except for a
 * call with a reactor (grpc_c_server_ctx_react()), whose context stays
 * valid until its on_done callback has returned.
 * Threads: any thread, callbacks included. It waits for the status to go out
 * only for a deferred client-streaming call of a blocking method.
 * @return 0, ::GRPC_C_EINVAL, ::GRPC_C_ESTATE (not deferred, or finished
 *         already).
 */
int grpc_c_server_ctx_finish(grpc_c_server_ctx *ctx, grpc_c_code code);

/**
 * Receives one request message in a client-streaming or bidirectional
 * handler. Blocks. Always false for methods marked with
 * grpc_c_server_set_nonblocking(), whose messages arrive through
 * grpc_c_stream_reactor::on_read.
 * Threads: the handler's thread, while it runs.
 * @param[out] msg receives a message lent until the next read or the end of
 *                 the handler; NULL when false is returned.
 * @return true with a message; false when the client half-closed, or the call
 *         was cancelled, or the message could not be decoded (a handler
 *         that then returns ::GRPC_C_OK ends the call with
 *         ::GRPC_C_RESOURCE_EXHAUSTED when the request exceeded the receive
 *         limit, else ::GRPC_C_INTERNAL).
 */
bool grpc_c_server_ctx_read(grpc_c_server_ctx *ctx, ProtobufCMessage **msg);

/**
 * Sends one response message in a server-streaming or bidirectional
 * handler. Blocks until the transport takes it (flow control). For methods
 * marked with grpc_c_server_set_nonblocking() it never blocks: the message
 * is encoded and queued, from any thread, and goes out in order; several
 * queued responses leave in one write.
 * Threads: the handler's thread while it runs; for a non-blocking method, any
 * thread until on_done.
 * @param msg borrowed for the duration of this function.
 * @return true when sent (queued); false when the call is over (cancelled,
 *         deadline passed, client gone, or finished) or out of memory.
 */
bool grpc_c_server_ctx_write(grpc_c_server_ctx *ctx,
                             const ProtobufCMessage *msg);

/**
 * Like grpc_c_server_ctx_write() with per-message `flags`, a bitwise OR of
 * ::grpc_c_write_flag values. A typed server stream handle
 * (`Svc__M_ServerStream *`) is the call's `grpc_c_server_ctx *`.
 * Threads: as grpc_c_server_ctx_write().
 * @return as grpc_c_server_ctx_write(); false for unknown flags.
 */
bool grpc_c_server_ctx_write_flags(grpc_c_server_ctx *ctx,
                                   const ProtobufCMessage *msg, unsigned flags);

#ifdef __cplusplus
}
#endif

#endif /* GRPC_C_SERVER_H */
