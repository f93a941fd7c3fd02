/* The Greeter handlers of bench_server, shared with bench_soak's in-process
 * server (greeter.h). */
#include "greeter.h"

#include <stdio.h>
#include <string.h>

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

/* SayHelloStream, non-blocking: the handler installs callbacks and returns;
 * replies are queued from on_read, and the call ends at half-close. */
typedef Helloworld__Greeter__SayHelloStream_ServerStream SayHelloStream;

static void stream_on_read(grpc_c_server_ctx *ctx, SayHelloStream *stream,
                           const Helloworld__HelloRequest *request,
                           void *user_data) {
  (void)ctx;
  (void)user_data;
  static const char prefix[] = "Hello, ";
  char buf[256];
  size_t len = strlen(request->name);
  if (len > sizeof buf - sizeof prefix) len = sizeof buf - sizeof prefix;
  memcpy(buf, prefix, sizeof prefix - 1);
  memcpy(buf + sizeof prefix - 1, request->name, len);
  buf[sizeof prefix - 1 + len] = '\0';
  Helloworld__HelloReply reply = HELLOWORLD__HELLO_REPLY__INIT;
  reply.message = buf;
  helloworld__greeter__say_hello_stream__server_write(stream, &reply);
}

static void stream_on_read_done(grpc_c_server_ctx *ctx, SayHelloStream *stream,
                                void *user_data) {
  (void)stream;
  (void)user_data;
  grpc_c_server_ctx_finish(
      ctx, grpc_c_server_ctx_is_cancelled(ctx) ? GRPC_C_CANCELLED : GRPC_C_OK);
}

static const Helloworld__Greeter__SayHelloStream_Reactor stream_reactor = {
    .on_read = stream_on_read, .on_read_done = stream_on_read_done};

static grpc_c_code say_hello_stream_nonblocking(void *self,
                                                grpc_c_server_ctx *ctx,
                                                SayHelloStream *stream) {
  (void)self;
  (void)ctx;
  helloworld__greeter__say_hello_stream__server_react(stream, &stream_reactor,
                                                      NULL);
  return GRPC_C_OK; /* ignored once the reactor is installed */
}

/* SayHelloStream, blocking (STREAM_STYLE=blocking): a worker thread per
 * open stream. */
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

int bench_greeter_register(grpc_c_server *server, bool blocking_streams) {
  static const Helloworld__Greeter_Servicer blocking = {
      .say_hello = say_hello, .say_hello_stream = say_hello_stream};
  static const Helloworld__Greeter_Servicer nonblocking = {
      .say_hello = say_hello, .say_hello_stream = say_hello_stream_nonblocking};
  int rc = helloworld__greeter__servicer__register(
      server, blocking_streams ? &blocking : &nonblocking, NULL);
  if (!rc && !blocking_streams)
    rc = grpc_c_server_set_nonblocking(
        server, &helloworld__greeter__say_hello_stream__method);
  return rc;
}
