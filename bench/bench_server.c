/* Benchmark server: helloworld.Greeter from bench/proto/helloworld.proto.
 *   SayHello        -> "Hello, " + name
 *   SayHelloStream  -> one "Hello, " + name reply per request
 * Listens on 127.0.0.1:$PORT (50151 when unset; BIND_HOST overrides the
 * host); SIGTERM/SIGINT stop it.
 * POLLERS=N sets the number of poller threads (default: CPUs available). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helloworld.grpc-c.h"

static char *hello(grpc_c_server_ctx *ctx, const char *name) {
  static const char prefix[] = "Hello, ";
  size_t len = strlen(name);
  char *text = grpc_c_server_ctx_alloc(ctx, sizeof prefix + len);
  if (!text) return NULL;
  memcpy(text, prefix, sizeof prefix - 1);
  memcpy(text + sizeof prefix - 1, name, len + 1);
  return text;
}

static grpc_c_code say_hello(void *self, grpc_c_server_ctx *ctx,
                             const Helloworld__HelloRequest *request,
                             Helloworld__HelloReply *response) {
  (void)self;
  response->message = hello(ctx, request->name);
  return response->message ? GRPC_C_OK : GRPC_C_RESOURCE_EXHAUSTED;
}

static grpc_c_code say_hello_stream(
    void *self, grpc_c_server_ctx *ctx,
    Helloworld__Greeter__SayHelloStream_ServerStream *stream) {
  (void)self;
  (void)ctx;
  Helloworld__HelloRequest *request;
  char buf[256];
  while (helloworld__greeter__say_hello_stream__server_read(stream, &request)) {
    Helloworld__HelloReply reply = HELLOWORLD__HELLO_REPLY__INIT;
    snprintf(buf, sizeof buf, "Hello, %s", request->name);
    reply.message = buf;
    if (!helloworld__greeter__say_hello_stream__server_write(stream, &reply))
      break;
  }
  return GRPC_C_OK;
}

int main(void) {
  static const Helloworld__Greeter_Servicer greeter = {
      .say_hello = say_hello, .say_hello_stream = say_hello_stream};
  int port = grpc_c_port_from_env(50151);
  char address[128];
  const char *host = getenv("BIND_HOST");
  snprintf(address, sizeof address, "%s:%d", host ? host : "127.0.0.1", port);

  grpc_c_server_options *opts;
  grpc_c_server *server;
  int rc = grpc_c_server_options_new(&opts);
  const char *pollers = getenv("POLLERS");
  if (!rc && pollers)
    rc = grpc_c_server_options_set_poller_threads(opts, atoi(pollers));
  if (!rc) rc = grpc_c_server_create(&server, opts);
  grpc_c_server_options_free(opts);
  if (rc) {
    fprintf(stderr, "bench_server: %s\n", grpc_c_strerror(rc));
    return 1;
  }
  if ((rc = grpc_c_server_add_listener(server, address, NULL)) ||
      (rc = helloworld__greeter__servicer__register(server, &greeter, NULL)) ||
      (rc = grpc_c_server_start(server))) {
    fprintf(stderr, "bench_server: %s\n", grpc_c_strerror(rc));
    grpc_c_server_destroy(server);
    return 1;
  }
  fprintf(stderr, "bench_server listening on %s\n", address);
  rc = grpc_c_server_wait_for_signal(server, 2000);
  grpc_c_server_destroy(server);
  return rc ? 1 : 0;
}
