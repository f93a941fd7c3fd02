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
#include <stddef.h>
#include <stdint.h>

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

/** An extension field a file declares: which message it extends, and the
 *  field number it takes there. */
typedef struct grpc_c_extension_ref {
  /** Full proto name of the extended message, such as
   *  "google.protobuf.FieldOptions". */
  const char *extendee;
  /** The extension's field number. */
  int32_t number;
  /** Full proto name of the extension field itself. */
  const char *name;
} grpc_c_extension_ref;

/**
 * One .proto file, as server reflection describes it: its serialized
 * `google.protobuf.FileDescriptorProto` (without source locations), the
 * files it imports, and the full names of everything it defines.
 *
 * protoc-gen-grpc-c emits one per generated file as
 * `grpc_c_file__<escaped path>`: the proto path with every byte outside
 * `[A-Za-z0-9]` written as `_` and two lowercase hex digits, so
 * `google/protobuf/empty.proto` becomes
 * `grpc_c_file__google_2fprotobuf_2fempty_2eproto`. A file's `dependencies`
 * point at its imports' structures by those names, so the .grpc-c.c of every
 * imported file must be linked too (add_grpc_c_service() does it for its
 * PROTOS; libgrpc-c-wkt carries the well-known types').
 *
 * With the plugin option `reflection=off` the structure is still emitted
 * (importers link against it) but `descriptor` is NULL and the symbol and
 * extension lists are empty: reflection then names such a file's services
 * but describes nothing in it.
 */
typedef struct grpc_c_file_descriptor {
  /** The proto path, as imports name it: "helloworld.proto",
   *  "google/protobuf/empty.proto". */
  const char *name;
  /** The proto package, "" for none. */
  const char *package;
  /** The serialized FileDescriptorProto; NULL when left out. */
  const uint8_t *descriptor;
  /** Its size in bytes; 0 when left out. */
  size_t descriptor_size;
  /** Number of entries in `dependencies`. */
  size_t dependency_count;
  /** The imported files, in the order of the file's imports; NULL when
   *  there are none. */
  const struct grpc_c_file_descriptor *const *dependencies;
  /** Number of entries in `symbols`. */
  size_t symbol_count;
  /**
   * Full names of every symbol the file defines, sorted by strcmp():
   * services, their methods ("pkg.Service.Method"), messages and nested
   * messages, their fields and oneofs, enums, enum values (in the scope
   * protobuf puts them: beside the enum, "pkg.VALUE"), and extensions.
   * NULL when there are none.
   */
  const char *const *symbols;
  /** Number of entries in `extensions`. */
  size_t extension_count;
  /** The extensions the file declares, those at the top level first, then
   *  those nested in messages; NULL when none. */
  const grpc_c_extension_ref *extensions;
} grpc_c_file_descriptor;

/** One service: its methods in proto order. */
typedef struct grpc_c_service {
  /** Full proto name of the service, such as "helloworld.Greeter". */
  const char *name;
  /** Number of entries in `methods`. */
  size_t method_count;
  /** The methods, in the order they are declared in the proto file. */
  const grpc_c_method *const *methods;
  /** The file that declares the service, for server reflection; NULL in
   *  code that has none. */
  const grpc_c_file_descriptor *file;
} grpc_c_service;

#ifdef __cplusplus
}
#endif

#endif /* GRPC_C_METHOD_H */
