/*
 * ping_client: calls ping.Ping/Ping once and prints the answer.
 *
 *   ping_client [TARGET [MESSAGE]]
 *
 * TARGET defaults to "localhost:8080", MESSAGE to "ping". The channel is
 * plaintext (h2c): use it against a local server or container; a Cloud Run
 * URL needs TLS (see README.md). Exits 1 when the call fails or the echo is
 * wrong.
 */
#include <grpc-c/grpc-c.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ping.grpc-c.h"

int main(int argc, char **argv) {
  const char *target = argc > 1 ? argv[1] : "localhost:8080";
  const char *message = argc > 2 ? argv[2] : "ping";

  grpc_c_channel *channel = NULL;
  int rc = grpc_c_channel_create(&channel, target, NULL);
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
