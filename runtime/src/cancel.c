/* Cancellation sources: a set of running calls that one call to
 * grpc_c_cancel_source_cancel() cancels, from any thread. */
#include <stdlib.h>

#include "internal.h"

struct grpc_c_cancel_source {
  pthread_mutex_t mu;
  bool cancelled;
  grpc_call **calls;
  size_t count;
  size_t capacity;
};

int grpc_c_cancel_source_new(grpc_c_cancel_source **out) {
  if (!out) return GRPC_C_EINVAL;
  *out = calloc(1, sizeof **out);
  if (!*out) return GRPC_C_ENOMEM;
  pthread_mutex_init(&(*out)->mu, NULL);
  return 0;
}

void grpc_c_cancel_source_cancel(grpc_c_cancel_source *source) {
  if (!source) return;
  pthread_mutex_lock(&source->mu);
  source->cancelled = true;
  /* Under the lock: a call detaches (under the same lock) before its owner
   * drops its reference, so every call here is still alive. */
  for (size_t i = 0; i < source->count; i++)
    grpc_call_cancel(source->calls[i], NULL);
  pthread_mutex_unlock(&source->mu);
}

bool grpc_c_cancel_source_is_cancelled(grpc_c_cancel_source *source) {
  if (!source) return false;
  pthread_mutex_lock(&source->mu);
  bool cancelled = source->cancelled;
  pthread_mutex_unlock(&source->mu);
  return cancelled;
}

void grpc_c_cancel_source_free(grpc_c_cancel_source *source) {
  if (!source) return;
  pthread_mutex_destroy(&source->mu);
  free(source->calls);
  free(source);
}

void gc_cancel_attach(grpc_c_cancel_source *source, grpc_call *call) {
  if (!source || !call) return;
  pthread_mutex_lock(&source->mu);
  bool added = false;
  if (!source->cancelled) {
    if (source->count == source->capacity) {
      size_t capacity = source->capacity ? source->capacity * 2 : 4;
      grpc_call **calls = realloc(source->calls, capacity * sizeof *calls);
      if (calls) {
        source->calls = calls;
        source->capacity = capacity;
      }
    }
    if (source->count < source->capacity) {
      source->calls[source->count++] = call;
      added = true;
    }
  }
  /* Already cancelled (or no room to track it): the call ends now. */
  if (!added) grpc_call_cancel(call, NULL);
  pthread_mutex_unlock(&source->mu);
}

void gc_cancel_detach(grpc_c_cancel_source *source, grpc_call *call) {
  if (!source || !call) return;
  pthread_mutex_lock(&source->mu);
  for (size_t i = 0; i < source->count; i++) {
    if (source->calls[i] == call) {
      source->calls[i] = source->calls[--source->count];
      break;
    }
  }
  pthread_mutex_unlock(&source->mu);
}
