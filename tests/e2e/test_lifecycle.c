/* End-to-end tests of cancellation sources, wait-for-ready, retries and
 * per-method timeouts from the service config, and server life cycle:
 * several listeners, the stream worker bound, stream response metadata. */
#define _GNU_SOURCE
#include <check.h>
#include <grpc/grpc.h>
#include <grpc/support/alloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "e2e.grpc-c.h"
#include "e2e_server.h"

static e2e_server srv;
static grpc_c_channel *channel;

static void setup(void) {
  ck_assert_int_eq(e2e_server_start(&srv, NULL), 0);
  ck_assert_int_eq(grpc_c_channel_create(&channel, srv.target, NULL), 0);
}

static void teardown(void) {
  grpc_c_channel_destroy(channel);
  if (srv.server) e2e_server_stop(&srv, 1000);
}

typedef struct delayed_cancel {
  grpc_c_cancel_source *source;
  int delay_ms;
} delayed_cancel;

static void *cancel_after(void *arg) {
  delayed_cancel *d = arg;
  e2e_sleep_ms(d->delay_ms);
  grpc_c_cancel_source_cancel(d->source);
  return NULL;
}

START_TEST(cancel_source_cancels_a_blocking_unary_call) {
  grpc_c_cancel_source *source;
  grpc_c_call_options *opts;
  ck_assert_int_eq(grpc_c_cancel_source_new(&source), 0);
  ck_assert_int_eq(grpc_c_call_options_new(&opts), 0);
  ck_assert_int_eq(grpc_c_call_options_set_cancel_source(opts, source), 0);
  /* Not cancelled: calls work. */
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  E2e__EchoReply *reply;
  ck_assert_int_eq(e2e__echo__unary__call(channel, &req, &reply, opts, NULL),
                   GRPC_C_OK);
  e2e__echo_reply__free_unpacked(reply, NULL);
  /* A slow call, cancelled from another thread after 100 ms. */
  req.sleep_ms = 3000;
  delayed_cancel d = {source, 100};
  pthread_t thread;
  ck_assert_int_eq(pthread_create(&thread, NULL, cancel_after, &d), 0);
  double t0 = e2e_now_s();
  ck_assert_int_eq(e2e__echo__unary__call(channel, &req, &reply, opts, NULL),
                   GRPC_C_CANCELLED);
  ck_assert(e2e_now_s() - t0 < 2.0);
  pthread_join(thread, NULL);
  ck_assert(grpc_c_cancel_source_is_cancelled(source));
  /* Calls started afterwards end at once. */
  req.sleep_ms = 0;
  ck_assert_int_eq(e2e__echo__unary__call(channel, &req, &reply, opts, NULL),
                   GRPC_C_CANCELLED);
  E2e__Echo__Bidi_Stream *stream;
  ck_assert_int_eq(e2e__echo__bidi__start(channel, opts, &stream), 0);
  ck_assert(!e2e__echo__bidi__write(stream, &req));
  ck_assert_int_eq(e2e__echo__bidi__finish(stream, NULL), GRPC_C_CANCELLED);
  grpc_c_call_options_free(opts);
  grpc_c_cancel_source_free(source);
}
END_TEST

START_TEST(deferred_unary_handler_hears_client_cancel) {
  grpc_c_cancel_source *source;
  grpc_c_call_options *opts;
  ck_assert_int_eq(grpc_c_cancel_source_new(&source), 0);
  ck_assert_int_eq(grpc_c_call_options_new(&opts), 0);
  ck_assert_int_eq(grpc_c_call_options_set_cancel_source(opts, source), 0);
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  req.defer_until_cancel = true;
  delayed_cancel d = {source, 100};
  pthread_t thread;
  ck_assert_int_eq(pthread_create(&thread, NULL, cancel_after, &d), 0);
  E2e__EchoReply *reply;
  ck_assert_int_eq(e2e__echo__unary__call(channel, &req, &reply, opts, NULL),
                   GRPC_C_CANCELLED);
  pthread_join(thread, NULL);
  e2e_wait_for(&srv.cancels_seen, 1);
  ck_assert_int_eq(atomic_load(&srv.cancels_seen), 1);
  /* The slot was released: the server keeps serving. */
  E2e__EchoRequest plain = E2E__ECHO_REQUEST__INIT;
  ck_assert_int_eq(e2e__echo__unary__call(channel, &plain, &reply, NULL, NULL),
                   GRPC_C_OK);
  e2e__echo_reply__free_unpacked(reply, NULL);
  grpc_c_call_options_free(opts);
  grpc_c_cancel_source_free(source);
}
END_TEST

START_TEST(cancel_source_cancels_streams) {
  grpc_c_cancel_source *source;
  grpc_c_call_options *opts;
  ck_assert_int_eq(grpc_c_cancel_source_new(&source), 0);
  ck_assert_int_eq(grpc_c_call_options_new(&opts), 0);
  ck_assert_int_eq(grpc_c_call_options_set_cancel_source(opts, source), 0);
  E2e__Echo__Bidi_Stream *a, *b;
  ck_assert_int_eq(e2e__echo__bidi__start(channel, opts, &a), 0);
  ck_assert_int_eq(e2e__echo__bidi__start(channel, opts, &b), 0);
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  E2e__EchoReply *reply;
  ck_assert(e2e__echo__bidi__write(a, &req));
  ck_assert(e2e__echo__bidi__read(a, &reply));
  delayed_cancel d = {source, 50};
  pthread_t thread;
  ck_assert_int_eq(pthread_create(&thread, NULL, cancel_after, &d), 0);
  ck_assert(!e2e__echo__bidi__read(b, &reply)); /* blocked, then cancelled */
  pthread_join(thread, NULL);
  ck_assert_int_eq(e2e__echo__bidi__finish(a, NULL), GRPC_C_CANCELLED);
  ck_assert_int_eq(e2e__echo__bidi__finish(b, NULL), GRPC_C_CANCELLED);
  grpc_c_call_options_free(opts);
  grpc_c_cancel_source_free(source);
}
END_TEST

typedef struct late_start {
  e2e_server *server;
  char address[64];
  int delay_ms;
  int rc;
} late_start;

/* Starts the Echo server on a fixed address after a delay. */
static void *start_late(void *arg) {
  late_start *l = arg;
  e2e_sleep_ms(l->delay_ms);
  l->rc = e2e_server_start_at(l->server, NULL, l->address);
  return NULL;
}

START_TEST(wait_for_ready_waits_for_the_server) {
  /* A port that is free now: take one from a server and stop it. */
  int port = srv.port;
  grpc_c_channel_destroy(channel);
  e2e_server_stop(&srv, 0);
  char target[64];
  snprintf(target, sizeof target, "127.0.0.1:%d", port);
  ck_assert_int_eq(grpc_c_channel_create(&channel, target, NULL), 0);
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  E2e__EchoReply *reply;
  grpc_c_call_options *opts;
  ck_assert_int_eq(grpc_c_call_options_new(&opts), 0);
  ck_assert_int_eq(grpc_c_call_options_set_timeout_ms(opts, 5000), 0);
  /* Without wait-for-ready: fails fast. */
  ck_assert_int_eq(e2e__echo__unary__call(channel, &req, &reply, opts, NULL),
                   GRPC_C_UNAVAILABLE);
  /* With it: waits until a server listens on the port. */
  ck_assert_int_eq(grpc_c_call_options_set_wait_for_ready(opts, true), 0);
  late_start l = {&srv, {0}, 300, -1};
  snprintf(l.address, sizeof l.address, "127.0.0.1:%d", port);
  pthread_t thread;
  ck_assert_int_eq(pthread_create(&thread, NULL, start_late, &l), 0);
  ck_assert_int_eq(e2e__echo__unary__call(channel, &req, &reply, opts, NULL),
                   GRPC_C_OK);
  pthread_join(thread, NULL);
  ck_assert_int_eq(l.rc, 0);
  e2e__echo_reply__free_unpacked(reply, NULL);
  grpc_c_call_options_free(opts);
}
END_TEST

START_TEST(retry_policy_from_service_config) {
  grpc_c_channel_options *copts;
  ck_assert_int_eq(grpc_c_channel_options_new(&copts), 0);
  ck_assert_int_eq(
      grpc_c_channel_options_set_service_config(
          copts,
          "{\"methodConfig\":[{\"name\":[{\"service\":\"e2e.Echo\"}],"
          "\"retryPolicy\":{\"maxAttempts\":4,\"initialBackoff\":\"0.01s\","
          "\"maxBackoff\":\"0.05s\",\"backoffMultiplier\":2,"
          "\"retryableStatusCodes\":[\"UNAVAILABLE\"]}}]}"),
      0);
  grpc_c_channel *ch;
  ck_assert_int_eq(grpc_c_channel_create(&ch, srv.target, copts), 0);
  grpc_c_channel_options_free(copts);
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  req.fail_until_call = 2; /* the first two attempts fail */
  E2e__EchoReply *reply;
  ck_assert_int_eq(e2e__echo__unary__call(ch, &req, &reply, NULL, NULL),
                   GRPC_C_OK);
  e2e__echo_reply__free_unpacked(reply, NULL);
  ck_assert_int_eq(atomic_load(&srv.handler_calls), 3);
  grpc_c_channel_destroy(ch);
  /* Without the policy the first failure is final. */
  atomic_store(&srv.handler_calls, 0);
  ck_assert_int_eq(e2e__echo__unary__call(channel, &req, &reply, NULL, NULL),
                   GRPC_C_UNAVAILABLE);
  ck_assert_int_eq(atomic_load(&srv.handler_calls), 1);
}
END_TEST

START_TEST(per_method_timeout_from_service_config) {
  grpc_c_channel_options *copts;
  ck_assert_int_eq(grpc_c_channel_options_new(&copts), 0);
  ck_assert_int_eq(
      grpc_c_channel_options_set_service_config(
          copts,
          "{\"methodConfig\":[{\"name\":[{\"service\":\"e2e.Echo\","
          "\"method\":\"Unary\"}],\"timeout\":\"0.2s\"}]}"),
      0);
  grpc_c_channel *ch;
  ck_assert_int_eq(grpc_c_channel_create(&ch, srv.target, copts), 0);
  grpc_c_channel_options_free(copts);
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  req.sleep_ms = 1000;
  E2e__EchoReply *reply;
  ck_assert_int_eq(e2e__echo__unary__call(ch, &req, &reply, NULL, NULL),
                   GRPC_C_DEADLINE_EXCEEDED);
  grpc_c_channel_destroy(ch);
}
END_TEST

START_TEST(server_listens_on_several_addresses) {
  grpc_c_server *server;
  static const E2e__Echo_Servicer none = {0};
  int port_a = 0, port_b = 0;
  ck_assert_int_eq(grpc_c_server_create(&server, NULL), 0);
  ck_assert_int_eq(grpc_c_server_add_listener(server, "127.0.0.1:0", &port_a),
                   0);
  ck_assert_int_eq(grpc_c_server_add_listener(server, "[::1]:0", &port_b), 0);
  ck_assert_int_eq(e2e__echo__servicer__register(server, &none, NULL), 0);
  ck_assert_int_eq(grpc_c_server_start(server), 0);
  const char *formats[] = {"127.0.0.1:%d", "[::1]:%d"};
  int ports[] = {port_a, port_b};
  for (int i = 0; i < 2; i++) {
    char target[64];
    snprintf(target, sizeof target, formats[i], ports[i]);
    grpc_c_channel *ch;
    ck_assert_int_eq(grpc_c_channel_create(&ch, target, NULL), 0);
    E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
    E2e__EchoReply *reply;
    /* Every slot is NULL: UNIMPLEMENTED proves the server answered. */
    ck_assert_int_eq(e2e__echo__unary__call(ch, &req, &reply, NULL, NULL),
                     GRPC_C_UNIMPLEMENTED);
    grpc_c_channel_destroy(ch);
  }
  grpc_c_server_destroy(server);
}
END_TEST

/* A server listening on `port` (0: any; *bound tells which); *rc is what
 * adding the listener returned. */
static grpc_c_server *server_on(int port, bool reuseport, int *rc, int *bound) {
  grpc_c_server_options *opts;
  grpc_c_server *server = NULL;
  ck_assert_int_eq(grpc_c_server_options_new(&opts), 0);
  if (reuseport)
    ck_assert_int_eq(
        grpc_c_server_options_set_int(opts, "grpc.so_reuseport", 1), 0);
  ck_assert_int_eq(grpc_c_server_create(&server, opts), 0);
  grpc_c_server_options_free(opts);
  char address[64];
  snprintf(address, sizeof address, "127.0.0.1:%d", port);
  *rc = grpc_c_server_add_listener(server, address, bound);
  return server;
}

/* The runtime gives the core defaults (SO_REUSEPORT off, channelz off);
 * a server option with the same key must win over them. */
START_TEST(server_options_win_over_runtime_defaults) {
  int rc, port, bound;
  grpc_c_server *first = server_on(0, true, &rc, &port);
  ck_assert_int_eq(rc, 0);
  ck_assert_int_gt(port, 0);
  /* Both ask for SO_REUSEPORT: the port is shared. */
  grpc_c_server *sharing = server_on(port, true, &rc, &bound);
  ck_assert_int_eq(rc, 0);
  ck_assert_int_eq(bound, port);
  /* The default keeps it off: the port is taken. */
  grpc_c_server *plain = server_on(port, false, &rc, &bound);
  ck_assert_int_eq(rc, GRPC_C_EBIND);
  grpc_c_server_destroy(plain);
  grpc_c_server_destroy(sharing);
  grpc_c_server_destroy(first);
}
END_TEST

/* Channelz is off by default (the runtime offers no channelz service and
 * it costs CPU per message); set_int() turns it back on. The core's own
 * channelz registry tells which servers and channels it tracks. */
static bool channelz_lists(char *(*list)(intptr_t), const char *key) {
  char *json = list(0);
  bool found = json && strstr(json, key) != NULL;
  gpr_free(json);
  return found;
}

START_TEST(channelz_is_off_unless_asked) {
  /* The fixture's server and channel use the defaults. */
  ck_assert(!channelz_lists(grpc_channelz_get_servers, "\"serverId\""));
  ck_assert(!channelz_lists(grpc_channelz_get_top_channels, "\"channelId\""));
  grpc_c_server_options *sopts;
  ck_assert_int_eq(grpc_c_server_options_new(&sopts), 0);
  ck_assert_int_eq(
      grpc_c_server_options_set_int(sopts, "grpc.enable_channelz", 1), 0);
  grpc_c_server *tracked;
  ck_assert_int_eq(grpc_c_server_create(&tracked, sopts), 0);
  grpc_c_server_options_free(sopts);
  ck_assert(channelz_lists(grpc_channelz_get_servers, "\"serverId\""));
  grpc_c_channel_options *copts;
  ck_assert_int_eq(grpc_c_channel_options_new(&copts), 0);
  ck_assert_int_eq(
      grpc_c_channel_options_set_int(copts, "grpc.enable_channelz", 1), 0);
  grpc_c_channel *ch;
  ck_assert_int_eq(grpc_c_channel_create(&ch, srv.target, copts), 0);
  grpc_c_channel_options_free(copts);
  ck_assert(channelz_lists(grpc_channelz_get_top_channels, "\"channelId\""));
  grpc_c_channel_destroy(ch);
  grpc_c_server_destroy(tracked);
}
END_TEST

START_TEST(stream_workers_are_bounded) {
  teardown();
  grpc_c_server_options *sopts;
  ck_assert_int_eq(grpc_c_server_options_new(&sopts), 0);
  ck_assert_int_eq(grpc_c_server_options_set_max_stream_workers(sopts, 1), 0);
  ck_assert_int_eq(e2e_server_start(&srv, sopts), 0);
  grpc_c_server_options_free(sopts);
  ck_assert_int_eq(grpc_c_channel_create(&channel, srv.target, NULL), 0);
  E2e__Echo__Bidi_Stream *a, *b;
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  E2e__EchoReply *reply;
  ck_assert_int_eq(e2e__echo__bidi__start(channel, NULL, &a), 0);
  ck_assert(e2e__echo__bidi__write(a, &req));
  ck_assert(e2e__echo__bidi__read(a, &reply));
  ck_assert_int_eq(e2e__echo__bidi__start(channel, NULL, &b), 0);
  ck_assert(e2e__echo__bidi__write(b, &req));
  /* The only worker is busy with a: b's handler has not started. */
  e2e_sleep_ms(200);
  ck_assert_int_eq(atomic_load(&srv.handler_calls), 1);
  ck_assert_int_eq(e2e__echo__bidi__finish(a, NULL), GRPC_C_OK);
  /* Now b is served. */
  ck_assert(e2e__echo__bidi__read(b, &reply));
  ck_assert_int_eq(e2e__echo__bidi__finish(b, NULL), GRPC_C_OK);
  ck_assert_int_eq(atomic_load(&srv.handler_calls), 2);
}
END_TEST

START_TEST(stream_response_metadata) {
  grpc_c_metadata *initial, *trailing;
  grpc_c_call_options *opts;
  ck_assert_int_eq(grpc_c_metadata_new(&initial), 0);
  ck_assert_int_eq(grpc_c_metadata_new(&trailing), 0);
  ck_assert_int_eq(grpc_c_call_options_new(&opts), 0);
  ck_assert_int_eq(
      grpc_c_call_options_set_response_metadata(opts, initial, trailing), 0);
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  req.count = 2;
  req.fail_code = GRPC_C_ABORTED;
  req.fail_message = "stop";
  E2e__Echo__ServerStream_Stream *stream;
  ck_assert_int_eq(
      e2e__echo__server_stream__start(channel, &req, opts, &stream), 0);
  E2e__EchoReply *reply;
  ck_assert(e2e__echo__server_stream__read(stream, &reply));
  /* Initial metadata is there after the first read. */
  ck_assert_ptr_nonnull(grpc_c_metadata_get(initial, "x-stream", 0, NULL));
  /* Both replies read, so finish gets the server's status (with a reply
   * left unread it would cancel the call). */
  ck_assert(e2e__echo__server_stream__read(stream, &reply));
  ck_assert_int_eq(e2e__echo__server_stream__finish(stream, NULL),
                   GRPC_C_ABORTED);
  ck_assert_str_eq(grpc_c_metadata_get(trailing, "x-stream-end", 0, NULL),
                   "done");
  grpc_c_call_options_free(opts);
  grpc_c_metadata_free(initial);
  grpc_c_metadata_free(trailing);
}
END_TEST

typedef struct signal_wait {
  grpc_c_server *server;
  int rc;
} signal_wait;

static void *wait_for_signal(void *arg) {
  signal_wait *w = arg;
  w->rc = grpc_c_server_wait_for_signal(w->server, 500);
  return NULL;
}

static void (*sigterm_handler(void))(int) {
  struct sigaction current;
  sigaction(SIGTERM, NULL, &current);
  return current.sa_handler;
}

START_TEST(sigterm_shuts_down_within_the_grace) {
  /* A stream that never ends by itself keeps the server busy. */
  E2e__Echo__Bidi_Stream *stream;
  ck_assert_int_eq(e2e__echo__bidi__start(channel, NULL, &stream), 0);
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  req.wait_for_cancel = true;
  ck_assert(e2e__echo__bidi__write(stream, &req));
  e2e_wait_for(&srv.handler_calls, 1);
  signal_wait w = {srv.server, -1};
  pthread_t thread;
  void (*before)(int) = sigterm_handler();
  ck_assert_int_eq(pthread_create(&thread, NULL, wait_for_signal, &w), 0);
  for (int i = 0; i < 400 && sigterm_handler() == before; i++) e2e_sleep_ms(5);
  ck_assert(sigterm_handler() != before); /* ours is installed */
  double t0 = e2e_now_s();
  ck_assert_int_eq(kill(getpid(), SIGTERM), 0);
  pthread_join(thread, NULL);
  double took = e2e_now_s() - t0;
  ck_assert_int_eq(w.rc, 0);
  ck_assert_msg(took >= 0.4 && took < 5.0, "shutdown took %.2f s", took);
  ck_assert_int_eq(atomic_load(&srv.cancels_seen), 1);
  ck_assert(sigterm_handler() == before); /* the previous one is back */
  E2e__EchoReply *reply;
  ck_assert(!e2e__echo__bidi__read(stream, &reply));
  grpc_c_code code = e2e__echo__bidi__finish(stream, NULL);
  ck_assert(code == GRPC_C_CANCELLED || code == GRPC_C_UNAVAILABLE);
}
END_TEST

int main(void) {
  Suite *s = suite_create("lifecycle");
  TCase *tc = tcase_create("lifecycle");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, cancel_source_cancels_a_blocking_unary_call);
  tcase_add_test(tc, cancel_source_cancels_streams);
  tcase_add_test(tc, deferred_unary_handler_hears_client_cancel);
  tcase_add_test(tc, wait_for_ready_waits_for_the_server);
  tcase_add_test(tc, retry_policy_from_service_config);
  tcase_add_test(tc, per_method_timeout_from_service_config);
  tcase_add_test(tc, server_listens_on_several_addresses);
  tcase_add_test(tc, server_options_win_over_runtime_defaults);
  tcase_add_test(tc, channelz_is_off_unless_asked);
  tcase_add_test(tc, stream_workers_are_bounded);
  tcase_add_test(tc, stream_response_metadata);
  tcase_add_test(tc, sigterm_shuts_down_within_the_grace);
  suite_add_tcase(s, tc);
  return e2e_run_suite(s);
}
