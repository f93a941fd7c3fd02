/* helloworld.Greeter for the benchmark servers:
 *   SayHello        -> "Hello, " + name
 *   SayHelloStream  -> one "Hello, " + name reply per request; a
 *                      non-blocking reactor on the pollers, or a blocking
 *                      handler on a worker thread per stream */
#ifndef BENCH_GREETER_H
#define BENCH_GREETER_H

#include <stdbool.h>

#include "helloworld.grpc-c.h"

/* Registers the Greeter on `server` (not started yet), with blocking or
 * non-blocking stream handlers. Returns 0 or a grpc-c error. */
int bench_greeter_register(grpc_c_server *server, bool blocking_streams);

#endif
