/* protobuf-c messages to and from gRPC byte buffers, with as few copies as
 * the core allows: packing writes straight into one slice (core_fence.c),
 * and a received buffer that is one contiguous slice is parsed in place.
 * Buffers the core hands over still compressed (requests on servers, which
 * leave decompression to the runtime) are inflated here, within a limit. */
#include <grpc/byte_buffer_reader.h>
#include <grpc/slice_buffer.h>
#include <stdlib.h>
#include <zlib.h>

#include "internal.h"

grpc_byte_buffer *gc_pack(const ProtobufCMessage *msg) {
  return gc_pack_into(msg, NULL);
}

/* Inflates one compressed message into a malloc'd buffer of at most
 * `limit` bytes, the way the core's own decompression reads it: "gzip" with
 * the gzip wrapper only, "deflate" with the zlib wrapper only, input left
 * after the end of the compressed stream is corrupt, and zero bytes of input
 * are an empty message. Returns false on corrupt data, on output beyond
 * `limit` (*too_large set) or out of memory. Memory never grows past
 * `limit` + 1 bytes, whatever the input claims. */
static bool inflate_all(grpc_compression_algorithm algorithm, const uint8_t *in,
                        size_t in_len, size_t limit, uint8_t **out,
                        size_t *out_len, bool *too_large) {
  int window_bits;
  if (algorithm == GRPC_COMPRESS_GZIP)
    window_bits = 15 + 16;
  else if (algorithm == GRPC_COMPRESS_DEFLATE)
    window_bits = 15;
  else
    return false;
  size_t cap = in_len * 4 + 64, len = 0;
  if (cap > limit) cap = limit + 1;
  uint8_t *buf = malloc(cap ? cap : 1);
  if (!buf) return false;
  if (in_len == 0) {
    *out = buf;
    *out_len = 0;
    return true;
  }
  z_stream zs = {0};
  if (inflateInit2(&zs, window_bits) != Z_OK) {
    free(buf);
    return false;
  }
  int rc = Z_OK;
  zs.next_in = (Bytef *)in;
  zs.avail_in = (uInt)in_len;
  while (rc == Z_OK) {
    if (len == cap) {
      if (cap > limit) break; /* produced more than the limit */
      size_t grown = cap * 2 > limit ? limit + 1 : cap * 2;
      uint8_t *bigger = realloc(buf, grown);
      if (!bigger) break;
      buf = bigger;
      cap = grown;
    }
    zs.next_out = buf + len;
    zs.avail_out = (uInt)(cap - len);
    rc = inflate(&zs, Z_NO_FLUSH);
    len = cap - zs.avail_out;
  }
  inflateEnd(&zs);
  if (rc != Z_STREAM_END || zs.avail_in != 0 || len > limit) {
    *too_large = len > limit;
    free(buf);
    return false;
  }
  *out = buf;
  *out_len = len;
  return true;
}

ProtobufCMessage *gc_unpack_limited(
    const ProtobufCMessageDescriptor *descriptor, grpc_byte_buffer *buffer,
    ProtobufCAllocator *allocator, size_t limit, gc_unpacked *info) {
  gc_unpacked ignored;
  if (!info) info = &ignored;
  *info = (gc_unpacked){false, false};
  if (!buffer) return NULL;
  gc_buffer_view view;
  gc_buffer_look(buffer, &view);
  info->compressed = view.compression != GRPC_COMPRESS_NONE;
  if (view.length > limit) {
    info->too_large = true;
    return NULL;
  }
  if (!info->compressed && view.single) {
    return protobuf_c_message_unpack(descriptor, allocator,
                                     GRPC_SLICE_LENGTH(*view.single),
                                     GRPC_SLICE_START_PTR(*view.single));
  }
  /* Several slices, or compressed: join them first. */
  grpc_byte_buffer_reader reader;
  if (!grpc_byte_buffer_reader_init(&reader, buffer)) return NULL;
  grpc_slice all = grpc_byte_buffer_reader_readall(&reader);
  grpc_byte_buffer_reader_destroy(&reader);
  ProtobufCMessage *msg = NULL;
  if (!info->compressed) {
    msg =
        protobuf_c_message_unpack(descriptor, allocator, GRPC_SLICE_LENGTH(all),
                                  GRPC_SLICE_START_PTR(all));
  } else {
    uint8_t *plain;
    size_t plain_len;
    if (inflate_all(view.compression, GRPC_SLICE_START_PTR(all),
                    GRPC_SLICE_LENGTH(all), limit, &plain, &plain_len,
                    &info->too_large)) {
      msg = protobuf_c_message_unpack(descriptor, allocator, plain_len, plain);
      free(plain);
    }
  }
  grpc_slice_unref(all);
  return msg;
}

ProtobufCMessage *gc_unpack(const ProtobufCMessageDescriptor *descriptor,
                            grpc_byte_buffer *buffer,
                            ProtobufCAllocator *allocator) {
  return gc_unpack_limited(descriptor, buffer, allocator, SIZE_MAX, NULL);
}
