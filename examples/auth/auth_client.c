/*
 * auth_client: calls auth_server's WhoAmI over TLS with a bearer token.
 *
 *   auth_client TARGET          e.g. auth_client 127.0.0.1:8443
 *
 * Environment:
 *   TLS_CA           CA bundle that signed the server certificate (PEM file);
 *                    unset: the system's root store, as for public services
 *   TLS_SERVER_NAME  check the server certificate against this name instead
 *                    of TARGET's host
 *   TLS_CLIENT_CERT, TLS_CLIENT_KEY
 *                    a client certificate for mutual TLS
 *   AUTH_TOKEN       the token to send (default "demo-token"); the runtime
 *                    asks the token source below for it on every call
 *
 * Exits 0 after a successful call; prints the status and exits 1 otherwise.
 */
#include <grpc-c/grpc-c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.grpc-c.h"

/* A token source: real applications return a cached identity token here
 * (for Cloud Run, one minted for the service's URL) and refresh it before
 * it expires. */
static grpc_c_code token_source(void *user_data,
                                const grpc_c_token_request *request,
                                char **token, char **error) {
  (void)request;
  (void)error;
  *token = strdup(user_data);
  return *token ? GRPC_C_OK : GRPC_C_RESOURCE_EXHAUSTED;
}

static int setup_failed(const char *what, int rc) {
  fprintf(stderr, "auth_client: %s: %s\n", what, grpc_c_strerror(rc));
  return 1;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s TARGET\n", argv[0]);
    return 2;
  }
  const char *ca = getenv("TLS_CA"), *name = getenv("TLS_SERVER_NAME");
  const char *cert = getenv("TLS_CLIENT_CERT"), *key = getenv("TLS_CLIENT_KEY");
  const char *token = getenv("AUTH_TOKEN");
  if (!token || !*token) token = "demo-token";

  grpc_c_channel_options *opts;
  int rc = grpc_c_channel_options_new(&opts);
  if (rc == 0)
    rc = ca && *ca ? grpc_c_channel_options_set_tls_ca_file(opts, ca)
                   : grpc_c_channel_options_set_tls(opts, NULL);
  if (rc == 0 && name && *name)
    rc = grpc_c_channel_options_set_tls_server_name(opts, name);
  if (rc == 0 && cert && key)
    rc = grpc_c_channel_options_set_tls_client_cert_files(opts, cert, key);
  grpc_c_call_credentials *creds = NULL;
  if (rc == 0)
    rc = grpc_c_call_credentials_token_source(&creds, token_source,
                                              (void *)token, NULL);
  if (rc == 0) rc = grpc_c_channel_options_set_call_credentials(opts, creds);
  grpc_c_channel *channel = NULL;
  if (rc == 0) rc = grpc_c_channel_create(&channel, argv[1], opts);
  grpc_c_call_credentials_free(creds);
  grpc_c_channel_options_free(opts);
  if (rc != 0) return setup_failed("channel", rc);

  grpc_c_call_options *call_opts;
  if (grpc_c_call_options_new(&call_opts) == 0)
    grpc_c_call_options_set_timeout_ms(call_opts, 10000);
  Authdemo__IdentityQuery request = AUTHDEMO__IDENTITY_QUERY__INIT;
  Authdemo__CallerIdentity *reply = NULL;
  grpc_c_status status = GRPC_C_STATUS_INIT;
  grpc_c_code code = authdemo__identity__who_am_i__call(
      channel, &request, &reply, call_opts, &status);
  int exit_code = 0;
  if (code == GRPC_C_OK) {
    printf(
        "whoami: principal=\"%s\" secure=%s client_subject=\"%s\" "
        "client_san=\"%s\"\n",
        reply->principal, reply->secure ? "yes" : "no", reply->client_subject,
        reply->client_san);
    authdemo__caller_identity__free_unpacked(reply, NULL);
  } else {
    printf("RPC failed: %s: %s\n", grpc_c_code_name(code),
           status.message ? status.message : "");
    exit_code = 1;
  }
  grpc_c_status_clear(&status);
  grpc_c_call_options_free(call_opts);
  grpc_c_channel_destroy(channel);
  return exit_code;
}
