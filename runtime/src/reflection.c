/* Server reflection: grpc.reflection.v1.ServerReflection and its older
 * twin grpc.reflection.v1alpha.ServerReflection, one implementation.
 *
 * The two protocols are the same messages under two package names, so
 * both services decode and encode with the v1 messages; only their method
 * paths and the files that describe them differ. Every stream is a
 * non-blocking reactor call: a request is answered in on_read, on the
 * poller that received it, and the call holds no thread in between.
 *
 * What the server knows comes from generated code: each registered
 * service's grpc_c_file_descriptor, the files it imports, and files the
 * application adds. The first request after start gathers them into one
 * table sorted by file name (the service list is final by then); requests
 * only read that table. */
#include <grpc-c/reflection.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grpc/reflection/v1/reflection.grpc-c.h"
#include "grpc/reflection/v1alpha/reflection.grpc-c.h"
#include "internal.h"

typedef Grpc__Reflection__V1__ServerReflectionRequest request_t;
typedef Grpc__Reflection__V1__ServerReflectionResponse response_t;

/* Longest name an error message quotes; a longer one is cut. */
#define QUOTE_MAX 200

struct gc_reflection {
  grpc_c_server *server;
  const grpc_c_file_descriptor **added; /* grpc_c_server_add_reflection_file */
  size_t added_count;

  pthread_mutex_t mu; /* builds the table once */
  _Atomic bool built; /* the table below is complete and read-only */
  bool build_failed;  /* out of memory: every request answers INTERNAL */
  const grpc_c_file_descriptor **files; /* unique by name, sorted by name */
  size_t file_count;
  const char **services; /* names of the services it can describe */
  size_t service_count;
};

/* One reflection stream: which files it has sent, so that imports go out
 * once per stream, as the protocol allows. */
typedef struct stream_state {
  gc_reflection *reflection;
  const grpc_c_file_descriptor **sent;
  size_t sent_count;
} stream_state;

/* ---- the table ---- */

static int compare_files(const void *a, const void *b) {
  const grpc_c_file_descriptor *const *fa = a, *const *fb = b;
  return strcmp((*fa)->name, (*fb)->name);
}

static int compare_names(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool describes(const grpc_c_file_descriptor *file) {
  return file && file->descriptor && file->descriptor_size;
}

/* Appends `file` and, depth first, what it imports, skipping names seen
 * before (the first file of a name wins). An explicit stack bounds the
 * walk by the number of distinct files, however deep the imports go. */
static bool gather(gc_reflection *r, const grpc_c_file_descriptor *root,
                   size_t *capacity) {
  const grpc_c_file_descriptor **stack = NULL;
  size_t depth = 0, stack_cap = 0;
  bool ok = true;
  const grpc_c_file_descriptor *next = root;
  while (ok && next) {
    const grpc_c_file_descriptor *file = next;
    next = NULL;
    bool seen = !file->name;
    for (size_t i = 0; !seen && i < r->file_count; i++)
      seen = r->files[i] == file || strcmp(r->files[i]->name, file->name) == 0;
    if (!seen) {
      if (r->file_count == *capacity) {
        size_t cap = *capacity ? *capacity * 2 : 16;
        const grpc_c_file_descriptor **files =
            realloc(r->files, cap * sizeof *files);
        if (!files) {
          ok = false;
          break;
        }
        r->files = files;
        *capacity = cap;
      }
      r->files[r->file_count++] = file;
      for (size_t i = file->dependency_count; i-- > 0;) {
        if (!file->dependencies || !file->dependencies[i]) continue;
        if (depth == stack_cap) {
          size_t cap = stack_cap ? stack_cap * 2 : 16;
          const grpc_c_file_descriptor **grown =
              realloc(stack, cap * sizeof *grown);
          if (!grown) {
            ok = false;
            break;
          }
          stack = grown;
          stack_cap = cap;
        }
        stack[depth++] = file->dependencies[i];
      }
    }
    if (depth) next = stack[--depth];
  }
  free(stack);
  return ok;
}

static bool build_table(gc_reflection *r) {
  const grpc_c_service *const *services;
  size_t count = gc_server_services(r->server, &services);
  size_t capacity = 0;
  r->services = calloc(count ? count : 1, sizeof *r->services);
  if (!r->services) return false;
  for (size_t i = 0; i < count; i++) {
    if (!describes(services[i]->file)) continue; /* nothing to show */
    r->services[r->service_count++] = services[i]->name;
    if (!gather(r, services[i]->file, &capacity)) return false;
  }
  for (size_t i = 0; i < r->added_count; i++)
    if (!gather(r, r->added[i], &capacity)) return false;
  if (r->file_count)
    qsort(r->files, r->file_count, sizeof *r->files, compare_files);
  if (r->service_count)
    qsort(r->services, r->service_count, sizeof *r->services, compare_names);
  return true;
}

/* The table, built by the first request; NULL when memory ran out. */
static gc_reflection *table(gc_reflection *r) {
  if (!atomic_load_explicit(&r->built, memory_order_acquire)) {
    pthread_mutex_lock(&r->mu);
    if (!atomic_load_explicit(&r->built, memory_order_relaxed)) {
      r->build_failed = !build_table(r);
      if (r->build_failed)
        gc_log(GRPC_C_LOG_ERROR, "reflection: out of memory");
      atomic_store_explicit(&r->built, true, memory_order_release);
    }
    pthread_mutex_unlock(&r->mu);
  }
  return r->build_failed ? NULL : r;
}

static const grpc_c_file_descriptor *file_by_name(const gc_reflection *r,
                                                  const char *name) {
  size_t lo = 0, hi = r->file_count;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = strcmp(r->files[mid]->name, name);
    if (c == 0) return r->files[mid];
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return NULL;
}

static bool defines(const grpc_c_file_descriptor *file, const char *symbol) {
  if (!file->symbols || !file->symbol_count) return false;
  return bsearch(&symbol, file->symbols, file->symbol_count,
                 sizeof *file->symbols, compare_names) != NULL;
}

static const grpc_c_file_descriptor *file_by_symbol(const gc_reflection *r,
                                                    const char *symbol) {
  /* A leading dot is how descriptors write fully qualified names. */
  if (symbol[0] == '.') symbol++;
  for (size_t i = 0; i < r->file_count; i++)
    if (describes(r->files[i]) && defines(r->files[i], symbol))
      return r->files[i];
  return NULL;
}

static const grpc_c_file_descriptor *file_by_extension(const gc_reflection *r,
                                                       const char *type,
                                                       int32_t number) {
  if (type[0] == '.') type++;
  for (size_t i = 0; i < r->file_count; i++) {
    const grpc_c_file_descriptor *file = r->files[i];
    if (!describes(file) || !file->extensions) continue;
    for (size_t j = 0; j < file->extension_count; j++)
      if (file->extensions[j].number == number &&
          strcmp(file->extensions[j].extendee, type) == 0)
        return file;
  }
  return NULL;
}

/* ---- answers ---- */

static void answer_error(grpc_c_server_ctx *ctx, response_t *response,
                         grpc_c_code code, const char *what, const char *name) {
  char message[QUOTE_MAX + 64];
  size_t len = name ? strlen(name) : 0;
  if (name)
    snprintf(message, sizeof message, "%s: %.*s%s", what,
             (int)(len > QUOTE_MAX ? QUOTE_MAX : len), name,
             len > QUOTE_MAX ? "..." : "");
  else
    snprintf(message, sizeof message, "%s", what);
  Grpc__Reflection__V1__ErrorResponse error =
      GRPC__REFLECTION__V1__ERROR_RESPONSE__INIT;
  error.error_code = (int32_t)code;
  error.error_message = message;
  response->message_response_case =
      GRPC__REFLECTION__V1__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE_ERROR_RESPONSE;
  response->error_response = &error;
  grpc_c_server_ctx_write(ctx, &response->base);
}

static bool sent_before(const stream_state *st,
                        const grpc_c_file_descriptor *file) {
  for (size_t i = 0; i < st->sent_count; i++)
    if (st->sent[i] == file) return true;
  return false;
}

/* Sends `file`, then every file it imports, directly or not, that this
 * stream has not sent yet and that has a descriptor. */
static void answer_file(grpc_c_server_ctx *ctx, stream_state *st,
                        response_t *response,
                        const grpc_c_file_descriptor *file) {
  const gc_reflection *r = st->reflection;
  /* At most every known file once: the requested one and its imports. */
  size_t cap = r->file_count + 1;
  ProtobufCBinaryData *blobs = malloc(cap * sizeof *blobs);
  const grpc_c_file_descriptor **queue = malloc(cap * sizeof *queue);
  if (!st->sent) st->sent = calloc(cap, sizeof *st->sent);
  if (!blobs || !queue || !st->sent) {
    free(blobs);
    free(queue);
    answer_error(ctx, response, GRPC_C_RESOURCE_EXHAUSTED,
                 "reflection: out of memory", NULL);
    return;
  }
  size_t n = 0, head = 0;
  queue[n++] = file;
  while (head < n) {
    const grpc_c_file_descriptor *f = queue[head++];
    for (size_t i = 0; i < f->dependency_count && f->dependencies; i++) {
      const grpc_c_file_descriptor *dep = f->dependencies[i];
      if (!dep || !dep->name) continue;
      /* Imports by name: the table holds one file per name. */
      dep = file_by_name(r, dep->name);
      if (!dep || !describes(dep) || sent_before(st, dep)) continue;
      bool queued = false;
      for (size_t j = 0; j < n && !queued; j++) queued = queue[j] == dep;
      if (!queued && n < cap) queue[n++] = dep;
    }
  }
  size_t blob_count = 0;
  for (size_t i = 0; i < n; i++) {
    blobs[blob_count].data = (uint8_t *)queue[i]->descriptor;
    blobs[blob_count].len = queue[i]->descriptor_size;
    blob_count++;
    if (!sent_before(st, queue[i]) && st->sent_count < r->file_count)
      st->sent[st->sent_count++] = queue[i];
  }
  Grpc__Reflection__V1__FileDescriptorResponse files =
      GRPC__REFLECTION__V1__FILE_DESCRIPTOR_RESPONSE__INIT;
  files.n_file_descriptor_proto = blob_count;
  files.file_descriptor_proto = blobs;
  response->message_response_case =
      GRPC__REFLECTION__V1__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE_FILE_DESCRIPTOR_RESPONSE;
  response->file_descriptor_response = &files;
  grpc_c_server_ctx_write(ctx, &response->base);
  free(blobs);
  free(queue);
}

static void answer_services(grpc_c_server_ctx *ctx, const gc_reflection *r,
                            response_t *response) {
  size_t n = r->service_count;
  Grpc__Reflection__V1__ServiceResponse *items =
      calloc(n ? n : 1, sizeof *items);
  Grpc__Reflection__V1__ServiceResponse **list =
      calloc(n ? n : 1, sizeof *list);
  if (!items || !list) {
    free(items);
    free(list);
    answer_error(ctx, response, GRPC_C_RESOURCE_EXHAUSTED,
                 "reflection: out of memory", NULL);
    return;
  }
  for (size_t i = 0; i < n; i++) {
    Grpc__Reflection__V1__ServiceResponse init =
        GRPC__REFLECTION__V1__SERVICE_RESPONSE__INIT;
    items[i] = init;
    items[i].name = (char *)r->services[i];
    list[i] = &items[i];
  }
  Grpc__Reflection__V1__ListServiceResponse services =
      GRPC__REFLECTION__V1__LIST_SERVICE_RESPONSE__INIT;
  services.n_service = n;
  services.service = list;
  response->message_response_case =
      GRPC__REFLECTION__V1__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE_LIST_SERVICES_RESPONSE;
  response->list_services_response = &services;
  grpc_c_server_ctx_write(ctx, &response->base);
  free(items);
  free(list);
}

static void answer_extension_numbers(grpc_c_server_ctx *ctx,
                                     const gc_reflection *r,
                                     response_t *response, const char *type) {
  const char *bare = type[0] == '.' ? type + 1 : type;
  if (!file_by_symbol(r, bare)) {
    answer_error(ctx, response, GRPC_C_NOT_FOUND, "unknown type", type);
    return;
  }
  size_t count = 0;
  for (size_t i = 0; i < r->file_count; i++)
    if (describes(r->files[i])) count += r->files[i]->extension_count;
  int32_t *numbers = malloc((count ? count : 1) * sizeof *numbers);
  if (!numbers) {
    answer_error(ctx, response, GRPC_C_RESOURCE_EXHAUSTED,
                 "reflection: out of memory", NULL);
    return;
  }
  size_t n = 0;
  for (size_t i = 0; i < r->file_count; i++) {
    const grpc_c_file_descriptor *file = r->files[i];
    if (!describes(file) || !file->extensions) continue;
    for (size_t j = 0; j < file->extension_count; j++)
      if (strcmp(file->extensions[j].extendee, bare) == 0)
        numbers[n++] = file->extensions[j].number;
  }
  Grpc__Reflection__V1__ExtensionNumberResponse answer =
      GRPC__REFLECTION__V1__EXTENSION_NUMBER_RESPONSE__INIT;
  answer.base_type_name = (char *)bare;
  answer.n_extension_number = n;
  answer.extension_number = numbers;
  response->message_response_case =
      GRPC__REFLECTION__V1__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE_ALL_EXTENSION_NUMBERS_RESPONSE;
  response->all_extension_numbers_response = &answer;
  grpc_c_server_ctx_write(ctx, &response->base);
  free(numbers);
}

static void on_read(grpc_c_server_ctx *ctx, const ProtobufCMessage *msg,
                    void *user_data) {
  stream_state *st = user_data;
  const request_t *request = (const request_t *)msg;
  response_t response = GRPC__REFLECTION__V1__SERVER_REFLECTION_RESPONSE__INIT;
  response.valid_host = request->host;
  response.original_request = (request_t *)request;
  const gc_reflection *r = table(st->reflection);
  if (!r) {
    answer_error(ctx, &response, GRPC_C_INTERNAL, "reflection: out of memory",
                 NULL);
    return;
  }
  const grpc_c_file_descriptor *file;
  switch (request->message_request_case) {
    case GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_LIST_SERVICES:
      answer_services(ctx, r, &response);
      break;
    case GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_FILE_BY_FILENAME:
      file = file_by_name(r, request->file_by_filename);
      if (describes(file))
        answer_file(ctx, st, &response, file);
      else
        answer_error(ctx, &response, GRPC_C_NOT_FOUND, "unknown file",
                     request->file_by_filename);
      break;
    case GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_FILE_CONTAINING_SYMBOL:
      file = file_by_symbol(r, request->file_containing_symbol);
      if (file)
        answer_file(ctx, st, &response, file);
      else
        answer_error(ctx, &response, GRPC_C_NOT_FOUND, "unknown symbol",
                     request->file_containing_symbol);
      break;
    case GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_FILE_CONTAINING_EXTENSION: {
      const Grpc__Reflection__V1__ExtensionRequest *ext =
          request->file_containing_extension;
      file = ext ? file_by_extension(r, ext->containing_type,
                                     ext->extension_number)
                 : NULL;
      if (file)
        answer_file(ctx, st, &response, file);
      else
        answer_error(ctx, &response, GRPC_C_NOT_FOUND, "unknown extension of",
                     ext ? ext->containing_type : "(none)");
      break;
    }
    case GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_ALL_EXTENSION_NUMBERS_OF_TYPE:
      answer_extension_numbers(ctx, r, &response,
                               request->all_extension_numbers_of_type);
      break;
    default:
      answer_error(ctx, &response, GRPC_C_INVALID_ARGUMENT,
                   "reflection: the request asks for nothing", NULL);
      break;
  }
}

static void on_read_done(grpc_c_server_ctx *ctx, void *user_data) {
  (void)user_data;
  grpc_c_server_ctx_finish(ctx, GRPC_C_OK);
}

static void on_cancel(grpc_c_server_ctx *ctx, void *user_data) {
  (void)user_data;
  grpc_c_server_ctx_finish(ctx, GRPC_C_CANCELLED);
}

static void on_done(grpc_c_server_ctx *ctx, void *user_data) {
  (void)ctx;
  stream_state *st = user_data;
  free(st->sent);
  free(st);
}

static const grpc_c_stream_reactor stream_reactor = {on_read, on_read_done,
                                                     on_cancel, on_done};

static grpc_c_code serve_stream(const void *servicer, void *self,
                                grpc_c_server_ctx *ctx,
                                const ProtobufCMessage *request,
                                ProtobufCMessage *response) {
  (void)servicer;
  (void)request;
  (void)response;
  stream_state *st = calloc(1, sizeof *st);
  if (!st)
    return grpc_c_server_ctx_fail(ctx, GRPC_C_RESOURCE_EXHAUSTED,
                                  "reflection: out of memory");
  st->reflection = self;
  if (grpc_c_server_ctx_react(ctx, &stream_reactor, st) != 0) {
    free(st);
    return grpc_c_server_ctx_fail(ctx, GRPC_C_INTERNAL,
                                  "reflection: cannot keep the stream");
  }
  return GRPC_C_OK;
}

/* ---- the two services ---- */

static const grpc_c_method v1_method = {
    "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
    GRPC_C_METHOD_BIDI_STREAMING,
    &grpc__reflection__v1__server_reflection_request__descriptor,
    &grpc__reflection__v1__server_reflection_response__descriptor,
    serve_stream};
static const grpc_c_method *const v1_methods[] = {&v1_method};
static const grpc_c_service v1_service = {
    "grpc.reflection.v1.ServerReflection", 1, v1_methods,
    &grpc_c_file__grpc_2freflection_2fv1_2freflection_2eproto};

/* v1alpha on the wire is v1 under another package: decode it as v1. */
static const grpc_c_method v1alpha_method = {
    "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
    GRPC_C_METHOD_BIDI_STREAMING,
    &grpc__reflection__v1__server_reflection_request__descriptor,
    &grpc__reflection__v1__server_reflection_response__descriptor,
    serve_stream};
static const grpc_c_method *const v1alpha_methods[] = {&v1alpha_method};
static const grpc_c_service v1alpha_service = {
    "grpc.reflection.v1alpha.ServerReflection", 1, v1alpha_methods,
    &grpc_c_file__grpc_2freflection_2fv1alpha_2freflection_2eproto};

/* ---- public API ---- */

void gc_reflection_free(gc_reflection *r) {
  if (!r) return;
  pthread_mutex_destroy(&r->mu);
  free(r->added);
  free(r->files);
  free(r->services);
  free(r);
}

int grpc_c_server_enable_reflection(grpc_c_server *server) {
  if (!server) return GRPC_C_EINVAL;
  gc_reflection **slot = gc_server_reflection_slot(server);
  if (!gc_server_is_created(server)) return GRPC_C_ESTATE;
  if (*slot) return 0;
  gc_reflection *r = calloc(1, sizeof *r);
  if (!r) return GRPC_C_ENOMEM;
  r->server = server;
  if (pthread_mutex_init(&r->mu, NULL) != 0) {
    free(r);
    return GRPC_C_ENOMEM;
  }
  /* Refuse before registering anything, so that a failure leaves the
   * server as it was (short of running out of memory half way). */
  const grpc_c_service *const *services;
  size_t count = gc_server_services(server, &services);
  for (size_t i = 0; i < count; i++)
    if (strcmp(services[i]->name, v1_service.name) == 0 ||
        strcmp(services[i]->name, v1alpha_service.name) == 0) {
      gc_reflection_free(r);
      return GRPC_C_EEXIST;
    }
  int rc = grpc_c_server_register(server, &v1_service, r, r);
  if (rc != 0) {
    gc_reflection_free(r);
    return rc;
  }
  /* Registered: the server owns the state from here on. */
  *slot = r;
  rc = grpc_c_server_set_nonblocking(server, &v1_method);
  if (rc == 0) rc = grpc_c_server_register(server, &v1alpha_service, r, r);
  if (rc == 0) rc = grpc_c_server_set_nonblocking(server, &v1alpha_method);
  return rc;
}

int grpc_c_server_add_reflection_file(grpc_c_server *server,
                                      const grpc_c_file_descriptor *file) {
  if (!server || !file || !file->name) return GRPC_C_EINVAL;
  gc_reflection *r = *gc_server_reflection_slot(server);
  if (!gc_server_is_created(server) || !r) return GRPC_C_ESTATE;
  for (size_t i = 0; i < r->added_count; i++)
    if (r->added[i] == file) return 0;
  const grpc_c_file_descriptor **added =
      realloc(r->added, (r->added_count + 1) * sizeof *added);
  if (!added) return GRPC_C_ENOMEM;
  r->added = added;
  r->added[r->added_count++] = file;
  return 0;
}
