/**
 * @file grpc-c/channel.h
 * @brief Client channels: a connection (or set of connections) to a target.
 *
 * A channel is created once and shared: every function that takes a channel
 * is safe to call from any number of threads at once. Calls made on a
 * channel must end (finish or callback) before the channel is destroyed.
 */
#ifndef GRPC_C_CHANNEL_H
#define GRPC_C_CHANNEL_H

#include <grpc-c/status.h>
#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A client channel. Opaque; create with grpc_c_channel_create(). */
typedef struct grpc_c_channel grpc_c_channel;

/** Options for grpc_c_channel_create(). Opaque; setters grow the set. */
typedef struct grpc_c_channel_options grpc_c_channel_options;

/**
 * Creates an empty options object.
 * Threads: any thread.
 * @param[out] out receives the object, owned by the caller, freed with
 *                 grpc_c_channel_options_free().
 * @return 0, ::GRPC_C_EINVAL if `out` is NULL, ::GRPC_C_ENOMEM.
 */
int grpc_c_channel_options_new(grpc_c_channel_options **out);

/**
 * Frees an options object. Accepts NULL.
 * Threads: any thread, once no other thread uses `opts`.
 */
void grpc_c_channel_options_free(grpc_c_channel_options *opts);

/**
 * Largest message this channel accepts from servers, in bytes (default
 * 4 MiB, as in every gRPC implementation); -1 means unlimited. A larger
 * message ends the call with ::GRPC_C_RESOURCE_EXHAUSTED.
 * Threads: one thread at a time per `opts`.
 * @return 0, ::GRPC_C_EINVAL (NULL `opts`, `bytes` below -1) or
 *         ::GRPC_C_ENOMEM.
 */
int grpc_c_channel_options_set_max_receive_message_size(
    grpc_c_channel_options *opts, int bytes);

/**
 * Largest message this channel sends, in bytes (default unlimited, -1).
 * Threads: one thread at a time per `opts`.
 * @return 0, ::GRPC_C_EINVAL (NULL `opts`, `bytes` below -1) or
 *         ::GRPC_C_ENOMEM.
 */
int grpc_c_channel_options_set_max_send_message_size(
    grpc_c_channel_options *opts, int bytes);

/**
 * Sets a raw gRPC core channel argument with an integer value, such as
 * "grpc.keepalive_time_ms". The key is copied. It wins over the runtime's
 * default "grpc.enable_channelz" 0 (channelz is off unless turned on here).
 * Threads: one thread at a time per `opts`.
 * @return 0, ::GRPC_C_EINVAL, ::GRPC_C_ENOMEM.
 */
int grpc_c_channel_options_set_int(grpc_c_channel_options *opts,
                                   const char *key, int value);

/**
 * Sets a raw gRPC core channel argument with a string value, such as
 * "grpc.primary_user_agent". Key and value are copied. A key the runtime
 * sets itself is replaced, not combined: "grpc.primary_user_agent" drops
 * the runtime's "grpc-c/<version>" part, which
 * grpc_c_channel_options_set_user_agent_prefix() keeps.
 * Threads: one thread at a time per `opts`.
 * @return 0, ::GRPC_C_EINVAL, ::GRPC_C_ENOMEM.
 */
int grpc_c_channel_options_set_string(grpc_c_channel_options *opts,
                                      const char *key, const char *value);

/**
 * Default timeout for calls on this channel whose options set none, in
 * milliseconds; negative for none (the default).
 * Threads: one thread at a time per `opts`.
 * @return 0 or ::GRPC_C_EINVAL.
 */
int grpc_c_channel_options_set_default_timeout_ms(grpc_c_channel_options *opts,
                                                  int64_t timeout_ms);

/**
 * Keepalive: send an HTTP/2 PING after `time_ms` without activity and drop
 * the connection when no answer comes within `timeout_ms`;
 * `permit_without_calls` pings even when no call is open. Servers limit how
 * often they accept pings (5 minutes by default in most stacks).
 * Threads: one thread at a time per `opts`.
 * @return 0, ::GRPC_C_EINVAL (time_ms < 1 or timeout_ms < 1), ::GRPC_C_ENOMEM.
 */
int grpc_c_channel_options_set_keepalive(grpc_c_channel_options *opts,
                                         int time_ms, int timeout_ms,
                                         bool permit_without_calls);

/**
 * Overrides the :authority (virtual host) sent on calls, which is the
 * target's host by default. Copied.
 * Threads: one thread at a time per `opts`.
 * @return 0, ::GRPC_C_EINVAL, ::GRPC_C_ENOMEM.
 */
int grpc_c_channel_options_set_authority(grpc_c_channel_options *opts,
                                         const char *authority);

/**
 * Puts `prefix` in front of the user-agent ("prefix grpc-c/0.1.0 grpc-c/...").
 * Copied.
 * Threads: one thread at a time per `opts`.
 * @return 0, ::GRPC_C_EINVAL, ::GRPC_C_ENOMEM.
 */
int grpc_c_channel_options_set_user_agent_prefix(grpc_c_channel_options *opts,
                                                 const char *prefix);

/**
 * Sets the service config as JSON: load balancing policy (for example
 * `{"loadBalancingConfig":[{"round_robin":{}}]}` with a target such as
 * "ipv4:127.0.0.1:5000,127.0.0.1:5001"), retry policy and per-method
 * timeouts. Copied. Invalid JSON does not make grpc_c_channel_create()
 * fail: every call on such a channel ends with ::GRPC_C_INVALID_ARGUMENT.
 * Threads: one thread at a time per `opts`.
 * @return 0, ::GRPC_C_EINVAL, ::GRPC_C_ENOMEM.
 */
int grpc_c_channel_options_set_service_config(grpc_c_channel_options *opts,
                                              const char *json);

/**
 * Default compression of the messages calls on this channel send.
 * Threads: one thread at a time per `opts`.
 * @return 0, ::GRPC_C_EINVAL, ::GRPC_C_ENOMEM.
 */
int grpc_c_channel_options_set_compression(grpc_c_channel_options *opts,
                                           grpc_c_compression algorithm);

/**
 * Creates a channel to `target`, for example "127.0.0.1:50051",
 * "dns:///example.com:443" or "unix:/run/app.sock". Connecting is lazy: the
 * first call connects, and an unreachable target shows up as
 * ::GRPC_C_UNAVAILABLE on calls, never here. Plaintext unless `opts` asks
 * for TLS (grpc_c_channel_options_set_tls(), see grpc-c/security.h).
 * Threads: any thread; `opts` may be shared while no thread changes it.
 *
 * @param[out] out  receives the channel, owned by the caller, destroyed with
 *                  grpc_c_channel_destroy().
 * @param target    gRPC target string; copied.
 * @param opts      options or NULL; read during the call only.
 * @return 0, ::GRPC_C_EINVAL (NULL `out` or `target`), ::GRPC_C_ENOMEM,
 *         ::GRPC_C_ECORE (the core refused the channel or its TLS
 *         credentials). `*out` is NULL on failure.
 */
int grpc_c_channel_create(grpc_c_channel **out, const char *target,
                          const grpc_c_channel_options *opts);

/**
 * Destroys a channel. Every call on it must have ended: blocking calls
 * returned, streams finished, asynchronous callbacks run. Accepts NULL.
 * Threads: any thread but the channel's async thread (its callbacks), once no
 * other thread uses the channel.
 */
void grpc_c_channel_destroy(grpc_c_channel *channel);

/** Connectivity states of a channel; the values are the core's. */
typedef enum grpc_c_connectivity_state {
  GRPC_C_CHANNEL_IDLE = 0,              /**< no connection, none wanted */
  GRPC_C_CHANNEL_CONNECTING = 1,        /**< connecting */
  GRPC_C_CHANNEL_READY = 2,             /**< connected */
  GRPC_C_CHANNEL_TRANSIENT_FAILURE = 3, /**< failed; will retry */
  GRPC_C_CHANNEL_SHUTDOWN = 4           /**< destroyed */
} grpc_c_connectivity_state;

/**
 * The state's name, such as "READY"; a static string.
 * Threads: any thread.
 */
const char *grpc_c_connectivity_state_name(grpc_c_connectivity_state state);

/**
 * The channel's current state. With `try_to_connect`, an idle channel starts
 * connecting.
 * Threads: any thread.
 * @return the state; ::GRPC_C_CHANNEL_SHUTDOWN for NULL.
 */
grpc_c_connectivity_state grpc_c_channel_state(grpc_c_channel *channel,
                                               bool try_to_connect);

/**
 * Blocks until the channel's state differs from `last_observed` or
 * `timeout_ms` passes.
 * Threads: any thread; blocks it.
 * @return true when the state changed (read it with grpc_c_channel_state()),
 *         false on timeout, a NULL channel or when out of memory.
 */
bool grpc_c_channel_wait_for_state_change(
    grpc_c_channel *channel, grpc_c_connectivity_state last_observed,
    int64_t timeout_ms);

/**
 * The target string the channel was created with, owned by the channel and
 * valid while it lives; NULL for a NULL channel.
 * Threads: any thread.
 */
const char *grpc_c_channel_target(const grpc_c_channel *channel);

#ifdef __cplusplus
}
#endif

#endif /* GRPC_C_CHANNEL_H */
