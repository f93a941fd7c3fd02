/* Benchmark server: helloworld.Greeter from bench/proto/helloworld.proto.
 *   SayHello        -> "Hello, " + name
 *   SayHelloStream  -> one "Hello, " + name reply per request; a
 *                      non-blocking reactor on the pollers, or a blocking
 *                      handler on a worker thread with STREAM_STYLE=blocking
 * GRPC_C_LOG=1 logs the runtime's messages to stderr.
 * Listens on 127.0.0.1:$PORT (50151 when unset; BIND_HOST overrides the
 * host); SIGTERM/SIGINT stop it.
 * POLLERS=N sets the number of poller threads (default: CPUs available).
 * CORE_ARGS="key=N,key=N" sets integer core arguments (grpc.*). */
#include <stdbool.h>
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

int main(void) {
  const char *style = getenv("STREAM_STYLE");
  bool blocking = style && strcmp(style, "blocking") == 0;
  if (getenv("GRPC_C_LOG")) grpc_c_set_log(grpc_c_log_to_stderr, 0, NULL);
  Helloworld__Greeter_Servicer greeter = {
      .say_hello = say_hello,
      .say_hello_stream =
          blocking ? say_hello_stream : say_hello_stream_nonblocking};
  int port = grpc_c_port_from_env(50151);
  char address[128];
  const char *host = getenv("BIND_HOST");
  snprintf(address, sizeof address, "%s:%d", host ? host : "127.0.0.1", port);

  grpc_c_server_options *opts;
  grpc_c_server *server;
  int rc = grpc_c_server_options_new(&opts);
  /* CORE_ARGS="grpc.key=1,grpc.other=2": integer core arguments, for
   * trying the core's settings without a rebuild. */
  for (const char *a = getenv("CORE_ARGS"); !rc && a && *a;) {
    char key[128];
    int value, used = 0;
    if (sscanf(a, "%127[^=]=%d%n", key, &value, &used) != 2) {
      fprintf(stderr, "bench_server: CORE_ARGS: cannot read \"%s\"\n", a);
      rc = GRPC_C_EINVAL;
      break;
    }
    rc = grpc_c_server_options_set_int(opts, key, value);
    a += used;
    if (*a == ',') a++;
  }
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
      (!blocking &&
       (rc = grpc_c_server_set_nonblocking(
            server, &helloworld__greeter__say_hello_stream__method))) ||
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
