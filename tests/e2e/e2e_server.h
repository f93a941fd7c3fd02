/* The Echo service the end-to-end tests talk to, run in-process. */
#ifndef E2E_SERVER_H
#define E2E_SERVER_H

#include <grpc-c/grpc-c.h>
#include <stdatomic.h>

typedef struct e2e_server {
  grpc_c_server *server;
  int port;
  char target[64];
  atomic_int handler_calls; /* handlers entered */
  atomic_int cancels_seen;  /* handlers that saw their call cancelled */
  atomic_int streams_done;  /* streaming handlers that returned */
  grpc_c_channel *loopback; /* to itself, for child calls */
} e2e_server;

/* Starts a server on 127.0.0.1:0 with the given options (may be NULL).
 * Returns 0 or a grpc-c error. */
int e2e_server_start(e2e_server *s, const grpc_c_server_options *opts);
/* The same on a given address such as "127.0.0.1:5000". */
int e2e_server_start_at(e2e_server *s, const grpc_c_server_options *opts,
                        const char *address);
/* Shuts down with `grace_ms` and destroys. */
void e2e_server_stop(e2e_server *s, int64_t grace_ms);

#endif
