/* protobuf-c messages to and from gRPC byte buffers, with as few copies as
 * the core allows: packing writes straight into one slice, and a received
 * buffer that is one contiguous slice is parsed in place. */
#include <grpc/byte_buffer_reader.h>
#include <stdlib.h>

#include "internal.h"

grpc_byte_buffer *gc_pack(const ProtobufCMessage *msg) {
  size_t size = protobuf_c_message_get_packed_size(msg);
  grpc_slice slice = grpc_slice_malloc(size);
  protobuf_c_message_pack(msg, GRPC_SLICE_START_PTR(slice));
  grpc_byte_buffer *buffer = grpc_raw_byte_buffer_create(&slice, 1);
  grpc_slice_unref(slice);
  return buffer;
}

ProtobufCMessage *gc_unpack(const ProtobufCMessageDescriptor *descriptor,
                            grpc_byte_buffer *buffer,
                            ProtobufCAllocator *allocator) {
  if (!buffer) return NULL;
  if (buffer->type == GRPC_BB_RAW &&
      buffer->data.raw.compression == GRPC_COMPRESS_NONE &&
      buffer->data.raw.slice_buffer.count == 1) {
    const grpc_slice *slice = &buffer->data.raw.slice_buffer.slices[0];
    return protobuf_c_message_unpack(descriptor, allocator,
                                     GRPC_SLICE_LENGTH(*slice),
                                     GRPC_SLICE_START_PTR(*slice));
  }
  /* Several slices, or compressed: let the reader join/decompress them. */
  grpc_byte_buffer_reader reader;
  if (!grpc_byte_buffer_reader_init(&reader, buffer)) return NULL;
  grpc_slice all = grpc_byte_buffer_reader_readall(&reader);
  grpc_byte_buffer_reader_destroy(&reader);
  ProtobufCMessage *msg = protobuf_c_message_unpack(
      descriptor, allocator, GRPC_SLICE_LENGTH(all), GRPC_SLICE_START_PTR(all));
  grpc_slice_unref(all);
  return msg;
}
