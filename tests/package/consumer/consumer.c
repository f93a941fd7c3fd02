/* Serves Pinger on 127.0.0.1:0 and calls each method once: proves the
 * installed package (with the well-known types library) links and works.
 * Exit 0 on success. */
#include <stdio.h>

#include "ping.grpc-c.h"

static grpc_c_code on_send(void *self, grpc_c_server_ctx *ctx,
                           const Consumer__Ping *request,
                           Consumer__Ping *response) {
  (void)self;
  (void)ctx;
  response->n = request->n + 1;
  return GRPC_C_OK;
}

static grpc_c_code on_nothing(void *self, grpc_c_server_ctx *ctx,
                              const Google__Protobuf__Empty *request,
                              Google__Protobuf__Empty *response) {
  (void)self;
  (void)ctx;
  (void)request;
  (void)response;
  return GRPC_C_OK;
}

int main(void) {
  static const Consumer__Pinger_Servicer pinger = {.send = on_send,
                                                   .nothing = on_nothing};
  grpc_c_server *server;
  grpc_c_channel *channel;
  int port = 0;
  char target[32];
  if (grpc_c_server_create(&server, NULL) ||
      grpc_c_server_add_listener(server, "127.0.0.1:0", &port) ||
      consumer__pinger__servicer__register(server, &pinger, NULL) ||
      grpc_c_server_start(server))
    return 1;
  snprintf(target, sizeof target, "127.0.0.1:%d", port);
  if (grpc_c_channel_create(&channel, target, NULL)) return 1;
  Consumer__Ping ping = CONSUMER__PING__INIT;
  Consumer__Ping *pong = NULL;
  ping.n = 41;
  grpc_c_code code =
      consumer__pinger__send__call(channel, &ping, &pong, NULL, NULL);
  int ok = code == GRPC_C_OK && pong && pong->n == 42;
  printf("consumer: %s, n=%d\n", grpc_c_code_name(code), pong ? pong->n : -1);
  if (pong) consumer__ping__free_unpacked(pong, NULL);
  Google__Protobuf__Empty empty = GOOGLE__PROTOBUF__EMPTY__INIT;
  Google__Protobuf__Empty *none = NULL;
  code = consumer__pinger__nothing__call(channel, &empty, &none, NULL, NULL);
  ok = ok && code == GRPC_C_OK && none;
  printf("consumer: Nothing: %s\n", grpc_c_code_name(code));
  if (none) google__protobuf__empty__free_unpacked(none, NULL);
  grpc_c_channel_destroy(channel);
  grpc_c_server_destroy(server);
  return ok ? 0 : 1;
}
