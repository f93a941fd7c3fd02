/* libFuzzer target: the request decode and inflate path, gc_unpack_limited()
 * (runtime/src/codec.c, compiled into this program), over fuzz.Request.
 *
 * Input: byte 0 chooses how the buffer is made, byte 1 where it is split,
 * the rest is the payload.
 *   bits 0-1 of byte 0: 0 plain; 1 payload gzipped here; 2 payload
 *            zlib-deflated here; 3 payload taken as already compressed
 *            (gzip flag set on bytes that may be no valid stream at all)
 *   bits 2-3: the buffer holds 1-4 slices
 *   bits 4-7: the receive limit, 8 << n bytes (15: none)
 * The buffer is built with the public byte buffer API, as the core hands
 * one over. Besides the sanitizers, the result is checked against a
 * reference decode of the same bytes, by the core's inflate rules (the
 * wrapper the flag names, nothing after the stream, empty is empty): same
 * success, same message (compared packed), too_large exactly when the input
 * or its inflated form exceeds the limit. Modes 1 and 2 flag the buffer
 * gzip and deflate. */
#include <grpc/byte_buffer.h>
#include <grpc/slice.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "fuzz.pb-c.h"
#include "internal.h"

/* Reports a broken expectation as a crash libFuzzer keeps. */
#define EXPECT(cond)                                                   \
  do {                                                                 \
    if (!(cond)) {                                                     \
      fprintf(stderr, "fuzz_unpack: expectation failed: %s\n", #cond); \
      abort();                                                         \
    }                                                                  \
  } while (0)

enum { MODE_PLAIN, MODE_GZIP, MODE_DEFLATE, MODE_RAW_COMPRESSED };

/* Compresses `in` as gzip (`gzip` true) or zlib-wrapped deflate. */
static uint8_t *compress_payload(const uint8_t *in, size_t len, bool gzip,
                                 size_t *out_len) {
  z_stream zs = {0};
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, gzip ? 15 + 16 : 15,
                   8, Z_DEFAULT_STRATEGY) != Z_OK)
    return NULL;
  size_t cap = deflateBound(&zs, (uLong)len) + 32;
  uint8_t *out = malloc(cap);
  if (!out) {
    deflateEnd(&zs);
    return NULL;
  }
  zs.next_in = (Bytef *)in;
  zs.avail_in = (uInt)len;
  zs.next_out = out;
  zs.avail_out = (uInt)cap;
  int rc = deflate(&zs, Z_FINISH);
  *out_len = cap - zs.avail_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) {
    free(out);
    return NULL;
  }
  return out;
}

/* The reference inflate, by the core's rules: "gzip" takes the gzip
 * wrapper only and "deflate" the zlib wrapper only, bytes left after the end
 * of the stream make it corrupt, and no bytes at all are an empty message.
 * The whole stream, one output byte at a time past `limit`. Returns 1 with
 * the output, 0 for a corrupt or truncated stream, -1 when the output
 * exceeds `limit`. */
static int reference_inflate(bool gzip, const uint8_t *in, size_t len,
                             size_t limit, uint8_t **out, size_t *out_len) {
  if (len == 0) {
    *out = malloc(1);
    *out_len = 0;
    return *out ? 1 : 0;
  }
  z_stream zs = {0};
  if (inflateInit2(&zs, gzip ? 15 + 16 : 15) != Z_OK) return 0;
  size_t cap = 256, used = 0;
  uint8_t *buf = malloc(cap);
  zs.next_in = (Bytef *)in;
  zs.avail_in = (uInt)len;
  int rc = buf ? Z_OK : Z_MEM_ERROR, result = 0;
  while (rc == Z_OK && used <= limit) {
    if (used == cap) {
      uint8_t *bigger = realloc(buf, cap * 2);
      if (!bigger) break;
      buf = bigger;
      cap *= 2;
    }
    zs.next_out = buf + used;
    zs.avail_out = 1; /* never more than one byte beyond the limit */
    rc = inflate(&zs, Z_NO_FLUSH);
    used += 1 - zs.avail_out;
  }
  inflateEnd(&zs);
  if (used > limit)
    result = -1;
  else if (rc == Z_STREAM_END && zs.avail_in == 0)
    result = 1;
  if (result == 1) {
    *out = buf;
    *out_len = used;
  } else {
    free(buf);
  }
  return result;
}

/* A byte buffer of `len` bytes cut into `count` slices at points taken
 * from `seed`, compressed (as far as the core can tell) or not. */
static grpc_byte_buffer *make_buffer(const uint8_t *data, size_t len,
                                     size_t count, uint8_t seed,
                                     bool compressed, bool gzip) {
  grpc_slice slices[4];
  size_t start = 0;
  for (size_t i = 0; i < count; i++) {
    size_t end = len;
    if (i + 1 < count) {
      size_t left = len - start;
      end = start + (left ? (seed * (i + 7)) % (left + 1) : 0);
    }
    slices[i] =
        grpc_slice_from_copied_buffer((const char *)data + start, end - start);
    start = end;
  }
  grpc_byte_buffer *buffer =
      compressed ? grpc_raw_compressed_byte_buffer_create(
                       slices, count,
                       gzip ? GRPC_COMPRESS_GZIP : GRPC_COMPRESS_DEFLATE)
                 : grpc_raw_byte_buffer_create(slices, count);
  for (size_t i = 0; i < count; i++) grpc_slice_unref(slices[i]);
  return buffer;
}

/* Packs `msg` into a malloc'd buffer. */
static uint8_t *pack(const ProtobufCMessage *msg, size_t *len) {
  *len = protobuf_c_message_get_packed_size(msg);
  uint8_t *out = malloc(*len ? *len : 1);
  EXPECT(out != NULL);
  EXPECT(protobuf_c_message_pack(msg, out) == *len);
  return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2) return 0;
  int mode = data[0] & 3;
  size_t count = 1 + ((data[0] >> 2) & 3);
  unsigned limit_bits = data[0] >> 4;
  size_t limit = limit_bits == 15 ? SIZE_MAX : (size_t)8 << limit_bits;
  uint8_t seed = data[1];
  const uint8_t *payload = data + 2;
  size_t payload_len = size - 2;

  /* What goes on the wire, and the plain bytes behind it if known. */
  const uint8_t *wire = payload;
  size_t wire_len = payload_len;
  uint8_t *compressed = NULL;
  if (mode == MODE_GZIP || mode == MODE_DEFLATE) {
    compressed =
        compress_payload(payload, payload_len, mode == MODE_GZIP, &wire_len);
    EXPECT(compressed != NULL);
    wire = compressed;
  }
  bool is_compressed = mode != MODE_PLAIN;

  /* The reference: 1 decodable, 0 not, -1 too large. */
  int expected;
  uint8_t *plain = NULL;
  size_t plain_len = 0;
  if (wire_len > limit) {
    expected = -1;
  } else if (!is_compressed) {
    expected = 1;
    plain = malloc(wire_len ? wire_len : 1);
    EXPECT(plain != NULL);
    memcpy(plain, wire, wire_len);
    plain_len = wire_len;
  } else {
    expected = reference_inflate(mode != MODE_DEFLATE, wire, wire_len, limit,
                                 &plain, &plain_len);
  }
  ProtobufCMessage *reference = NULL;
  if (expected == 1) {
    reference = protobuf_c_message_unpack(&fuzz__request__descriptor, NULL,
                                          plain_len, plain);
    if (!reference) expected = 0;
  }

  grpc_byte_buffer *buffer = make_buffer(wire, wire_len, count, seed,
                                         is_compressed, mode != MODE_DEFLATE);
  EXPECT(buffer != NULL);
  gc_unpacked info;
  ProtobufCMessage *msg =
      gc_unpack_limited(&fuzz__request__descriptor, buffer, NULL, limit, &info);
  EXPECT(info.compressed == is_compressed);
  EXPECT(info.too_large == (expected == -1));
  EXPECT((msg != NULL) == (expected == 1));
  if (msg) {
    size_t got_len, want_len;
    uint8_t *got = pack(msg, &got_len);
    uint8_t *want = pack(reference, &want_len);
    EXPECT(got_len == want_len && memcmp(got, want, got_len) == 0);
    free(got);
    free(want);
    protobuf_c_message_free_unpacked(msg, NULL);
  }
  if (reference) protobuf_c_message_free_unpacked(reference, NULL);
  gc_buffer_free(buffer);
  free(plain);
  free(compressed);
  return 0;
}
