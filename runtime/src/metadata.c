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

static bool text_value_valid(const unsigned char *value, size_t len) {
  for (size_t i = 0; i < len; i++)
    if (value[i] < 0x20 || value[i] > 0x7e) return false;
  return true;
}

int gc_md_add(gc_md_list *list, const char *key, const void *value,
              size_t len) {
  if (!list || !key || (!value && len > 0)) return GRPC_C_EINVAL;
  size_t key_len = strlen(key);
  if (!key_valid(key, key_len)) return GRPC_C_EINVAL;
  if (!ends_with_bin(key, key_len) && !text_value_valid(value, len))
    return GRPC_C_EINVAL;
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

int gc_md_copy(gc_md_list *dst, const gc_md_list *src) {
  if (src->count == 0) return 0;
  grpc_metadata *items = malloc(src->count * sizeof *items);
  if (!items) return GRPC_C_ENOMEM;
  for (size_t i = 0; i < src->count; i++) {
    items[i] = src->items[i];
    items[i].key = grpc_slice_ref(src->items[i].key);
    items[i].value = grpc_slice_ref(src->items[i].value);
  }
  dst->items = items;
  dst->count = dst->capacity = src->count;
  return 0;
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
