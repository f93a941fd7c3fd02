/* Well-known types as requests and responses, end to end: a Clock service
 * on google.protobuf.Empty, Timestamp and Duration, and a Pinger service on
 * Empty built into another library, served by one server over 127.0.0.1. */
#include <check.h>
#include <stdatomic.h>
#include <stdio.h>

#include "clock.grpc-c.h"
#include "e2e_server.h"
#include "pinger.grpc-c.h"

enum { TICKS = 3 };

typedef struct clock_state {
  atomic_llong seconds;
  atomic_int nanos;
  atomic_int pings;
} clock_state;

static grpc_c_code on_now(void *self, grpc_c_server_ctx *ctx,
                          const Google__Protobuf__Empty *request,
                          Google__Protobuf__Timestamp *response) {
  clock_state *clock = self;
  (void)ctx;
  (void)request;
  response->seconds = atomic_load(&clock->seconds);
  response->nanos = atomic_load(&clock->nanos);
  return GRPC_C_OK;
}

static grpc_c_code on_set(void *self, grpc_c_server_ctx *ctx,
                          const Google__Protobuf__Timestamp *request,
                          Google__Protobuf__Empty *response) {
  clock_state *clock = self;
  (void)ctx;
  (void)response;
  atomic_store(&clock->seconds, request->seconds);
  atomic_store(&clock->nanos, request->nanos);
  return GRPC_C_OK;
}

static grpc_c_code on_ticks(void *self, grpc_c_server_ctx *ctx,
                            const Google__Protobuf__Duration *step,
                            E2e__Clock__Clock__Ticks_ServerStream *stream) {
  clock_state *clock = self;
  (void)ctx;
  for (int i = 0; i < TICKS; i++) {
    Google__Protobuf__Timestamp tick = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
    tick.seconds = atomic_load(&clock->seconds) + i * step->seconds;
    tick.nanos = atomic_load(&clock->nanos) + i * step->nanos;
    if (!e2e__clock__clock__ticks__server_write(stream, &tick))
      return GRPC_C_CANCELLED;
  }
  return GRPC_C_OK;
}

static grpc_c_code on_ack(void *self, grpc_c_server_ctx *ctx,
                          E2e__Clock__Clock__Ack_ServerStream *stream) {
  (void)self;
  (void)ctx;
  Google__Protobuf__Timestamp *tick;
  for (int i = 0; i < 100 && e2e__clock__clock__ack__server_read(stream, &tick);
       i++) {
    Google__Protobuf__Empty ack = GOOGLE__PROTOBUF__EMPTY__INIT;
    if (!e2e__clock__clock__ack__server_write(stream, &ack))
      return GRPC_C_CANCELLED;
  }
  return GRPC_C_OK;
}

static grpc_c_code on_ping(void *self, grpc_c_server_ctx *ctx,
                           const Google__Protobuf__Empty *request,
                           Google__Protobuf__Empty *response) {
  clock_state *clock = self;
  (void)ctx;
  (void)request;
  (void)response;
  atomic_fetch_add(&clock->pings, 1);
  return GRPC_C_OK;
}

static clock_state state;
static grpc_c_server *server;
static grpc_c_channel *channel;

static void setup(void) {
  static const E2e__Clock__Clock_Servicer clock_servicer = {
      .now = on_now, .set = on_set, .ticks = on_ticks, .ack = on_ack};
  static const E2e__Pinger__Pinger_Servicer pinger_servicer = {.ping = on_ping};
  atomic_store(&state.seconds, 1700000000);
  atomic_store(&state.nanos, 5);
  atomic_store(&state.pings, 0);
  int port = 0;
  ck_assert_int_eq(grpc_c_server_create(&server, NULL), 0);
  ck_assert_int_eq(grpc_c_server_add_listener(server, "127.0.0.1:0", &port), 0);
  ck_assert_int_eq(
      e2e__clock__clock__servicer__register(server, &clock_servicer, &state),
      0);
  ck_assert_int_eq(
      e2e__pinger__pinger__servicer__register(server, &pinger_servicer, &state),
      0);
  ck_assert_int_eq(grpc_c_server_start(server), 0);
  char target[64];
  snprintf(target, sizeof target, "127.0.0.1:%d", port);
  ck_assert_int_eq(grpc_c_channel_create(&channel, target, NULL), 0);
}

static void teardown(void) {
  grpc_c_channel_destroy(channel);
  grpc_c_server_shutdown(server, 1000);
  grpc_c_server_destroy(server);
}

START_TEST(empty_request_timestamp_response) {
  Google__Protobuf__Empty empty = GOOGLE__PROTOBUF__EMPTY__INIT;
  Google__Protobuf__Timestamp *now = NULL;
  grpc_c_status status = GRPC_C_STATUS_INIT;
  ck_assert_int_eq(
      e2e__clock__clock__now__call(channel, &empty, &now, NULL, &status),
      GRPC_C_OK);
  ck_assert_ptr_nonnull(now);
  ck_assert_int_eq(now->seconds, 1700000000);
  ck_assert_int_eq(now->nanos, 5);
  google__protobuf__timestamp__free_unpacked(now, NULL);
  grpc_c_status_clear(&status);
}
END_TEST

START_TEST(timestamp_request_empty_response) {
  Google__Protobuf__Timestamp when = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
  when.seconds = 42;
  when.nanos = 999999999;
  Google__Protobuf__Empty *done = NULL;
  ck_assert_int_eq(
      e2e__clock__clock__set__call(channel, &when, &done, NULL, NULL),
      GRPC_C_OK);
  ck_assert_ptr_nonnull(done);
  google__protobuf__empty__free_unpacked(done, NULL);

  Google__Protobuf__Empty empty = GOOGLE__PROTOBUF__EMPTY__INIT;
  Google__Protobuf__Timestamp *now = NULL;
  ck_assert_int_eq(
      e2e__clock__clock__now__call(channel, &empty, &now, NULL, NULL),
      GRPC_C_OK);
  ck_assert_int_eq(now->seconds, 42);
  ck_assert_int_eq(now->nanos, 999999999);
  google__protobuf__timestamp__free_unpacked(now, NULL);
}
END_TEST

START_TEST(duration_request_timestamp_stream) {
  Google__Protobuf__Duration step = GOOGLE__PROTOBUF__DURATION__INIT;
  step.seconds = 60;
  step.nanos = 10;
  E2e__Clock__Clock__Ticks_Stream *stream = NULL;
  ck_assert_int_eq(
      e2e__clock__clock__ticks__start(channel, &step, NULL, &stream), 0);
  Google__Protobuf__Timestamp *tick;
  int got = 0;
  while (got < TICKS + 1 && e2e__clock__clock__ticks__read(stream, &tick)) {
    ck_assert_int_eq(tick->seconds, 1700000000 + 60 * got);
    ck_assert_int_eq(tick->nanos, 5 + 10 * got);
    got++;
  }
  ck_assert_int_eq(got, TICKS);
  ck_assert_int_eq(e2e__clock__clock__ticks__finish(stream, NULL), GRPC_C_OK);
}
END_TEST

START_TEST(timestamp_and_empty_on_a_bidi_stream) {
  E2e__Clock__Clock__Ack_Stream *stream = NULL;
  ck_assert_int_eq(e2e__clock__clock__ack__start(channel, NULL, &stream), 0);
  for (int i = 0; i < 4; i++) {
    Google__Protobuf__Timestamp tick = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
    tick.seconds = i;
    ck_assert(e2e__clock__clock__ack__write(stream, &tick));
    Google__Protobuf__Empty *ack;
    ck_assert(e2e__clock__clock__ack__read(stream, &ack));
  }
  ck_assert(e2e__clock__clock__ack__writes_done(stream));
  ck_assert_int_eq(e2e__clock__clock__ack__finish(stream, NULL), GRPC_C_OK);
}
END_TEST

START_TEST(second_service_on_empty_in_the_same_program) {
  Google__Protobuf__Empty empty = GOOGLE__PROTOBUF__EMPTY__INIT;
  Google__Protobuf__Empty *pong = NULL;
  ck_assert_int_eq(
      e2e__pinger__pinger__ping__call(channel, &empty, &pong, NULL, NULL),
      GRPC_C_OK);
  ck_assert_ptr_nonnull(pong);
  google__protobuf__empty__free_unpacked(pong, NULL);
  ck_assert_int_eq(atomic_load(&state.pings), 1);
  /* Both services name the one descriptor of the shared library. */
  ck_assert_ptr_eq(e2e__pinger__pinger__ping__method.request_descriptor,
                   &google__protobuf__empty__descriptor);
  ck_assert_ptr_eq(e2e__clock__clock__now__method.request_descriptor,
                   &google__protobuf__empty__descriptor);
}
END_TEST

int main(void) {
  Suite *s = suite_create("wkt");
  TCase *tc = tcase_create("wkt");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, empty_request_timestamp_response);
  tcase_add_test(tc, timestamp_request_empty_response);
  tcase_add_test(tc, duration_request_timestamp_stream);
  tcase_add_test(tc, timestamp_and_empty_on_a_bidi_stream);
  tcase_add_test(tc, second_service_on_empty_in_the_same_program);
  suite_add_tcase(s, tc);
  return e2e_run_suite(s);
}
