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
 * @param[out] out receives the object, owned by the caller, freed with
 *                 grpc_c_channel_options_free().
 * @return 0, ::GRPC_C_EINVAL if `out` is NULL, ::GRPC_C_ENOMEM.
 */
int grpc_c_channel_options_new(grpc_c_channel_options **out);

/** Frees an options object. Accepts NULL. */
void grpc_c_channel_options_free(grpc_c_channel_options *opts);

/**
 * Largest message this channel accepts from servers, in bytes (default
 * 4 MiB, as in every gRPC implementation); -1 means unlimited. A larger
 * message ends the call with ::GRPC_C_RESOURCE_EXHAUSTED.
 * @return 0 or ::GRPC_C_EINVAL.
 */
int grpc_c_channel_options_set_max_receive_message_size(
    grpc_c_channel_options *opts, int bytes);

/**
 * Largest message this channel sends, in bytes (default unlimited, -1).
 * @return 0 or ::GRPC_C_EINVAL.
 */
int grpc_c_channel_options_set_max_send_message_size(
    grpc_c_channel_options *opts, int bytes);

/**
 * Sets a raw gRPC core channel argument with an integer value, such as
 * "grpc.keepalive_time_ms". The key is copied.
 * @return 0, ::GRPC_C_EINVAL, ::GRPC_C_ENOMEM.
 */
int grpc_c_channel_options_set_int(grpc_c_channel_options *opts,
                                   const char *key, int value);

/**
 * Sets a raw gRPC core channel argument with a string value, such as
 * "grpc.primary_user_agent". Key and value are copied.
 * @return 0, ::GRPC_C_EINVAL, ::GRPC_C_ENOMEM.
 */
int grpc_c_channel_options_set_string(grpc_c_channel_options *opts,
                                      const char *key, const char *value);

/**
 * Creates a plaintext channel to `target`, for example "127.0.0.1:50051",
 * "dns:///example.com:443" or "unix:/run/app.sock". Connecting is lazy: the
 * first call connects, and an unreachable target shows up as
 * ::GRPC_C_UNAVAILABLE on calls, never here.
 *
 * @param[out] out  receives the channel, owned by the caller, destroyed with
 *                  grpc_c_channel_destroy().
 * @param target    gRPC target string; copied.
 * @param opts      options or NULL; read during the call only.
 * @return 0, ::GRPC_C_EINVAL (NULL `out` or `target`), ::GRPC_C_ENOMEM,
 *         ::GRPC_C_ECORE.
 */
int grpc_c_channel_create(grpc_c_channel **out, const char *target,
                          const grpc_c_channel_options *opts);

/**
 * Destroys a channel. Every call on it must have ended: blocking calls
 * returned, streams finished, asynchronous callbacks run. Accepts NULL.
 * Must not be called from an asynchronous callback of the same channel.
 */
void grpc_c_channel_destroy(grpc_c_channel *channel);

/** The target string the channel was created with; valid while it lives. */
const char *grpc_c_channel_target(const grpc_c_channel *channel);

#ifdef __cplusplus
}
#endif

#endif /* GRPC_C_CHANNEL_H */
