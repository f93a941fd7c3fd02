/* A server written on the gRPC core alone, not on grpc-c: it answers every
 * call, whatever its method, at once with one fixed status. The core sends
 * any code it is given, so tests use it to send what a grpc-c server would
 * not (a status outside 0..16). */
#ifndef CORE_STATUS_SERVER_H
#define CORE_STATUS_SERVER_H

typedef struct core_status_server core_status_server;

/* Starts it on 127.0.0.1 port 0; every call ends with `code` and `message`
 * (copied). Returns NULL on failure. */
core_status_server *core_status_server_start(int code, const char *message);
/* "127.0.0.1:PORT", for grpc_c_channel_create(). */
const char *core_status_server_target(const core_status_server *server);
/* Cancels what is left, stops its thread, frees. */
void core_status_server_stop(core_status_server *server);

#endif
