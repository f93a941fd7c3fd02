/*
 * greeter_server: the gRPC "hello world" server, written with grpc-c.
 *
 * Serves helloworld.Greeter on 0.0.0.0:$PORT (50051 when PORT is unset;
 * $BIND_HOST replaces 0.0.0.0) and
 * answers SayHello with "Hello <name>". SIGTERM or SIGINT stops it cleanly:
 * in-flight calls get five seconds to finish and the program exits 0.
 */
#include <grpc-c/grpc-c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helloworld.grpc-c.h"

/* The handler of SayHello. `request` is borrowed for the call; `reply` is
 * owned by the runtime, so its string lives in memory of the call
 * (grpc_c_server_ctx_alloc), released when the call ends. */
static grpc_c_code say_hello(void *self, grpc_c_server_ctx *ctx,
                             const Helloworld__HelloRequest *request,
                             Helloworld__HelloReply *reply) {
  (void)self;
  static const char prefix[] = "Hello ";
  const char *name = request->name ? request->name : "";
  size_t size = sizeof prefix + strlen(name);
  char *message = grpc_c_server_ctx_alloc(ctx, size);
  if (!message) {
    return grpc_c_server_ctx_fail(ctx, GRPC_C_RESOURCE_EXHAUSTED,
                                  "out of memory");
  }
  snprintf(message, size, "%s%s", prefix, name);
  reply->message = message;
  return GRPC_C_OK;
}

/* The servicer table: one function per method of the service. */
static const Helloworld__Greeter_Servicer greeter = {
    .say_hello = say_hello,
};

int main(void) {
  int port = grpc_c_port_from_env(50051);
  /* All addresses unless BIND_HOST says otherwise (tests: 127.0.0.1). */
  const char *host = getenv("BIND_HOST");
  char address[300];
  snprintf(address, sizeof address, "%s:%d", host && *host ? host : "0.0.0.0",
           port);

  grpc_c_server *server = NULL;
  int rc = grpc_c_server_create(&server, NULL);
  if (rc != 0) {
    fprintf(stderr, "greeter_server: cannot create the server: %s\n",
            grpc_c_strerror(rc));
    return 1;
  }
  int bound_port = 0;
  rc = grpc_c_server_add_listener(server, address, &bound_port);
  if (rc == 0)
    rc = helloworld__greeter__servicer__register(server, &greeter, NULL);
  /* From here on SIGTERM/SIGINT drain calls for up to 5 s, even one that
   * arrives before the wait below. */
  if (rc == 0) rc = grpc_c_server_handle_signals(server, 5000);
  if (rc == 0) rc = grpc_c_server_start(server);
  if (rc != 0) {
    fprintf(stderr, "greeter_server: cannot serve on %s: %s\n", address,
            grpc_c_strerror(rc));
    grpc_c_server_destroy(server);
    return 1;
  }
  printf("greeter_server listening on port %d\n", bound_port);
  fflush(stdout);

  grpc_c_server_wait(server); /* until a signal has drained it */
  grpc_c_server_destroy(server);
  return 0;
}
