/**
 * @file grpc-c/reflection.h
 * @brief Server reflection: `grpc.reflection.v1.ServerReflection` and
 *        `grpc.reflection.v1alpha.ServerReflection`, which grpcurl, grpcui,
 *        Postman and Kreya ask to list a server's services and fetch the
 *        descriptors they need to build requests.
 *
 * The descriptors come from the generated code: protoc-gen-grpc-c embeds
 * each file's serialized FileDescriptorProto and links it to its imports'
 * (see ::grpc_c_file_descriptor in method.h). A server with reflection
 * enabled describes every service registered on it, the files that declare
 * them and everything those files import, plus any file added with
 * grpc_c_server_add_reflection_file().
 *
 * Answers: `list_services` names every registered service whose file has
 * descriptors (the health and reflection services included; services
 * generated with `reflection=off` are left out); `file_by_filename` and
 * `file_containing_symbol` send the file asked for first, then those of its
 * transitive imports not sent on the same stream yet;
 * `file_containing_extension` and `all_extension_numbers_of_type` answer
 * from the extensions the known files declare. Anything unknown gets an
 * `error_response` with ::GRPC_C_NOT_FOUND, a malformed request one with
 * ::GRPC_C_INVALID_ARGUMENT; the stream stays open either way.
 */
#ifndef GRPC_C_REFLECTION_H
#define GRPC_C_REFLECTION_H

#include <grpc-c/method.h>
#include <grpc-c/server.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Serves both reflection services on `server`. Services registered later
 * (before start) are described too.
 * Threads: one thread at a time with the other set-up calls, before start.
 * @return 0 (also when enabled already), ::GRPC_C_EINVAL, ::GRPC_C_ESTATE
 *         (started already), ::GRPC_C_EEXIST (the application registered one
 *         of the reflection services itself), ::GRPC_C_ENOMEM.
 */
int grpc_c_server_enable_reflection(grpc_c_server *server);

/**
 * Makes reflection describe `file` (and its imports) as well, for types that
 * no registered service mentions, such as those packed in
 * `google.protobuf.Any`. Pass the generated `grpc_c_file__<escaped path>`.
 * Threads: one thread at a time with the other set-up calls, before start.
 * @param file static storage (generated); not copied.
 * @return 0 (also when added already), ::GRPC_C_EINVAL, ::GRPC_C_ESTATE
 *         (started already, or reflection not enabled), ::GRPC_C_ENOMEM.
 */
int grpc_c_server_add_reflection_file(grpc_c_server *server,
                                      const grpc_c_file_descriptor *file);

#ifdef __cplusplus
}
#endif

#endif /* GRPC_C_REFLECTION_H */
