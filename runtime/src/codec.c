/* protobuf-c messages to and from gRPC byte buffers, with as few copies as
 * the core allows: packing writes straight into one slice, and a received
 * buffer that is one contiguous slice is parsed in place. Buffers the core
 * hands over still compressed (requests on servers, which leave
 * decompression to the runtime) are inflated here, within a limit. */
#include <grpc/byte_buffer_reader.h>
#include <grpc/slice_buffer.h>
#include <stdlib.h>
#include <zlib.h>

#include "internal.h"

grpc_byte_buffer *gc_pack_into(const ProtobufCMessage *msg,
                               grpc_byte_buffer *reuse) {
  size_t size = protobuf_c_message_get_packed_size(msg);
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

grpc_byte_buffer *gc_pack(const ProtobufCMessage *msg) {
  return gc_pack_into(msg, NULL);
}

void gc_buffer_empty(grpc_byte_buffer *buffer) {
  /* The core moves a sent message's slices out when the batch starts, so
   * there is usually nothing to release. */
  if (buffer->data.raw.slice_buffer.count)
    grpc_slice_buffer_reset_and_unref(&buffer->data.raw.slice_buffer);
  buffer->data.raw.compression = GRPC_COMPRESS_NONE;
}

void gc_buffer_free(grpc_byte_buffer *buffer) {
  if (!buffer) return;
  grpc_slice_buffer_destroy(&buffer->data.raw.slice_buffer);
  gpr_free(buffer);
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
  /* Raw is the only kind of byte buffer the core makes. */
  const grpc_slice_buffer *slices = &buffer->data.raw.slice_buffer;
  info->compressed = buffer->data.raw.compression != GRPC_COMPRESS_NONE;
  if (slices->length > limit) {
    info->too_large = true;
    return NULL;
  }
  if (!info->compressed && slices->count == 1) {
    const grpc_slice *slice = &slices->slices[0];
    return protobuf_c_message_unpack(descriptor, allocator,
                                     GRPC_SLICE_LENGTH(*slice),
                                     GRPC_SLICE_START_PTR(*slice));
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
    if (inflate_all(buffer->data.raw.compression, GRPC_SLICE_START_PTR(all),
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
