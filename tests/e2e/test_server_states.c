/* The server's state machine (created, started, draining, stopped): every
 * transition, every public life-cycle function in every state, and the
 * paths that used to hang: never started, listener failure, start failure,
 * shutdown twice or from a handler, destroy without shutdown or with
 * clients connected, signals before the wait. Each step that could hang
 * runs on a thread with a bounded join, so a regression fails instead of
 * blocking the suite. */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "e2e.grpc-c.h"
#include "e2e_server.h"

/* ---- bounded steps ---- */

typedef struct step {
  void (*fn)(void *arg);
  void *arg;
  atomic_bool done;
} step;

static void *run_step(void *p) {
  step *s = p;
  s->fn(s->arg);
  atomic_store(&s->done, true);
  return NULL;
}

/* Runs fn(arg) on a thread; true when it returned within `seconds`. A step
 * that does not return is left running (the test has failed anyway). */
static bool returns_within(void (*fn)(void *), void *arg, double seconds) {
  static step steps[64];
  static int used;
  step *s = &steps[used++ % 64];
  s->fn = fn;
  s->arg = arg;
  atomic_store(&s->done, false);
  pthread_t thread;
  ck_assert_int_eq(pthread_create(&thread, NULL, run_step, s), 0);
  double t0 = e2e_now_s();
  while (!atomic_load(&s->done) && e2e_now_s() - t0 < seconds) e2e_sleep_ms(2);
  if (!atomic_load(&s->done)) {
    pthread_detach(thread);
    return false;
  }
  pthread_join(thread, NULL);
  return true;
}

static void destroy_step(void *server) { grpc_c_server_destroy(server); }
static void *wait_thread(void *server) {
  grpc_c_server_wait(server);
  return NULL;
}
static void shutdown_step(void *server) { grpc_c_server_shutdown(server, 0); }

/* ---- a small server of our own ---- */

typedef struct own_server {
  grpc_c_server *server;
  int port;
  char target[64];
  atomic_int calls;
  atomic_int shutdown_rc;
  atomic_int wait_rc;
} own_server;

static grpc_c_code unary_shuts_down(void *self, grpc_c_server_ctx *ctx,
                                    const E2e__EchoRequest *req,
                                    E2e__EchoReply *reply) {
  (void)ctx;
  own_server *own = self;
  atomic_fetch_add(&own->calls, 1);
  if (req->count == 1) {
    /* From a handler: begins the drain, returns at once; waiting or
     * destroying from here is refused. */
    atomic_store(&own->wait_rc, grpc_c_server_wait(own->server));
    grpc_c_server_destroy(own->server); /* refused: logs, does nothing */
    atomic_store(&own->shutdown_rc, grpc_c_server_shutdown(own->server, 5000));
  }
  reply->text = "done";
  return GRPC_C_OK;
}

static grpc_c_code bidi_until_cancelled(void *self, grpc_c_server_ctx *ctx,
                                        E2e__Echo__Bidi_ServerStream *stream) {
  own_server *own = self;
  atomic_fetch_add(&own->calls, 1);
  E2e__EchoRequest *req;
  while (e2e__echo__bidi__server_read(stream, &req)) {
    if (req->count == 1) {
      atomic_store(&own->shutdown_rc,
                   grpc_c_server_shutdown(own->server, 5000));
    }
    E2e__EchoReply reply = E2E__ECHO_REPLY__INIT;
    reply.text = "echo";
    if (!e2e__echo__bidi__server_write(stream, &reply)) break;
  }
  return grpc_c_server_ctx_is_cancelled(ctx) ? GRPC_C_CANCELLED : GRPC_C_OK;
}

static const E2e__Echo_Servicer own_servicer = {.unary = unary_shuts_down,
                                                .bidi = bidi_until_cancelled};

static void own_create(own_server *own) {
  memset(own, 0, sizeof *own);
  ck_assert_int_eq(grpc_c_server_create(&own->server, NULL), 0);
  ck_assert_int_eq(
      grpc_c_server_add_listener(own->server, "127.0.0.1:0", &own->port), 0);
  ck_assert_int_eq(
      e2e__echo__servicer__register(own->server, &own_servicer, own), 0);
  snprintf(own->target, sizeof own->target, "127.0.0.1:%d", own->port);
}

static grpc_c_code call_unary(const char *target, int count) {
  grpc_c_channel *channel;
  ck_assert_int_eq(grpc_c_channel_create(&channel, target, NULL), 0);
  grpc_c_call_options *opts = e2e_timeout_opts(5000);
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  req.count = count;
  E2e__EchoReply *reply = NULL;
  grpc_c_code code = e2e__echo__unary__call(channel, &req, &reply, opts, NULL);
  if (reply) e2e__echo_reply__free_unpacked(reply, NULL);
  grpc_c_call_options_free(opts);
  grpc_c_channel_destroy(channel);
  return code;
}

/* Starts `own`, opens a Bidi stream to it and exchanges one message
 * (`count` in the request: 1 asks the handler to shut the server down). */
static E2e__Echo__Bidi_Stream *open_stream(own_server *own,
                                           grpc_c_channel **channel,
                                           int count) {
  ck_assert_int_eq(grpc_c_server_start(own->server), 0);
  ck_assert_int_eq(grpc_c_channel_create(channel, own->target, NULL), 0);
  E2e__Echo__Bidi_Stream *stream;
  ck_assert_int_eq(e2e__echo__bidi__start(*channel, NULL, &stream), 0);
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  req.count = count;
  ck_assert(e2e__echo__bidi__write(stream, &req));
  E2e__EchoReply *reply;
  ck_assert(e2e__echo__bidi__read(stream, &reply));
  return stream;
}

/* ---- created ---- */

START_TEST(never_started_server_shuts_down_and_is_destroyed) {
  grpc_c_server *server;
  ck_assert_int_eq(grpc_c_server_create(&server, NULL), 0);
  ck_assert_int_eq(grpc_c_server_wait(server), GRPC_C_ESTATE);
  ck_assert_int_eq(grpc_c_server_wait_for_signal(server, 0), GRPC_C_ESTATE);
  ck_assert(returns_within(shutdown_step, server, 5));
  /* Stopped: nothing but destroy is left. */
  ck_assert_int_eq(grpc_c_server_add_listener(server, "127.0.0.1:0", NULL),
                   GRPC_C_ESTATE);
  ck_assert_int_eq(grpc_c_server_start(server), GRPC_C_ESTATE);
  ck_assert_int_eq(grpc_c_server_shutdown(server, 0), 0);
  ck_assert_int_eq(grpc_c_server_wait(server), 0);
  ck_assert_int_eq(grpc_c_server_handle_signals(server, 0), GRPC_C_ESTATE);
  ck_assert(returns_within(destroy_step, server, 5));
}
END_TEST

START_TEST(never_started_server_with_a_listener_is_destroyed) {
  grpc_c_server *server;
  int port = 0;
  ck_assert_int_eq(grpc_c_server_create(&server, NULL), 0);
  ck_assert_int_eq(grpc_c_server_add_listener(server, "127.0.0.1:0", &port), 0);
  ck_assert(returns_within(shutdown_step, server, 5));
  ck_assert(returns_within(destroy_step, server, 5));
  /* And without shutdown first. */
  ck_assert_int_eq(grpc_c_server_create(&server, NULL), 0);
  ck_assert_int_eq(grpc_c_server_add_listener(server, "127.0.0.1:0", &port), 0);
  ck_assert(returns_within(destroy_step, server, 5));
}
END_TEST

START_TEST(listener_failure_then_clean_up) {
  own_server first;
  own_create(&first);
  ck_assert_int_eq(grpc_c_server_start(first.server), 0);
  /* The port is taken: the natural clean-up path of a program that could
   * not bind is shutdown and destroy. */
  grpc_c_server *second;
  ck_assert_int_eq(grpc_c_server_create(&second, NULL), 0);
  ck_assert_int_eq(grpc_c_server_add_listener(second, first.target, NULL),
                   GRPC_C_EBIND);
  ck_assert_int_eq(grpc_c_server_start(second), GRPC_C_ESTATE); /* none */
  ck_assert(returns_within(shutdown_step, second, 5));
  ck_assert(returns_within(destroy_step, second, 5));
  ck_assert_int_eq(call_unary(first.target, 0), GRPC_C_OK);
  ck_assert(returns_within(destroy_step, first.server, 5));
}
END_TEST

/* Starts `server` while threads made with default attributes cannot get a
 * stack: a stack size no address space holds makes pthread_create() fail,
 * for a moment. Returns what start returned. */
static int start_without_threads(grpc_c_server *server) {
  pthread_attr_t saved, huge;
  ck_assert_int_eq(pthread_getattr_default_np(&saved), 0);
  pthread_attr_init(&huge);
  ck_assert_int_eq(pthread_attr_setstacksize(&huge, (size_t)1 << 46), 0);
  ck_assert_int_eq(pthread_setattr_default_np(&huge), 0);
  int rc = grpc_c_server_start(server);
  ck_assert_int_eq(pthread_setattr_default_np(&saved), 0);
  pthread_attr_destroy(&huge);
  pthread_attr_destroy(&saved);
  return rc;
}

START_TEST(start_failure_leaves_the_server_created) {
  own_server own;
  grpc_c_server_options *opts;
  ck_assert_int_eq(grpc_c_server_options_new(&opts), 0);
  ck_assert_int_eq(grpc_c_server_options_set_poller_threads(opts, 2), 0);
  memset(&own, 0, sizeof own);
  ck_assert_int_eq(grpc_c_server_create(&own.server, opts), 0);
  grpc_c_server_options_free(opts);
  ck_assert_int_eq(
      grpc_c_server_add_listener(own.server, "127.0.0.1:0", &own.port), 0);
  ck_assert_int_eq(
      e2e__echo__servicer__register(own.server, &own_servicer, &own), 0);
  snprintf(own.target, sizeof own.target, "127.0.0.1:%d", own.port);
  ck_assert_int_eq(start_without_threads(own.server), GRPC_C_ETHREAD);
  /* Still created: it can start now, serve, and stop. */
  ck_assert_int_eq(grpc_c_server_start(own.server), 0);
  ck_assert_int_eq(call_unary(own.target, 0), GRPC_C_OK);
  ck_assert(returns_within(destroy_step, own.server, 5));
}
END_TEST

START_TEST(start_failure_then_destroy) {
  own_server own;
  own_create(&own);
  ck_assert_int_eq(start_without_threads(own.server), GRPC_C_ETHREAD);
  ck_assert(returns_within(destroy_step, own.server, 5));
}
END_TEST

/* ---- started and draining ---- */

START_TEST(shutdown_twice_and_from_two_threads) {
  own_server own;
  own_create(&own);
  ck_assert_int_eq(grpc_c_server_start(own.server), 0);
  ck_assert_int_eq(call_unary(own.target, 0), GRPC_C_OK);
  pthread_t a, b;
  ck_assert_int_eq(pthread_create(&a, NULL, wait_thread, own.server), 0);
  step s1 = {0}, s2 = {0};
  s1.fn = s2.fn = shutdown_step;
  s1.arg = s2.arg = own.server;
  ck_assert_int_eq(pthread_create(&b, NULL, run_step, &s1), 0);
  run_step(&s2);
  pthread_join(b, NULL);
  pthread_join(a, NULL);
  ck_assert_int_eq(grpc_c_server_shutdown(own.server, 0), 0);
  ck_assert_int_eq(grpc_c_server_wait(own.server), 0);
  ck_assert_int_eq(call_unary(own.target, 0), GRPC_C_UNAVAILABLE);
  ck_assert(returns_within(destroy_step, own.server, 5));
}
END_TEST

START_TEST(shutdown_from_inside_a_unary_handler) {
  own_server own;
  own_create(&own);
  ck_assert_int_eq(grpc_c_server_start(own.server), 0);
  /* The call that asks for the shutdown still completes. */
  ck_assert_int_eq(call_unary(own.target, 1), GRPC_C_OK);
  ck_assert_int_eq(atomic_load(&own.shutdown_rc), 0);
  ck_assert_int_eq(atomic_load(&own.wait_rc), GRPC_C_ESTATE);
  double t0 = e2e_now_s();
  ck_assert_int_eq(grpc_c_server_wait(own.server), 0);
  ck_assert(e2e_now_s() - t0 < 3.0); /* no call left: no need for grace */
  ck_assert(returns_within(destroy_step, own.server, 5));
}
END_TEST

START_TEST(shutdown_from_inside_a_stream_handler) {
  own_server own;
  own_create(&own);
  grpc_c_channel *channel;
  E2e__Echo__Bidi_Stream *stream = open_stream(&own, &channel, 1);
  /* The stream lives on through the drain until it is half-closed. */
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  E2e__EchoReply *reply;
  ck_assert(e2e__echo__bidi__write(stream, &req));
  ck_assert(e2e__echo__bidi__read(stream, &reply));
  ck_assert(e2e__echo__bidi__writes_done(stream));
  ck_assert_int_eq(e2e__echo__bidi__finish(stream, NULL), GRPC_C_OK);
  ck_assert_int_eq(atomic_load(&own.shutdown_rc), 0);
  ck_assert_int_eq(grpc_c_server_wait(own.server), 0);
  grpc_c_channel_destroy(channel);
  ck_assert(returns_within(destroy_step, own.server, 5));
}
END_TEST

typedef struct long_shutdown {
  grpc_c_server *server;
  double took;
} long_shutdown;

static void *shutdown_with_long_grace(void *p) {
  long_shutdown *l = p;
  double t0 = e2e_now_s();
  grpc_c_server_shutdown(l->server, 60000);
  l->took = e2e_now_s() - t0;
  return NULL;
}

START_TEST(a_second_shutdown_shortens_the_grace) {
  own_server own;
  own_create(&own);
  grpc_c_channel *channel;
  E2e__Echo__Bidi_Stream *stream = open_stream(&own, &channel, 0);
  E2e__EchoReply *reply;
  long_shutdown l = {own.server, 0};
  pthread_t thread;
  ck_assert_int_eq(pthread_create(&thread, NULL, shutdown_with_long_grace, &l),
                   0);
  e2e_sleep_ms(200);
  double t0 = e2e_now_s();
  ck_assert_int_eq(grpc_c_server_shutdown(own.server, 100), 0);
  ck_assert(e2e_now_s() - t0 < 5.0);
  pthread_join(thread, NULL);
  ck_assert(l.took < 5.0);
  ck_assert(!e2e__echo__bidi__read(stream, &reply));
  e2e__echo__bidi__finish(stream, NULL);
  grpc_c_channel_destroy(channel);
  ck_assert(returns_within(destroy_step, own.server, 5));
}
END_TEST

START_TEST(destroy_without_shutdown_with_a_stream_open) {
  own_server own;
  own_create(&own);
  grpc_c_channel *channel;
  E2e__Echo__Bidi_Stream *stream = open_stream(&own, &channel, 0);
  E2e__EchoReply *reply;
  ck_assert(returns_within(destroy_step, own.server, 5));
  ck_assert(!e2e__echo__bidi__read(stream, &reply));
  grpc_c_code code = e2e__echo__bidi__finish(stream, NULL);
  ck_assert(code == GRPC_C_CANCELLED || code == GRPC_C_UNAVAILABLE);
  grpc_c_channel_destroy(channel);
}
END_TEST

START_TEST(destroy_while_clients_stay_connected) {
  own_server own;
  own_create(&own);
  ck_assert_int_eq(grpc_c_server_start(own.server), 0);
  /* Connected channels with no call open, which a long grace would wait
   * for if connections held up the drain. */
  grpc_c_channel *channels[4];
  for (int i = 0; i < 4; i++) {
    ck_assert_int_eq(grpc_c_channel_create(&channels[i], own.target, NULL), 0);
    E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
    E2e__EchoReply *reply;
    ck_assert_int_eq(
        e2e__echo__unary__call(channels[i], &req, &reply, NULL, NULL),
        GRPC_C_OK);
    e2e__echo_reply__free_unpacked(reply, NULL);
  }
  double t0 = e2e_now_s();
  ck_assert_int_eq(grpc_c_server_shutdown(own.server, 30000), 0);
  ck_assert_msg(e2e_now_s() - t0 < 3.0, "drain took %.1f s", e2e_now_s() - t0);
  ck_assert(returns_within(destroy_step, own.server, 5));
  for (int i = 0; i < 4; i++) grpc_c_channel_destroy(channels[i]);
}
END_TEST

/* ---- signals ---- */

static void (*handler_of(int sig))(int) {
  struct sigaction current;
  sigaction(sig, NULL, &current);
  return current.sa_handler;
}

START_TEST(sigterm_right_after_start_drains_before_the_wait) {
  void (*before)(int) = handler_of(SIGTERM);
  own_server own;
  own_create(&own);
  ck_assert_int_eq(grpc_c_server_handle_signals(own.server, 2000), 0);
  ck_assert_int_eq(grpc_c_server_handle_signals(own.server, 2000), 0);
  ck_assert(handler_of(SIGTERM) != before);
  ck_assert_int_eq(grpc_c_server_start(own.server), 0);
  ck_assert_int_eq(kill(getpid(), SIGTERM), 0);
  /* Not waiting yet: the watcher drains the server on its own. */
  double t0 = e2e_now_s();
  while (call_unary(own.target, 0) == GRPC_C_OK && e2e_now_s() - t0 < 5)
    e2e_sleep_ms(10);
  ck_assert_int_eq(call_unary(own.target, 0), GRPC_C_UNAVAILABLE);
  ck_assert_int_eq(grpc_c_server_wait(own.server), 0);
  ck_assert(returns_within(destroy_step, own.server, 5));
  ck_assert(handler_of(SIGTERM) == before); /* restored by destroy */
}
END_TEST

START_TEST(signal_before_start_stops_the_server_once_started) {
  void (*before)(int) = handler_of(SIGINT);
  own_server own;
  own_create(&own);
  ck_assert_int_eq(grpc_c_server_handle_signals(own.server, 1000), 0);
  ck_assert_int_eq(kill(getpid(), SIGINT), 0);
  ck_assert_int_eq(grpc_c_server_start(own.server), 0);
  ck_assert_int_eq(grpc_c_server_wait(own.server), 0);
  ck_assert(returns_within(destroy_step, own.server, 5));
  ck_assert(handler_of(SIGINT) == before);
}
END_TEST

START_TEST(one_server_handles_signals_at_a_time) {
  own_server a, b;
  own_create(&a);
  own_create(&b);
  ck_assert_int_eq(grpc_c_server_handle_signals(a.server, 0), 0);
  ck_assert_int_eq(grpc_c_server_handle_signals(b.server, 0), GRPC_C_ESTATE);
  grpc_c_server_destroy(a.server);
  ck_assert_int_eq(grpc_c_server_handle_signals(b.server, 0), 0);
  grpc_c_server_destroy(b.server);
}
END_TEST

int main(void) {
  Suite *s = suite_create("server_states");
  TCase *created = tcase_create("created");
  tcase_add_test(created, never_started_server_shuts_down_and_is_destroyed);
  tcase_add_test(created, never_started_server_with_a_listener_is_destroyed);
  tcase_add_test(created, listener_failure_then_clean_up);
  tcase_add_test(created, start_failure_leaves_the_server_created);
  tcase_add_test(created, start_failure_then_destroy);
  suite_add_tcase(s, created);
  TCase *running = tcase_create("started_and_draining");
  tcase_set_timeout(running, 60);
  tcase_add_test(running, shutdown_twice_and_from_two_threads);
  tcase_add_test(running, shutdown_from_inside_a_unary_handler);
  tcase_add_test(running, shutdown_from_inside_a_stream_handler);
  tcase_add_test(running, a_second_shutdown_shortens_the_grace);
  tcase_add_test(running, destroy_without_shutdown_with_a_stream_open);
  tcase_add_test(running, destroy_while_clients_stay_connected);
  suite_add_tcase(s, running);
  TCase *signals = tcase_create("signals");
  tcase_add_test(signals, sigterm_right_after_start_drains_before_the_wait);
  tcase_add_test(signals, signal_before_start_stops_the_server_once_started);
  tcase_add_test(signals, one_server_handles_signals_at_a_time);
  suite_add_tcase(s, signals);
  return e2e_run_suite(s);
}
