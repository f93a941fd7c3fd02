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

/* ---- helpers shared by the test programs ---- */

/* Sleeps `ms` milliseconds. */
void e2e_sleep_ms(int ms);
/* Seconds on the monotonic clock. */
double e2e_now_s(void);
/* Waits (at most 2 s) until *counter >= value; returns the last value. */
int e2e_wait_for(atomic_int *counter, int value);
/* New call options with a timeout of `ms` (the caller frees them). */
grpc_c_call_options *e2e_timeout_opts(int64_t ms);
/* Opens a Bidi stream with a `timeout_ms` deadline whose request asks the
 * handler to wait for cancellation, and checks that reading fails and the
 * call ends with DEADLINE_EXCEEDED. */
void e2e_bidi_expect_deadline(grpc_c_channel *channel, int64_t timeout_ms);
/* Runs a Check suite in-process; returns the process exit status. */
struct Suite;
int e2e_run_suite(struct Suite *suite);

#endif
