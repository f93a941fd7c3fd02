/**
 * @file grpc-c/metadata.h
 * @brief A received metadata set: the initial or trailing metadata a server
 *        sent on a call.
 *
 * Request metadata is added with grpc_c_call_options_add_metadata() and read
 * by handlers with grpc_c_server_ctx_metadata(); this object is what a
 * client gets back. Pass one to grpc_c_call_options_set_response_metadata()
 * and the runtime fills it when the call delivers that metadata.
 */
#ifndef GRPC_C_METADATA_H
#define GRPC_C_METADATA_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A list of (key, value) entries. Opaque. Not thread-safe. */
typedef struct grpc_c_metadata grpc_c_metadata;

/**
 * Creates an empty set.
 * Threads: any thread.
 * @param[out] out owned by the caller, freed with grpc_c_metadata_free().
 * @return 0, ::GRPC_C_EINVAL, ::GRPC_C_ENOMEM.
 */
int grpc_c_metadata_new(grpc_c_metadata **out);

/**
 * Frees a set. Accepts NULL.
 * Threads: any thread, once no call fills the set and no other thread uses it.
 */
void grpc_c_metadata_free(grpc_c_metadata *md);

/**
 * Removes every entry. Accepts NULL.
 * Threads: one thread at a time per set, not while a call fills it.
 */
void grpc_c_metadata_clear(grpc_c_metadata *md);

/**
 * Number of entries; 0 for NULL.
 * Threads: one thread at a time per set, not while a call fills it.
 */
size_t grpc_c_metadata_count(const grpc_c_metadata *md);

/**
 * The i-th entry, in the order received.
 * Threads: one thread at a time per set, not while a call fills it.
 * @param[out] key   receives the lowercase key (NUL-terminated).
 * @param[out] value receives the value, NUL-terminated for convenience;
 *                   binary ("-bin") values may contain NUL bytes.
 * @param[out] len   NULL or receives the value's length.
 * Pointers stay valid until the set is cleared, refilled or freed.
 * @return false when `i` is out of range (outputs untouched).
 */
bool grpc_c_metadata_entry(const grpc_c_metadata *md, size_t i,
                           const char **key, const char **value, size_t *len);

/**
 * The index-th value of `key` (0 for the first).
 * Threads: one thread at a time per set, not while a call fills it.
 * @return the value (lifetime as above) or NULL when there is none.
 */
const char *grpc_c_metadata_get(const grpc_c_metadata *md, const char *key,
                                size_t index, size_t *len);

#ifdef __cplusplus
}
#endif

#endif /* GRPC_C_METADATA_H */
