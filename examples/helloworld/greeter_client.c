/*
 * greeter_client: the gRPC "hello world" client, written with grpc-c.
 *
 *   greeter_client [TARGET [NAME]]
 *
 * Calls helloworld.Greeter/SayHello on TARGET (default "localhost:50051")
 * with NAME (default "world") and prints the reply. Exits 1 when the call
 * fails, printing the status code name and message.
 */
#include <grpc-c/grpc-c.h>
#include <stdio.h>

#include "helloworld.grpc-c.h"

int main(int argc, char **argv) {
  const char *target = argc > 1 ? argv[1] : "localhost:50051";
  const char *name = argc > 2 ? argv[2] : "world";

  grpc_c_channel *channel = NULL;
  int rc = grpc_c_channel_create(&channel, target, NULL);
  if (rc != 0) {
    fprintf(stderr, "greeter_client: cannot create a channel to %s: %s\n",
            target, grpc_c_strerror(rc));
    return 1;
  }

  /* Every call should have a deadline; this one travels to the server. */
  grpc_c_call_options *opts = NULL;
  rc = grpc_c_call_options_new(&opts);
  if (rc == 0) rc = grpc_c_call_options_set_timeout_ms(opts, 5000);
  if (rc != 0) {
    fprintf(stderr, "greeter_client: call options: %s\n", grpc_c_strerror(rc));
    grpc_c_call_options_free(opts);
    grpc_c_channel_destroy(channel);
    return 1;
  }

  Helloworld__HelloRequest request = HELLOWORLD__HELLO_REQUEST__INIT;
  request.name = (char *)name; /* borrowed by the call, never written */
  Helloworld__HelloReply *reply = NULL;
  grpc_c_status status = GRPC_C_STATUS_INIT;
  grpc_c_code code = helloworld__greeter__say_hello__call(
      channel, &request, &reply, opts, &status);

  int exit_code = 0;
  if (code == GRPC_C_OK) {
    printf("Greeter received: %s\n", reply->message);
    helloworld__hello_reply__free_unpacked(reply, NULL); /* the reply is ours */
  } else {
    fprintf(stderr, "greeter_client: RPC failed: %s: %s\n",
            grpc_c_code_name(code), status.message ? status.message : "");
    exit_code = 1;
  }
  grpc_c_status_clear(&status);
  grpc_c_call_options_free(opts);
  grpc_c_channel_destroy(channel);
  return exit_code;
}
