/*
 * auth_server: a TLS gRPC server that lets a call reach its handler only
 * with the right bearer token, written with grpc-c.
 *
 * Environment:
 *   PORT           port to listen on, on all addresses (default 8443;
 *                  0 picks a free port)
 *   BIND_HOST      address to listen on instead of all (0.0.0.0)
 *   TLS_CERT       server certificate chain, PEM file (required)
 *   TLS_KEY        its private key, PEM file (required)
 *   TLS_CLIENT_CA  when set: mutual TLS, clients must present a certificate
 *                  signed by this CA
 *   AUTH_TOKEN     the token callers must send (default "demo-token")
 *
 * The auth hook runs before every handler: a call without
 * "authorization: Bearer <AUTH_TOKEN>" ends with UNAUTHENTICATED and the
 * handler never runs. WhoAmI answers with what the server knows about the
 * caller. SIGTERM stops the server gracefully.
 */
#include <grpc-c/grpc-c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.grpc-c.h"

typedef struct auth_config {
  char expected[512]; /* "Bearer <token>" */
} auth_config;

/* The auth hook: checks the token and names the caller. Keep it fast: it
 * runs on a server thread before each call's handler. */
static grpc_c_code check_token(void *user_data, grpc_c_server_ctx *ctx) {
  const auth_config *config = user_data;
  const char *authorization =
      grpc_c_server_ctx_metadata(ctx, "authorization", 0, NULL);
  if (!authorization)
    return grpc_c_server_ctx_fail(ctx, GRPC_C_UNAUTHENTICATED,
                                  "missing bearer token");
  if (strcmp(authorization, config->expected) != 0)
    return grpc_c_server_ctx_fail(ctx, GRPC_C_UNAUTHENTICATED,
                                  "invalid bearer token");
  grpc_c_server_ctx_set_principal(ctx, "demo-user");
  return GRPC_C_OK;
}

/* Strings in the reply point into the call's own memory, which lives until
 * the reply is sent. */
static grpc_c_code who_am_i(void *self, grpc_c_server_ctx *ctx,
                            const Authdemo__IdentityQuery *request,
                            Authdemo__CallerIdentity *reply) {
  (void)self;
  (void)request;
  const char *subject = grpc_c_server_ctx_peer_subject(ctx);
  const char *san = grpc_c_server_ctx_peer_san(ctx, 0);
  reply->principal = (char *)grpc_c_server_ctx_principal(ctx);
  reply->secure = grpc_c_server_ctx_is_secure(ctx);
  reply->client_subject = (char *)(subject ? subject : "");
  reply->client_san = (char *)(san ? san : "");
  return GRPC_C_OK;
}

static const Authdemo__Identity_Servicer servicer = {.who_am_i = who_am_i};

static int fail(const char *what, int rc) {
  fprintf(stderr, "auth_server: %s: %s\n", what, grpc_c_strerror(rc));
  return 1;
}

int main(void) {
  const char *cert = getenv("TLS_CERT"), *key = getenv("TLS_KEY");
  const char *client_ca = getenv("TLS_CLIENT_CA");
  const char *token = getenv("AUTH_TOKEN");
  if (!cert || !key) {
    fprintf(stderr, "auth_server: set TLS_CERT and TLS_KEY to PEM files\n");
    return 2;
  }
  auth_config config;
  snprintf(config.expected, sizeof config.expected, "Bearer %s",
           token && *token ? token : "demo-token");

  grpc_c_tls_server_options *tls;
  int rc = grpc_c_tls_server_options_new(&tls);
  if (rc == 0)
    rc = grpc_c_tls_server_options_add_key_cert_files(tls, cert, key);
  if (rc == 0 && client_ca && *client_ca) {
    rc = grpc_c_tls_server_options_set_client_ca_file(tls, client_ca);
    if (rc == 0)
      rc = grpc_c_tls_server_options_set_client_cert_policy(
          tls, GRPC_C_CLIENT_CERT_REQUIRE_AND_VERIFY);
  }
  if (rc != 0) return fail("TLS settings", rc);

  grpc_c_server_options *opts;
  grpc_c_server *server = NULL;
  rc = grpc_c_server_options_new(&opts);
  if (rc == 0)
    rc = grpc_c_server_options_set_auth_hook(opts, check_token, &config);
  if (rc == 0) rc = grpc_c_server_create(&server, opts);
  grpc_c_server_options_free(opts);

  /* PORT=0 picks any free port (the tests use it). */
  const char *port_env = getenv("PORT");
  int listen_port =
      port_env && strcmp(port_env, "0") == 0 ? 0 : grpc_c_port_from_env(8443);
  /* All addresses unless BIND_HOST says otherwise (tests: 127.0.0.1). */
  const char *host = getenv("BIND_HOST");
  char address[300];
  snprintf(address, sizeof address, "%s:%d", host && *host ? host : "0.0.0.0",
           listen_port);
  int port = 0;
  if (rc == 0) rc = grpc_c_server_add_tls_listener(server, address, tls, &port);
  grpc_c_tls_server_options_free(tls);
  if (rc == 0)
    rc = authdemo__identity__servicer__register(server, &servicer, NULL);
  /* SIGTERM/SIGINT drain for up to 5 s from here on. */
  if (rc == 0) rc = grpc_c_server_handle_signals(server, 5000);
  if (rc == 0) rc = grpc_c_server_start(server);
  if (rc != 0) {
    grpc_c_server_destroy(server);
    return fail(address, rc);
  }
  printf("auth_server listening on port %d (TLS%s)\n", port,
         client_ca && *client_ca ? ", client certificates required" : "");
  fflush(stdout);
  grpc_c_server_wait(server); /* until a signal has drained it */
  grpc_c_server_destroy(server);
  fprintf(stderr, "auth_server stopped\n");
  return 0;
}
