/**
 * @file grpc-c/status.h
 * @brief gRPC status codes, the call status object, and local error codes.
 *
 * grpc-c keeps two error channels apart:
 *  - the outcome of an RPC is a ::grpc_c_code (plus message and details in a
 *    ::grpc_c_status), exactly as gRPC defines it on the wire;
 *  - misuse of a local function (NULL argument, wrong state, out of memory)
 *    that does not run an RPC returns a negative `int` from ::GRPC_C_ERRORS,
 *    with ::grpc_c_strerror() for a message.
 * RPC functions (calls, stream operations) report local misuse that is found
 * before anything is sent as ::GRPC_C_INVALID_ARGUMENT with a status message
 * that starts with "grpc-c: ", every time, on every RPC function.
 */
#ifndef GRPC_C_STATUS_H
#define GRPC_C_STATUS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** X-macro list of the gRPC status codes: X(NAME, value). */
#define GRPC_C_CODES(X)     \
  X(OK, 0)                  \
  X(CANCELLED, 1)           \
  X(UNKNOWN, 2)             \
  X(INVALID_ARGUMENT, 3)    \
  X(DEADLINE_EXCEEDED, 4)   \
  X(NOT_FOUND, 5)           \
  X(ALREADY_EXISTS, 6)      \
  X(PERMISSION_DENIED, 7)   \
  X(RESOURCE_EXHAUSTED, 8)  \
  X(FAILED_PRECONDITION, 9) \
  X(ABORTED, 10)            \
  X(OUT_OF_RANGE, 11)       \
  X(UNIMPLEMENTED, 12)      \
  X(INTERNAL, 13)           \
  X(UNAVAILABLE, 14)        \
  X(DATA_LOSS, 15)          \
  X(UNAUTHENTICATED, 16)

/**
 * A gRPC status code; the values are the ones on the wire.
 *
 * A client never reports a code outside this list: when a server sends a
 * `grpc-status` outside 0..16, the call ends with ::GRPC_C_UNKNOWN and the
 * status message "grpc-c: the server sent status N: <its message>" (or
 * "grpc-c: the server sent status N" when it sent no message).
 */
typedef enum grpc_c_code {
#define GRPC_C_CODE_ENUM_(name, value) GRPC_C_##name = value,
  GRPC_C_CODES(GRPC_C_CODE_ENUM_)
#undef GRPC_C_CODE_ENUM_
} grpc_c_code;

/**
 * The canonical name of a status code, such as "NOT_FOUND".
 * Threads: any thread.
 * @return a static string; "UNKNOWN_CODE" for a value outside 0..16.
 */
const char *grpc_c_code_name(grpc_c_code code);

/**
 * The full outcome of an RPC.
 *
 * Functions that fill a status take a `grpc_c_status *` that may be NULL when
 * the caller only wants the code. A filled status owns `message` and
 * `details`; release them with grpc_c_status_clear(). Initialise a status with
 * ::GRPC_C_STATUS_INIT before its first use.
 */
typedef struct grpc_c_status {
  /** The status code. */
  grpc_c_code code;
  /** The status message, NUL-terminated UTF-8, or NULL when there is none. */
  char *message;
  /** Binary error details (grpc-status-details-bin, a serialized
   *  google.rpc.Status), or NULL. */
  uint8_t *details;
  /** Length of `details` in bytes. */
  size_t details_len;
} grpc_c_status;

/** Initialiser for an empty ::grpc_c_status. */
#define GRPC_C_STATUS_INIT \
  { GRPC_C_OK, NULL, NULL, 0 }

/**
 * Frees what a status owns and resets it to ::GRPC_C_STATUS_INIT.
 * Accepts NULL. Safe to call on an initialised, never-filled status.
 * Threads: any thread; one at a time per status.
 */
void grpc_c_status_clear(grpc_c_status *status);

/** Message compression algorithms; the values are the core's. */
typedef enum grpc_c_compression {
  GRPC_C_COMPRESS_NONE = 0,    /**< no compression */
  GRPC_C_COMPRESS_DEFLATE = 1, /**< deflate */
  GRPC_C_COMPRESS_GZIP = 2     /**< gzip */
} grpc_c_compression;

/** Flags for one stream write: grpc_c_client_stream_write_flags() and
 *  grpc_c_server_ctx_write_flags(). */
enum grpc_c_write_flag {
  /** Send this message uncompressed even when the call compresses (for
   *  data that is already compressed or must not be, e.g. secrets next to
   *  attacker-controlled data). */
  GRPC_C_WRITE_NO_COMPRESS = 1u << 0
};

/** X-macro list of local error codes: X(NAME, value, message). */
#define GRPC_C_ERRORS(X)                                               \
  X(EINVAL, -1, "invalid argument")                                    \
  X(ENOMEM, -2, "out of memory")                                       \
  X(ESTATE, -3, "operation not allowed in the object's current state") \
  X(EBIND, -4, "cannot listen on the address")                         \
  X(ECORE, -5, "the gRPC core refused the operation")                  \
  X(EEXIST, -6, "already registered")                                  \
  X(ETHREAD, -7, "cannot start a thread")                              \
  X(ESIGNAL, -8, "cannot install the signal handler")                  \
  X(EIO, -9, "cannot read the file")                                   \
  X(ETLS, -10, "invalid TLS certificate, key or CA")

/** Local error codes returned as negative `int` by non-RPC functions. */
enum grpc_c_error {
#define GRPC_C_ERROR_ENUM_(name, value, text) GRPC_C_##name = value,
  GRPC_C_ERRORS(GRPC_C_ERROR_ENUM_)
#undef GRPC_C_ERROR_ENUM_
};

/**
 * A human-readable message for a local error code.
 * Threads: any thread.
 * @return a static string; "success" for 0, "unknown error" for others.
 */
const char *grpc_c_strerror(int err);

/**
 * The symbolic name of a local error code, such as "GRPC_C_EINVAL".
 * Threads: any thread.
 * @return a static string; "GRPC_C_OK" for 0, "GRPC_C_EUNKNOWN" for others.
 */
const char *grpc_c_err_name(int err);

#ifdef __cplusplus
}
#endif

#endif /* GRPC_C_STATUS_H */
