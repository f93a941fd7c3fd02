/**
 * @file grpc-c/log.h
 * @brief Where the runtime's diagnostic lines go. Silent by default.
 */
#ifndef GRPC_C_LOG_H
#define GRPC_C_LOG_H

#ifdef __cplusplus
extern "C" {
#endif

/** Severity of a log line. */
typedef enum grpc_c_log_level {
  GRPC_C_LOG_DEBUG = 0,
  GRPC_C_LOG_INFO = 1,
  GRPC_C_LOG_WARNING = 2,
  GRPC_C_LOG_ERROR = 3
} grpc_c_log_level;

/**
 * Receives one log line; must be thread-safe and must not call back into
 * grpc-c.
 * Threads: runs on the thread that logged: an application thread in a grpc-c
 * function, a server poller or stream worker, a channel's async thread, or
 * a gRPC core thread (the core's own lines, see grpc-c/process.h).
 * @param message borrowed for the duration of the callback.
 */
typedef void (*grpc_c_log_fn)(grpc_c_log_level level, const char *message,
                              void *user_data);

/**
 * Sets the log sink; NULL turns logging off (the default). Lines below
 * `min_level` are dropped.
 * Threads: any thread, before creating channels or servers: a line logged
 * meanwhile may reach the old `fn` with the new `user_data`.
 */
void grpc_c_set_log(grpc_c_log_fn fn, grpc_c_log_level min_level,
                    void *user_data);

/**
 * A ready-made sink that writes "grpc-c LEVEL: message" lines to stderr.
 * Threads: any thread.
 */
void grpc_c_log_to_stderr(grpc_c_log_level level, const char *message,
                          void *user_data);

#ifdef __cplusplus
}
#endif

#endif /* GRPC_C_LOG_H */
