/* libFuzzer target: metadata validation and lookup (runtime/src/metadata.c,
 * compiled into this program): gc_md_add(), gc_md_text_valid(),
 * gc_md_set_compression(), gc_md_find(), gc_metadata_fill() and the public
 * grpc_c_metadata_* API.
 *
 * Input: up to 64 records, each [op][key length][key][value length][value]
 * (lengths one byte, cut short at the end of the input). op & 3:
 *   0  gc_md_add(key, value): the key is cut at its first NUL, as a C string
 *   1  gc_md_set_compression(op >> 2, or a 32-bit value from the key bytes)
 *   2  a received entry (any bytes in key and value) for gc_metadata_fill()
 *   3  gc_md_add(key, NULL, value length)
 * Every return is checked against the rules in metadata.h and client.h,
 * written out again below; the list, lookups and the received set are
 * checked entry by entry against a shadow copy. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define EXPECT(cond)                                                     \
  do {                                                                   \
    if (!(cond)) {                                                       \
      fprintf(stderr, "fuzz_metadata: expectation failed: %s\n", #cond); \
      abort();                                                           \
    }                                                                    \
  } while (0)

enum { MAX_RECORDS = 64 };
static const char compression_key[] = "grpc-internal-encoding-request";

typedef struct entry {
  char key[256];
  size_t key_len;
  uint8_t value[256];
  size_t value_len;
} entry;

/* The rules, independently of metadata.c: a key is a non-empty run of
 * [a-z0-9-_.] not starting with "grpc-"; a key ending in "-bin" (and longer
 * than that suffix) takes any value, others printable ASCII. */
static bool spec_text(const uint8_t *v, size_t len) {
  for (size_t i = 0; i < len; i++)
    if (v[i] < 0x20 || v[i] > 0x7e) return false;
  return true;
}

static bool spec_add_ok(const char *key, const uint8_t *value, size_t len) {
  size_t n = strlen(key);
  if (n == 0 || strncmp(key, "grpc-", 5) == 0) return false;
  for (size_t i = 0; i < n; i++) {
    char c = key[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '_' || c == '.'))
      return false;
  }
  bool binary = n > 4 && strcmp(key + n - 4, "-bin") == 0;
  return binary || spec_text(value, len);
}

static bool slice_is(grpc_slice s, const void *bytes, size_t len) {
  return GRPC_SLICE_LENGTH(s) == len &&
         (len == 0 || memcmp(GRPC_SLICE_START_PTR(s), bytes, len) == 0);
}

/* The next input byte, 0 at the end. */
static size_t next_byte(const uint8_t **data, size_t *size) {
  if (*size == 0) return 0;
  (*size)--;
  return *(*data)++;
}

/* Up to `want` next input bytes; returns how many. */
static size_t take(const uint8_t **data, size_t *size, size_t want,
                   const uint8_t **out) {
  if (want > *size) want = *size;
  *out = *data;
  *data += want;
  *size -= want;
  return want;
}

/* How many of the first `end` shadow entries have key `key`. */
static size_t occurrence(const entry *list, size_t end, const char *key) {
  size_t n = 0;
  for (size_t i = 0; i < end; i++)
    if (strcmp(list[i].key, key) == 0) n++;
  return n;
}

static void check_list(const gc_md_list *list, const entry *shadow,
                       size_t count) {
  EXPECT(list->count == count);
  EXPECT(list->count <= list->capacity);
  grpc_metadata_array array = {list->count, list->capacity, list->items};
  for (size_t i = 0; i < count; i++) {
    EXPECT(slice_is(list->items[i].key, shadow[i].key, shadow[i].key_len));
    EXPECT(
        slice_is(list->items[i].value, shadow[i].value, shadow[i].value_len));
    /* gc_md_find() finds this entry as its key's k-th value. */
    size_t k = occurrence(shadow, i, shadow[i].key);
    const grpc_slice *found = gc_md_find(&array, shadow[i].key, k);
    EXPECT(found == &list->items[i].value);
  }
  /* No key gc_md_add() accepts has a capital letter. */
  EXPECT(gc_md_find(&array, "Absent-key", 0) == NULL);
}

/* gc_metadata_fill() copies `received` into the public set, which then
 * answers count, entry and get for each of them. */
static void check_received(const entry *received, size_t count) {
  grpc_metadata items[MAX_RECORDS];
  for (size_t i = 0; i < count; i++) {
    memset(&items[i], 0, sizeof items[i]);
    items[i].key =
        grpc_slice_from_copied_buffer(received[i].key, received[i].key_len);
    items[i].value = grpc_slice_from_copied_buffer(
        (const char *)received[i].value, received[i].value_len);
  }
  grpc_metadata_array array = {count, MAX_RECORDS, items};
  grpc_c_metadata *md;
  EXPECT(grpc_c_metadata_new(&md) == 0);
  for (int round = 0; round < 2; round++) { /* refilling replaces */
    gc_metadata_fill(md, &array);
    EXPECT(grpc_c_metadata_count(md) == count);
    for (size_t i = 0; i < count; i++) {
      const char *key, *value;
      size_t len;
      EXPECT(grpc_c_metadata_entry(md, i, &key, &value, &len));
      EXPECT(memcmp(key, received[i].key, received[i].key_len) == 0);
      EXPECT(key[received[i].key_len] == '\0');
      EXPECT(len == received[i].value_len);
      EXPECT(memcmp(value, received[i].value, len) == 0 && value[len] == '\0');
      /* Keys compare as C strings (a key cut at a NUL is its text before
       * it), so this entry is the k-th of its key. */
      size_t k = 0;
      for (size_t j = 0; j < i; j++)
        if (strcmp(received[j].key, received[i].key) == 0) k++;
      size_t got_len = 99;
      EXPECT(grpc_c_metadata_get(md, received[i].key, k, &got_len) == value);
      EXPECT(got_len == len);
    }
    EXPECT(!grpc_c_metadata_entry(md, count, NULL, NULL, NULL));
  }
  size_t none = 7;
  EXPECT(grpc_c_metadata_get(md, NULL, 0, &none) == NULL && none == 0);
  EXPECT(grpc_c_metadata_get(NULL, "k", 0, &none) == NULL);
  grpc_c_metadata_clear(md);
  EXPECT(grpc_c_metadata_count(md) == 0);
  grpc_c_metadata_free(md);
  for (size_t i = 0; i < count; i++) {
    grpc_slice_unref(items[i].key);
    grpc_slice_unref(items[i].value);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static entry shadow[MAX_RECORDS], received[MAX_RECORDS];
  size_t shadow_count = 0, received_count = 0;
  gc_md_list list = {0};

  for (int r = 0; r < MAX_RECORDS && size > 0; r++) {
    uint8_t op = (uint8_t)next_byte(&data, &size);
    const uint8_t *key_bytes, *value;
    size_t key_len = take(&data, &size, next_byte(&data, &size), &key_bytes);
    size_t value_len = take(&data, &size, next_byte(&data, &size), &value);

    char key[256];
    memcpy(key, key_bytes, key_len);
    key[key_len] = '\0';

    switch (op & 3) {
      case 0:
      case 3: {
        bool null_value = (op & 3) == 3;
        int rc = gc_md_add(&list, key, null_value ? NULL : value, value_len);
        bool ok = null_value ? value_len == 0 && spec_add_ok(key, value, 0)
                             : spec_add_ok(key, value, value_len);
        EXPECT(rc == (ok ? 0 : GRPC_C_EINVAL));
        if (ok) {
          entry *e = &shadow[shadow_count++];
          e->key_len = strlen(key);
          memcpy(e->key, key, e->key_len + 1);
          e->value_len = null_value ? 0 : value_len;
          memcpy(e->value, value, e->value_len);
        }
        EXPECT(gc_md_text_valid(value, value_len) ==
               spec_text(value, value_len));
        break;
      }
      case 1: {
        int algorithm = op >> 2;
        if (key_len >= 4) memcpy(&algorithm, key_bytes, sizeof algorithm);
        int rc = gc_md_set_compression(&list, (grpc_c_compression)algorithm);
        static const char *names[] = {"identity", "deflate", "gzip"};
        bool ok = algorithm >= 0 && algorithm <= GRPC_C_COMPRESS_GZIP;
        EXPECT(rc == (ok ? 0 : GRPC_C_EINVAL));
        if (!ok) break;
        entry *e = NULL;
        for (size_t i = 0; i < shadow_count && !e; i++)
          if (strcmp(shadow[i].key, compression_key) == 0) e = &shadow[i];
        if (!e) {
          e = &shadow[shadow_count++];
          e->key_len = strlen(compression_key);
          memcpy(e->key, compression_key, e->key_len + 1);
        }
        e->value_len = strlen(names[algorithm]);
        memcpy(e->value, names[algorithm], e->value_len);
        break;
      }
      case 2: {
        entry *e = &received[received_count++];
        memcpy(e->key, key_bytes, key_len);
        e->key[key_len] = '\0';
        e->key_len = key_len;
        memcpy(e->value, value, value_len);
        e->value_len = value_len;
        break;
      }
    }
    check_list(&list, shadow, shadow_count);
  }
  check_received(received, received_count);

  /* Cleared lists keep their capacity and take entries again. */
  size_t capacity = list.capacity;
  gc_md_clear(&list);
  EXPECT(list.count == 0 && list.capacity == capacity);
  EXPECT(gc_md_add(&list, "after-clear", "x", 1) == 0);
  EXPECT(gc_md_add(NULL, "k", "v", 1) == GRPC_C_EINVAL);
  EXPECT(gc_md_add(&list, NULL, "v", 1) == GRPC_C_EINVAL);
  gc_md_free(&list);
  EXPECT(list.items == NULL && list.capacity == 0);
  gc_md_free(NULL);
  return 0;
}
