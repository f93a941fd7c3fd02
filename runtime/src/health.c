/* grpc.health.v1.Health: not served yet. */
#include <grpc-c/health.h>

int grpc_c_server_enable_health(grpc_c_server *server) {
  return server == NULL ? GRPC_C_EINVAL : GRPC_C_ESTATE;
}

int grpc_c_server_set_health(grpc_c_server *server, const char *service,
                             grpc_c_health_status status) {
  (void)status;
  return server == NULL || service == NULL ? GRPC_C_EINVAL : GRPC_C_ESTATE;
}

int grpc_c_server_clear_health(grpc_c_server *server, const char *service) {
  return server == NULL || service == NULL ? GRPC_C_EINVAL : GRPC_C_ESTATE;
}

grpc_c_health_status grpc_c_server_health(grpc_c_server *server,
                                          const char *service) {
  (void)server;
  (void)service;
  return GRPC_C_HEALTH_SERVICE_UNKNOWN;
}
