/**
 * @file grpc-c/method.h
 * @brief Static descriptions of methods and services, emitted by
 *        protoc-gen-grpc-c and read by the runtime.
 *
 * Application code rarely touches these directly: the generated typed stubs
 * pass them to the generic functions in client.h and server.h. They are
 * plain constant data with static storage, so the runtime may keep pointers
 * to them for the life of the process and use their addresses as keys.
 */
#ifndef GRPC_C_METHOD_H
#define GRPC_C_METHOD_H

#include <grpc-c/status.h>
#include <protobuf-c/protobuf-c.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The four kinds of RPC. */
typedef enum grpc_c_method_kind {
  GRPC_C_METHOD_UNARY = 0,            /**< one request, one response */
  GRPC_C_METHOD_SERVER_STREAMING = 1, /**< one request, a stream of responses */
  GRPC_C_METHOD_CLIENT_STREAMING = 2, /**< a stream of requests, one response */
  GRPC_C_METHOD_BIDI_STREAMING = 3    /**< streams both ways */
} grpc_c_method_kind;

/**
 * Server-side call context; see server.h.
 *
 * Threads: a context is used by one thread at a time, the call's owner: the
 * thread running the auth hook and the handler, while they run; after
 * grpc_c_server_ctx_defer() or grpc_c_server_ctx_react(), whichever thread
 * or callback the application hands the call to, one at a time. Functions
 * documented "any thread" need not be the owner.
 */
typedef struct grpc_c_server_ctx grpc_c_server_ctx;

/**
 * Generated per-method trampoline from the generic runtime into a typed
 * handler of a servicer table.
 * Threads: runs on the handler's thread: a server poller (unary and
 * non-blocking streaming methods) or a stream worker (blocking streaming).
 *
 * @param servicer the servicer table given to grpc_c_server_register().
 * @param self     the user pointer given to grpc_c_server_register().
 * @param ctx      the call; for streaming kinds also the stream handle.
 * @param request  the decoded request for unary and server-streaming methods,
 *                 NULL otherwise. Borrowed for the duration of the handler.
 * @param response an initialised response message for unary and
 *                 client-streaming methods, NULL otherwise. Owned by the
 *                 runtime; see grpc_c_server_ctx_alloc() for the memory its
 *                 fields may point to.
 * @return the status code the handler chose; ::GRPC_C_UNIMPLEMENTED when the
 *         servicer slot is NULL.
 */
typedef grpc_c_code (*grpc_c_invoke_fn)(const void *servicer, void *self,
                                        grpc_c_server_ctx *ctx,
                                        const ProtobufCMessage *request,
                                        ProtobufCMessage *response);

/** One RPC method. */
typedef struct grpc_c_method {
  /** "/" + full proto service name + "/" + method name. */
  const char *path;
  /** The kind of RPC. */
  grpc_c_method_kind kind;
  /** protobuf-c descriptor of the request message. */
  const ProtobufCMessageDescriptor *request_descriptor;
  /** protobuf-c descriptor of the response message. */
  const ProtobufCMessageDescriptor *response_descriptor;
  /** Server-side trampoline into the servicer table. */
  grpc_c_invoke_fn invoke;
} grpc_c_method;

/** One service: its methods in proto order. */
typedef struct grpc_c_service {
  /** Full proto name of the service, such as "helloworld.Greeter". */
  const char *name;
  /** Number of entries in `methods`. */
  size_t method_count;
  /** The methods, in the order they are declared in the proto file. */
  const grpc_c_method *const *methods;
} grpc_c_service;

#ifdef __cplusplus
}
#endif

#endif /* GRPC_C_METHOD_H */
