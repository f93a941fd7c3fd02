/*
 * ping_server: a gRPC service shaped for Cloud Run, Knative and similar
 * platforms, written with grpc-c.
 *
 *  - listens on 0.0.0.0:$PORT (8080 when PORT is unset), as those platforms
 *    require ($BIND_HOST replaces 0.0.0.0, e.g. 127.0.0.1 for local tests);
 *  - on SIGTERM (what the platform sends before stopping an instance) stops
 *    accepting calls and lets in-flight ones finish for up to 5 s, well
 *    within Cloud Run's 10 s, then exits 0;
 *  - logs one line to stderr when it starts and one when it stops, and
 *    nothing per call.
 */
#define _POSIX_C_SOURCE 200809L

#include <grpc-c/grpc-c.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "ping.grpc-c.h"

/* Shutdown grace: in-flight calls get this long after SIGTERM. */
#define GRACE_MS 5000

/* What every call answers with besides the echo; set once in main(). */
typedef struct ping_identity {
  char hostname[256];
  const char *revision;
} ping_identity;

static int64_t unix_time_ms(void) {
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* The reply is owned by the runtime and only read while it is sent, so it
 * may point at the request (alive for the whole call) and at `self`. */
static grpc_c_code ping(void *self, grpc_c_server_ctx *ctx,
                        const Ping__PingRequest *request,
                        Ping__PingReply *reply) {
  (void)ctx;
  ping_identity *identity = self;
  reply->message = request->message;
  reply->hostname = identity->hostname;
  reply->revision = (char *)identity->revision;
  reply->unix_time_ms = unix_time_ms();
  return GRPC_C_OK;
}

static const Ping__Ping_Servicer servicer = {
    .ping = ping,
};

int main(void) {
  ping_identity identity;
  if (gethostname(identity.hostname, sizeof identity.hostname) != 0) {
    snprintf(identity.hostname, sizeof identity.hostname, "unknown");
  }
  identity.hostname[sizeof identity.hostname - 1] = '\0';
  identity.revision = getenv("K_REVISION");
  if (!identity.revision) identity.revision = "";

  int port = grpc_c_port_from_env(8080);
  /* All addresses unless BIND_HOST says otherwise (tests: 127.0.0.1). */
  const char *host = getenv("BIND_HOST");
  char address[300];
  snprintf(address, sizeof address, "%s:%d", host && *host ? host : "0.0.0.0",
           port);

  grpc_c_server *server = NULL;
  int bound_port = 0;
  int rc = grpc_c_server_create(&server, NULL);
  if (rc == 0) rc = grpc_c_server_add_listener(server, address, &bound_port);
  if (rc == 0)
    rc = ping__ping__servicer__register(server, &servicer, &identity);
  /* SIGTERM/SIGINT drain from here on, even before the wait below. */
  if (rc == 0) rc = grpc_c_server_handle_signals(server, GRACE_MS);
  if (rc == 0) rc = grpc_c_server_start(server);
  if (rc != 0) {
    fprintf(stderr, "ping_server: cannot serve on %s: %s\n", address,
            grpc_c_strerror(rc));
    grpc_c_server_destroy(server);
    return 1;
  }
  fprintf(stderr, "ping_server listening on port %d\n", bound_port);

  grpc_c_server_wait(server); /* until a signal has drained it */
  grpc_c_server_destroy(server);
  fprintf(stderr, "ping_server stopped\n");
  return 0;
}
