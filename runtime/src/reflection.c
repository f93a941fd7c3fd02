/* Server reflection: not served yet. */
#include <grpc-c/reflection.h>

int grpc_c_server_enable_reflection(grpc_c_server *server) {
  return server == NULL ? GRPC_C_EINVAL : GRPC_C_ESTATE;
}

int grpc_c_server_add_reflection_file(grpc_c_server *server,
                                      const grpc_c_file_descriptor *file) {
  return server == NULL || file == NULL ? GRPC_C_EINVAL : GRPC_C_ESTATE;
}
