/* Every use of gRPC core behaviour beyond what its public API promises, in
 * one place, each with a fallback on the public API alone.
 *
 * - The completion queue's thread-local cache
 *   (grpc_completion_queue_thread_local_cache_init/_flush): declared in
 *   grpc.h, but what it catches (the completion of a batch started on this
 *   thread, kept from the queue) is the core's behaviour, verified on the
 *   versions below. Reactor streams use it to learn whether a read found
 *   its message waiting (to batch replies) and to handle completions
 *   without a trip through the queue. Fallback: every completion goes
 *   through the queue (correct, slower when pipelining).
 * - Byte buffer internals: packing into a reused buffer's own slices,
 *   releasing a buffer without a core execution context, and reading a
 *   received buffer's slices and compression field (requests the core
 *   leaves compressed, which codec.c inflates within the receive limit).
 *   Fallback: grpc_raw_byte_buffer_create(), grpc_byte_buffer_destroy(),
 *   grpc_byte_buffer_length() and the reader; servers then turn the core's
 *   decompression back on (server.c), so nothing arrives compressed.
 * - Tag bits: server queue tags are slot addresses plus an event number in
 *   the low bits. That rests on our allocation (slots are malloc'd, so
 *   aligned to at least 8), not on the core, which returns tags untouched:
 *   no fallback is needed.
 *
 * gc_fence_verified() is true on the core versions listed here, unless
 * GRPC_C_CORE_PUBLIC_API=1 is set in the environment (tests run both). */
#include <grpc/slice_buffer.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

_Static_assert(_Alignof(max_align_t) >= 8,
               "server queue tags need three free low bits in slot addresses");

/* Core versions (grpc_version_string()) the internals were verified on:
 * Debian 12's gRPC 1.51 (core 29). */
static const char *const verified_versions[] = {"29.0.0"};

static bool fence_verified;
static pthread_once_t fence_once = PTHREAD_ONCE_INIT;

static void fence_decide(void) {
  const char *force = getenv("GRPC_C_CORE_PUBLIC_API");
  if (force && strcmp(force, "1") == 0) {
    gc_log(GRPC_C_LOG_DEBUG, "core internals off: GRPC_C_CORE_PUBLIC_API=1");
    return;
  }
  const char *version = grpc_version_string();
  for (size_t i = 0; i < sizeof verified_versions / sizeof *verified_versions;
       i++)
    if (strcmp(version, verified_versions[i]) == 0) fence_verified = true;
  if (!fence_verified)
    gc_log(GRPC_C_LOG_INFO,
           "gRPC core %s is not one grpc-c was verified on: using its "
           "public API only",
           version);
}

bool gc_fence_verified(void) {
  pthread_once(&fence_once, fence_decide);
  return fence_verified;
}

/* ---- tags ---- */

void gc_tag_split(void *tag, grpc_c_server_ctx **ctx, int *kind) {
  *kind = (int)((uintptr_t)tag & GC_TAG_MASK);
  *ctx = (grpc_c_server_ctx *)((char *)tag - *kind);
}

/* ---- completions caught in the completion-queue cache ---- */

/* Completions the core delivers into this thread's cache while a batch is
 * started are handled after the poller's current event, never nested
 * inside the stream code that started the batch. */
typedef struct gc_stashed {
  void *tag;
  bool ok;
} gc_stashed;

/* initial-exec: read on every event, and a plain offset from the thread
 * pointer is much cheaper than a __tls_get_addr call in a shared library. */
static _Thread_local __attribute__((tls_model("initial-exec"))) struct {
  gc_stashed *items;
  size_t count, capacity;
  gc_dispatch_fn dispatch; /* set on pollers: they may use the cache */
  void *dispatch_arg;
} tls_events;

void gc_events_poller_thread(gc_dispatch_fn dispatch, void *arg) {
  if (!gc_fence_verified()) return; /* the cache stays unused */
  tls_events.dispatch = dispatch;
  tls_events.dispatch_arg = arg;
}

void gc_events_drain(void) {
  /* Events stashed while draining are appended and handled in this loop;
   * the array is kept for the next round. */
  for (size_t i = 0; i < tls_events.count; i++) {
    gc_stashed e = tls_events.items[i];
    tls_events.dispatch(tls_events.dispatch_arg, e.tag, e.ok);
  }
  tls_events.count = 0;
}

void gc_events_poller_exit(void) {
  free(tls_events.items);
  tls_events.items = NULL;
  tls_events.count = tls_events.capacity = 0;
  tls_events.dispatch = NULL;
}

static void stash_event(void *tag, bool ok) {
  if (tls_events.count == tls_events.capacity) {
    size_t capacity = tls_events.capacity ? tls_events.capacity * 2 : 8;
    gc_stashed *items =
        realloc(tls_events.items, capacity * sizeof *tls_events.items);
    if (!items) {
      /* Cannot defer it: handle it now rather than lose it. */
      gc_log(GRPC_C_LOG_ERROR, "out of memory deferring a stream event");
      tls_events.dispatch(tls_events.dispatch_arg, tag, ok);
      return;
    }
    tls_events.items = items;
    tls_events.capacity = capacity;
  }
  tls_events.items[tls_events.count++] = (gc_stashed){tag, ok};
}

grpc_call_error gc_start_batch_cached(grpc_call *call,
                                      grpc_completion_queue *cq,
                                      const grpc_op *ops, size_t n, void *tag,
                                      bool *completed, bool *ok) {
  *completed = false;
  if (!tls_events.dispatch)
    return grpc_call_start_batch(call, ops, n, tag, NULL);
  grpc_completion_queue_thread_local_cache_init(cq);
  grpc_call_error err = grpc_call_start_batch(call, ops, n, tag, NULL);
  void *got = NULL;
  int got_ok = 0;
  if (grpc_completion_queue_thread_local_cache_flush(cq, &got, &got_ok)) {
    if (got == tag) {
      *completed = true;
      *ok = got_ok != 0;
    } else {
      stash_event(got, got_ok != 0);
    }
  }
  return err;
}

/* ---- byte buffers ---- */

grpc_byte_buffer *gc_pack_into(const ProtobufCMessage *msg,
                               grpc_byte_buffer *reuse) {
  size_t size = protobuf_c_message_get_packed_size(msg);
  if (!gc_fence_verified()) {
    /* Public API: a new buffer each time. */
    if (reuse) grpc_byte_buffer_destroy(reuse);
    grpc_slice slice = grpc_slice_malloc(size);
    protobuf_c_message_pack(msg, GRPC_SLICE_START_PTR(slice));
    grpc_byte_buffer *buffer = grpc_raw_byte_buffer_create(&slice, 1);
    grpc_slice_unref(slice);
    return buffer;
  }
  grpc_byte_buffer *buffer = reuse;
  if (size <= GRPC_SLICE_INLINED_SIZE) {
    /* Small: packed straight into the buffer's own inline slice. */
    if (!buffer) buffer = grpc_raw_byte_buffer_create(NULL, 0);
    if (!buffer) return NULL;
    protobuf_c_message_pack(
        msg, grpc_slice_buffer_tiny_add(&buffer->data.raw.slice_buffer, size));
    return buffer;
  }
  grpc_slice slice = grpc_slice_malloc(size);
  protobuf_c_message_pack(msg, GRPC_SLICE_START_PTR(slice));
  if (buffer) {
    grpc_slice_buffer_add(&buffer->data.raw.slice_buffer, slice); /* owns it */
    return buffer;
  }
  buffer = grpc_raw_byte_buffer_create(&slice, 1);
  grpc_slice_unref(slice);
  return buffer;
}

void gc_buffer_empty(grpc_byte_buffer *buffer) {
  /* Public API: nothing to do, gc_pack_into() replaces the buffer. */
  if (!gc_fence_verified()) return;
  /* The core moves a sent message's slices out when the batch starts, so
   * there is usually nothing to release. */
  if (buffer->data.raw.slice_buffer.count)
    grpc_slice_buffer_reset_and_unref(&buffer->data.raw.slice_buffer);
  buffer->data.raw.compression = GRPC_COMPRESS_NONE;
}

void gc_buffer_free(grpc_byte_buffer *buffer) {
  if (!buffer) return;
  if (!gc_fence_verified()) {
    grpc_byte_buffer_destroy(buffer);
    return;
  }
  /* grpc_byte_buffer_destroy() sets up a core execution context, which
   * costs more than the release: release the slices through the public
   * slice API and the struct, which the core allocates with gpr_malloc(). */
  grpc_slice_buffer_destroy(&buffer->data.raw.slice_buffer);
  gpr_free(buffer);
}

void gc_buffer_look(grpc_byte_buffer *buffer, gc_buffer_view *view) {
  if (!gc_fence_verified()) {
    /* Public API: the core inflates (its filter is on), and the bytes are
     * read through a reader. */
    view->length = grpc_byte_buffer_length(buffer);
    view->compression = GRPC_COMPRESS_NONE;
    view->single = NULL;
    return;
  }
  /* Raw is the only kind of byte buffer the core makes. */
  const grpc_slice_buffer *slices = &buffer->data.raw.slice_buffer;
  view->length = slices->length;
  view->compression = buffer->data.raw.compression;
  view->single = slices->count == 1 ? &slices->slices[0] : NULL;
}
