/*
 * ping_client: calls ping.Ping/Ping once and prints the answer.
 *
 *   ping_client [TARGET [MESSAGE]]
 *
 * TARGET defaults to "localhost:8080", MESSAGE to "ping". A TARGET on port
 * 443 (a deployed Cloud Run or Knative service, e.g.
 * "ping-abc123-uc.a.run.app:443") gets TLS with the system's root store;
 * anything else is plaintext (h2c), for a local server or container.
 * With ID_TOKEN set (for a Cloud Run service that requires authentication:
 * ID_TOKEN=$(gcloud auth print-identity-token)), every call sends it as a
 * bearer token. Exits 1 when the call fails or the echo is wrong.
 */
#include <grpc-c/grpc-c.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ping.grpc-c.h"

static bool ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* TLS for port 443, a bearer token from ID_TOKEN. */
static int channel_options(const char *target, grpc_c_channel_options *o) {
  int rc = 0;
  if (ends_with(target, ":443")) rc = grpc_c_channel_options_set_tls(o, NULL);
  const char *token = getenv("ID_TOKEN");
  if (rc == 0 && token && *token) {
    grpc_c_call_credentials *creds;
    rc = grpc_c_call_credentials_bearer(&creds, token);
    if (rc == 0) rc = grpc_c_channel_options_set_call_credentials(o, creds);
    grpc_c_call_credentials_free(creds);
  }
  return rc;
}

int main(int argc, char **argv) {
  const char *target = argc > 1 ? argv[1] : "localhost:8080";
  const char *message = argc > 2 ? argv[2] : "ping";

  grpc_c_channel *channel = NULL;
  grpc_c_channel_options *channel_opts = NULL;
  int rc = grpc_c_channel_options_new(&channel_opts);
  if (rc == 0) rc = channel_options(target, channel_opts);
  if (rc == 0) rc = grpc_c_channel_create(&channel, target, channel_opts);
  grpc_c_channel_options_free(channel_opts);
  if (rc != 0) {
    fprintf(stderr, "ping_client: cannot create a channel to %s: %s\n", target,
            grpc_c_strerror(rc));
    return 1;
  }
  grpc_c_call_options *opts = NULL;
  rc = grpc_c_call_options_new(&opts);
  if (rc == 0) rc = grpc_c_call_options_set_timeout_ms(opts, 5000);
  if (rc != 0) {
    fprintf(stderr, "ping_client: call options: %s\n", grpc_c_strerror(rc));
    grpc_c_call_options_free(opts);
    grpc_c_channel_destroy(channel);
    return 1;
  }

  Ping__PingRequest request = PING__PING_REQUEST__INIT;
  request.message = (char *)message; /* borrowed by the call, never written */
  Ping__PingReply *reply = NULL;
  grpc_c_status status = GRPC_C_STATUS_INIT;
  grpc_c_code code =
      ping__ping__ping__call(channel, &request, &reply, opts, &status);

  int exit_code = 0;
  if (code == GRPC_C_OK) {
    printf("ping reply: message=\"%s\" hostname=\"%s\" unix_time_ms=%" PRId64
           " revision=\"%s\"\n",
           reply->message, reply->hostname, reply->unix_time_ms,
           reply->revision);
    if (strcmp(reply->message, message) != 0) {
      fprintf(stderr, "ping_client: the echo differs from what was sent\n");
      exit_code = 1;
    }
    ping__ping_reply__free_unpacked(reply, NULL); /* the reply is ours */
  } else {
    fprintf(stderr, "ping_client: RPC failed: %s: %s\n", grpc_c_code_name(code),
            status.message ? status.message : "");
    exit_code = 1;
  }
  grpc_c_status_clear(&status);
  grpc_c_call_options_free(opts);
  grpc_c_channel_destroy(channel);
  return exit_code;
}
