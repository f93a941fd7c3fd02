/* Outgoing metadata lists with validation, and lookup in received ones. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static bool ends_with_bin(const char *key, size_t len) {
  return len > 4 && memcmp(key + len - 4, "-bin", 4) == 0;
}

/* HTTP/2 header names as gRPC allows them: lowercase letters, digits,
 * '-', '_' and '.'; "grpc-" is reserved for the protocol. */
static bool key_valid(const char *key, size_t len) {
  if (len == 0) return false;
  if (len >= 5 && memcmp(key, "grpc-", 5) == 0) return false;
  for (size_t i = 0; i < len; i++) {
    char c = key[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
              c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

bool gc_md_text_valid(const void *value, size_t len) {
  const unsigned char *bytes = value;
  for (size_t i = 0; i < len; i++)
    if (bytes[i] < 0x20 || bytes[i] > 0x7e) return false;
  return true;
}

int gc_md_add(gc_md_list *list, const char *key, const void *value,
              size_t len) {
  if (!list || !key || (!value && len > 0)) return GRPC_C_EINVAL;
  size_t key_len = strlen(key);
  if (!key_valid(key, key_len)) return GRPC_C_EINVAL;
  if (!ends_with_bin(key, key_len) && !gc_md_text_valid(value, len))
    return GRPC_C_EINVAL;
  return gc_md_add_reserved(list, key, value, len);
}

int gc_md_add_reserved(gc_md_list *list, const char *key, const void *value,
                       size_t len) {
  size_t key_len = strlen(key);
  if (list->count == list->capacity) {
    size_t capacity = list->capacity ? list->capacity * 2 : 4;
    grpc_metadata *items = realloc(list->items, capacity * sizeof *items);
    if (!items) return GRPC_C_ENOMEM;
    list->items = items;
    list->capacity = capacity;
  }
  grpc_metadata *md = &list->items[list->count++];
  memset(md, 0, sizeof *md);
  md->key = grpc_slice_from_copied_buffer(key, key_len);
  md->value = grpc_slice_from_copied_buffer(value, len);
  return 0;
}

void gc_md_clear(gc_md_list *list) {
  for (size_t i = 0; i < list->count; i++) {
    grpc_slice_unref(list->items[i].key);
    grpc_slice_unref(list->items[i].value);
  }
  list->count = 0;
}

void gc_md_free(gc_md_list *list) {
  if (!list) return;
  gc_md_clear(list);
  free(list->items);
  list->items = NULL;
  list->capacity = 0;
}

const grpc_slice *gc_md_find(const grpc_metadata_array *array, const char *key,
                             size_t index) {
  size_t key_len = strlen(key);
  for (size_t i = 0; i < array->count; i++) {
    const grpc_slice *k = &array->metadata[i].key;
    if (GRPC_SLICE_LENGTH(*k) == key_len &&
        memcmp(GRPC_SLICE_START_PTR(*k), key, key_len) == 0) {
      if (index == 0) return &array->metadata[i].value;
      index--;
    }
  }
  return NULL;
}

int gc_md_set_compression(gc_md_list *list, grpc_c_compression algorithm) {
  const char *name;
  if (!grpc_compression_algorithm_name((grpc_compression_algorithm)algorithm,
                                       &name) ||
      (unsigned)algorithm > GRPC_C_COMPRESS_GZIP)
    return GRPC_C_EINVAL;
  static const char key[] = GRPC_COMPRESSION_REQUEST_ALGORITHM_MD_KEY;
  for (size_t i = 0; i < list->count; i++) {
    grpc_slice *k = &list->items[i].key;
    if (GRPC_SLICE_LENGTH(*k) == sizeof key - 1 &&
        memcmp(GRPC_SLICE_START_PTR(*k), key, sizeof key - 1) == 0) {
      grpc_slice_unref(list->items[i].value);
      list->items[i].value = grpc_slice_from_copied_string(name);
      return 0;
    }
  }
  return gc_md_add_reserved(list, key, name, strlen(name));
}

/* ---- received metadata sets ---- */

typedef struct gc_md_entry {
  char *key;
  char *value;
  size_t len;
} gc_md_entry;

struct grpc_c_metadata {
  gc_md_entry *items;
  size_t count;
};

int grpc_c_metadata_new(grpc_c_metadata **out) {
  if (!out) return GRPC_C_EINVAL;
  *out = calloc(1, sizeof **out);
  return *out ? 0 : GRPC_C_ENOMEM;
}

void grpc_c_metadata_clear(grpc_c_metadata *md) {
  if (!md) return;
  for (size_t i = 0; i < md->count; i++) {
    free(md->items[i].key);
    free(md->items[i].value);
  }
  free(md->items);
  md->items = NULL;
  md->count = 0;
}

void grpc_c_metadata_free(grpc_c_metadata *md) {
  grpc_c_metadata_clear(md);
  free(md);
}

size_t grpc_c_metadata_count(const grpc_c_metadata *md) {
  return md ? md->count : 0;
}

bool grpc_c_metadata_entry(const grpc_c_metadata *md, size_t i,
                           const char **key, const char **value, size_t *len) {
  if (!md || i >= md->count) return false;
  if (key) *key = md->items[i].key;
  if (value) *value = md->items[i].value;
  if (len) *len = md->items[i].len;
  return true;
}

const char *grpc_c_metadata_get(const grpc_c_metadata *md, const char *key,
                                size_t index, size_t *len) {
  if (len) *len = 0;
  if (!md || !key) return NULL;
  for (size_t i = 0; i < md->count; i++) {
    if (strcmp(md->items[i].key, key) != 0) continue;
    if (index-- > 0) continue;
    if (len) *len = md->items[i].len;
    return md->items[i].value;
  }
  return NULL;
}

static char *copy_slice(const grpc_slice *slice) {
  size_t n = GRPC_SLICE_LENGTH(*slice);
  char *copy = malloc(n + 1);
  if (!copy) return NULL;
  memcpy(copy, GRPC_SLICE_START_PTR(*slice), n);
  copy[n] = '\0';
  return copy;
}

void gc_metadata_fill(grpc_c_metadata *md, const grpc_metadata_array *array) {
  if (!md) return;
  grpc_c_metadata_clear(md);
  if (array->count == 0) return;
  md->items = calloc(array->count, sizeof *md->items);
  if (!md->items) return;
  for (size_t i = 0; i < array->count; i++) {
    gc_md_entry *e = &md->items[md->count];
    e->key = copy_slice(&array->metadata[i].key);
    e->value = copy_slice(&array->metadata[i].value);
    if (!e->key || !e->value) {
      free(e->key);
      free(e->value);
      continue;
    }
    e->len = GRPC_SLICE_LENGTH(array->metadata[i].value);
    md->count++;
  }
}
