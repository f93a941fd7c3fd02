/* End-to-end tests of call semantics beyond request/response: response
 * metadata, error details, deadline propagation, channel options, load
 * balancing, connectivity, server limits. */
#define _GNU_SOURCE
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core_status_server.h"
#include "e2e.grpc-c.h"
#include "e2e_server.h"

static e2e_server srv;
static grpc_c_channel *channel;

static void setup(void) {
  /* Several pollers: a handler blocks on a child call to the same server. */
  grpc_c_server_options *opts;
  ck_assert_int_eq(grpc_c_server_options_new(&opts), 0);
  ck_assert_int_eq(grpc_c_server_options_set_poller_threads(opts, 4), 0);
  ck_assert_int_eq(e2e_server_start(&srv, opts), 0);
  grpc_c_server_options_free(opts);
  ck_assert_int_eq(grpc_c_channel_create(&channel, srv.target, NULL), 0);
}

static void teardown(void) {
  grpc_c_channel_destroy(channel);
  e2e_server_stop(&srv, 1000);
}

START_TEST(response_initial_and_trailing_metadata_unary) {
  grpc_c_metadata *initial, *trailing;
  grpc_c_call_options *opts;
  ck_assert_int_eq(grpc_c_metadata_new(&initial), 0);
  ck_assert_int_eq(grpc_c_metadata_new(&trailing), 0);
  ck_assert_int_eq(grpc_c_call_options_new(&opts), 0);
  ck_assert_int_eq(
      grpc_c_call_options_set_response_metadata(opts, initial, trailing), 0);
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  E2e__EchoReply *reply;
  for (int round = 0; round < 2; round++) { /* refilled, not appended */
    ck_assert_int_eq(e2e__echo__unary__call(channel, &req, &reply, opts, NULL),
                     GRPC_C_OK);
    e2e__echo_reply__free_unpacked(reply, NULL);
    size_t len;
    const char *v = grpc_c_metadata_get(initial, "x-initial", 0, &len);
    ck_assert_ptr_nonnull(v);
    ck_assert_str_eq(v, "1");
    ck_assert_ptr_null(grpc_c_metadata_get(initial, "x-initial", 1, NULL));
    v = grpc_c_metadata_get(trailing, "x-trailing-bin", 0, &len);
    ck_assert_ptr_nonnull(v);
    ck_assert_uint_eq(len, 2);
    ck_assert_mem_eq(v, "\0\1", 2);
  }
  const char *key, *value;
  size_t n = grpc_c_metadata_count(initial), found = 0;
  for (size_t i = 0; i < n; i++) {
    ck_assert(grpc_c_metadata_entry(initial, i, &key, &value, NULL));
    if (strcmp(key, "x-initial") == 0) found++;
  }
  ck_assert_uint_eq(found, 1);
  ck_assert(!grpc_c_metadata_entry(initial, n, &key, &value, NULL));
  grpc_c_call_options_free(opts);
  grpc_c_metadata_free(initial);
  grpc_c_metadata_free(trailing);
}
END_TEST

START_TEST(error_details_reach_the_client) {
  const uint8_t details[] = {0x08, 0x05, 0x12, 0x03, 'b', 'a', 'd', 0x00};
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  req.fail_code = GRPC_C_FAILED_PRECONDITION;
  req.fail_message = "bad";
  req.fail_details.data = (uint8_t *)details;
  req.fail_details.len = sizeof details;
  E2e__EchoReply *reply;
  grpc_c_status status = GRPC_C_STATUS_INIT;
  ck_assert_int_eq(e2e__echo__unary__call(channel, &req, &reply, NULL, &status),
                   GRPC_C_FAILED_PRECONDITION);
  ck_assert_uint_eq(status.details_len, sizeof details);
  ck_assert_mem_eq(status.details, details, sizeof details);
  grpc_c_status_clear(&status);
}
END_TEST

/* The status an async callback saw, copied out of the callback. */
typedef struct async_outcome {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  bool done;
  grpc_c_code code;
  char message[128];
} async_outcome;

static void on_outcome(const grpc_c_status *status, E2e__EchoReply *reply,
                       void *user_data) {
  async_outcome *out = user_data;
  pthread_mutex_lock(&out->mu);
  out->code = status->code;
  snprintf(out->message, sizeof out->message, "%s",
           status->message ? status->message : "");
  out->done = true;
  pthread_cond_signal(&out->cv);
  pthread_mutex_unlock(&out->mu);
  if (reply) e2e__echo_reply__free_unpacked(reply, NULL);
}

static void expect_status(grpc_c_code code, grpc_c_status *status,
                          grpc_c_code want, const char *message) {
  ck_assert_int_eq(code, want);
  ck_assert_int_eq(status->code, want);
  ck_assert_str_eq(status->message, message);
  grpc_c_status_clear(status);
}

/* A peer that sends a grpc-status outside 0..16: every way a client call
 * ends reports UNKNOWN, with the code the server sent in the message. */
START_TEST(out_of_range_status_is_unknown_with_the_code_in_the_message) {
  static const struct {
    int code;
    const char *sent, *seen;
  } cases[] = {
      {42, "the answer", "grpc-c: the server sent status 42: the answer"},
      {17, "", "grpc-c: the server sent status 17"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    core_status_server *peer =
        core_status_server_start(cases[i].code, cases[i].sent);
    ck_assert_ptr_nonnull(peer);
    grpc_c_channel *ch;
    ck_assert_int_eq(
        grpc_c_channel_create(&ch, core_status_server_target(peer), NULL), 0);
    const char *seen = cases[i].seen;
    E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
    E2e__EchoReply *reply;
    grpc_c_status status = GRPC_C_STATUS_INIT;

    grpc_c_code code = e2e__echo__unary__call(ch, &req, &reply, NULL, &status);
    expect_status(code, &status, GRPC_C_UNKNOWN, seen);
    ck_assert_ptr_null(reply);

    async_outcome out = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
                         false, GRPC_C_OK, ""};
    ck_assert_int_eq(
        e2e__echo__unary__call_async(ch, &req, NULL, on_outcome, &out), 0);
    pthread_mutex_lock(&out.mu);
    while (!out.done) pthread_cond_wait(&out.cv, &out.mu);
    pthread_mutex_unlock(&out.mu);
    ck_assert_int_eq(out.code, GRPC_C_UNKNOWN);
    ck_assert_str_eq(out.message, seen);

    E2e__Echo__ServerStream_Stream *server_stream;
    ck_assert_int_eq(
        e2e__echo__server_stream__start(ch, &req, NULL, &server_stream), 0);
    ck_assert(!e2e__echo__server_stream__read(server_stream, &reply));
    code = e2e__echo__server_stream__finish(server_stream, &status);
    expect_status(code, &status, GRPC_C_UNKNOWN, seen);

    E2e__Echo__ClientStream_Stream *client_stream;
    ck_assert_int_eq(e2e__echo__client_stream__start(ch, NULL, &client_stream),
                     0);
    code = e2e__echo__client_stream__finish(client_stream, &reply, &status);
    expect_status(code, &status, GRPC_C_UNKNOWN, seen);
    ck_assert_ptr_null(reply);

    E2e__Echo__Bidi_Stream *bidi;
    ck_assert_int_eq(e2e__echo__bidi__start(ch, NULL, &bidi), 0);
    code = e2e__echo__bidi__finish(bidi, &status);
    expect_status(code, &status, GRPC_C_UNKNOWN, seen);

    grpc_c_channel_destroy(ch);
    core_status_server_stop(peer);
  }
}
END_TEST

START_TEST(deadline_propagates_to_child_calls) {
  grpc_c_call_options *opts;
  ck_assert_int_eq(grpc_c_call_options_new(&opts), 0);
  ck_assert_int_eq(grpc_c_call_options_set_timeout_ms(opts, 4000), 0);
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  req.call_downstream = true;
  E2e__EchoReply *reply;
  ck_assert_int_eq(e2e__echo__unary__call(channel, &req, &reply, opts, NULL),
                   GRPC_C_OK);
  ck_assert_str_eq(reply->text, "downstream");
  /* The child set no timeout of its own, yet saw ours. */
  ck_assert_int_gt(reply->deadline_ms, 2000);
  ck_assert_int_le(reply->deadline_ms, 4000 + 20);
  e2e__echo_reply__free_unpacked(reply, NULL);

  /* A child that outlives the parent's deadline is cut short. */
  ck_assert_int_eq(grpc_c_call_options_set_timeout_ms(opts, 300), 0);
  req.sleep_ms = 2000;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  ck_assert_int_eq(e2e__echo__unary__call(channel, &req, &reply, opts, NULL),
                   GRPC_C_DEADLINE_EXCEEDED);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  ck_assert_int_lt(t1.tv_sec - t0.tv_sec, 2);
  grpc_c_call_options_free(opts);
}
END_TEST

START_TEST(channel_default_timeout_applies) {
  grpc_c_channel_options *copts;
  ck_assert_int_eq(grpc_c_channel_options_new(&copts), 0);
  ck_assert_int_eq(grpc_c_channel_options_set_default_timeout_ms(copts, 150),
                   0);
  grpc_c_channel *ch;
  ck_assert_int_eq(grpc_c_channel_create(&ch, srv.target, copts), 0);
  grpc_c_channel_options_free(copts);
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  E2e__EchoReply *reply;
  ck_assert_int_eq(e2e__echo__unary__call(ch, &req, &reply, NULL, NULL),
                   GRPC_C_OK);
  ck_assert_int_gt(reply->deadline_ms, 0);
  ck_assert_int_le(reply->deadline_ms, 150 + 20); /* grpc-timeout rounds up */
  e2e__echo_reply__free_unpacked(reply, NULL);
  req.sleep_ms = 1000;
  ck_assert_int_eq(e2e__echo__unary__call(ch, &req, &reply, NULL, NULL),
                   GRPC_C_DEADLINE_EXCEEDED);
  /* A per-call timeout wins over the channel's. */
  grpc_c_call_options *opts;
  ck_assert_int_eq(grpc_c_call_options_new(&opts), 0);
  ck_assert_int_eq(grpc_c_call_options_set_timeout_ms(opts, 5000), 0);
  req.sleep_ms = 300;
  ck_assert_int_eq(e2e__echo__unary__call(ch, &req, &reply, opts, NULL),
                   GRPC_C_OK);
  e2e__echo_reply__free_unpacked(reply, NULL);
  grpc_c_call_options_free(opts);
  grpc_c_channel_destroy(ch);
}
END_TEST

START_TEST(user_agent_prefix_is_sent) {
  grpc_c_channel_options *copts;
  ck_assert_int_eq(grpc_c_channel_options_new(&copts), 0);
  ck_assert_int_eq(grpc_c_channel_options_set_user_agent_prefix(
                       copts, "telemetry-agent/2.1"),
                   0);
  ck_assert_int_eq(
      grpc_c_channel_options_set_keepalive(copts, 60000, 5000, false), 0);
  ck_assert_int_eq(grpc_c_channel_options_set_keepalive(copts, 0, 5000, false),
                   GRPC_C_EINVAL);
  grpc_c_channel *ch;
  ck_assert_int_eq(grpc_c_channel_create(&ch, srv.target, copts), 0);
  grpc_c_channel_options_free(copts);
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  req.metadata_key = "user-agent";
  E2e__EchoReply *reply;
  ck_assert_int_eq(e2e__echo__unary__call(ch, &req, &reply, NULL, NULL),
                   GRPC_C_OK);
  char agent[256];
  snprintf(agent, sizeof agent, "%.*s", (int)reply->metadata_value.len,
           (const char *)reply->metadata_value.data);
  ck_assert_msg(strncmp(agent, "telemetry-agent/2.1 grpc-c/", 27) == 0,
                "user-agent was '%s'", agent);
  e2e__echo_reply__free_unpacked(reply, NULL);
  grpc_c_channel_destroy(ch);
}
END_TEST

START_TEST(round_robin_spreads_calls_over_servers) {
  e2e_server other;
  ck_assert_int_eq(e2e_server_start(&other, NULL), 0);
  char target[128];
  snprintf(target, sizeof target, "ipv4:127.0.0.1:%d,127.0.0.1:%d", srv.port,
           other.port);
  grpc_c_channel_options *copts;
  ck_assert_int_eq(grpc_c_channel_options_new(&copts), 0);
  ck_assert_int_eq(
      grpc_c_channel_options_set_service_config(
          copts, "{\"loadBalancingConfig\":[{\"round_robin\":{}}]}"),
      0);
  grpc_c_channel *ch;
  ck_assert_int_eq(grpc_c_channel_create(&ch, target, copts), 0);
  grpc_c_channel_options_free(copts);
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  /* round_robin uses a subchannel once it is connected, so until the
   * second connection is up every call goes to the first server (under
   * load that can take many calls). Warm up until both have served one,
   * bounded, then count 20 calls over the two ready connections. */
  for (int i = 0; i < 500 && (atomic_load(&srv.handler_calls) == 0 ||
                              atomic_load(&other.handler_calls) == 0);
       i++) {
    E2e__EchoReply *reply;
    ck_assert_int_eq(e2e__echo__unary__call(ch, &req, &reply, NULL, NULL),
                     GRPC_C_OK);
    e2e__echo_reply__free_unpacked(reply, NULL);
    if (i >= 10) e2e_sleep_ms(10);
  }
  int a0 = atomic_load(&srv.handler_calls),
      b0 = atomic_load(&other.handler_calls);
  ck_assert_msg(a0 > 0 && b0 > 0, "one server never got a call (%d, %d)", a0,
                b0);
  for (int i = 0; i < 20; i++) {
    E2e__EchoReply *reply;
    ck_assert_int_eq(e2e__echo__unary__call(ch, &req, &reply, NULL, NULL),
                     GRPC_C_OK);
    e2e__echo_reply__free_unpacked(reply, NULL);
  }
  int a = atomic_load(&srv.handler_calls) - a0,
      b = atomic_load(&other.handler_calls) - b0;
  ck_assert_int_eq(a + b, 20);
  ck_assert_int_ge(a, 5);
  ck_assert_int_ge(b, 5);
  grpc_c_channel_destroy(ch);
  e2e_server_stop(&other, 1000);
}
END_TEST

START_TEST(connectivity_state_goes_idle_to_ready) {
  grpc_c_channel *ch;
  ck_assert_int_eq(grpc_c_channel_create(&ch, srv.target, NULL), 0);
  grpc_c_connectivity_state state = grpc_c_channel_state(ch, false);
  ck_assert_int_eq(state, GRPC_C_CHANNEL_IDLE);
  ck_assert_str_eq(grpc_c_connectivity_state_name(state), "IDLE");
  state = grpc_c_channel_state(ch, true);
  for (int i = 0; i < 20 && state != GRPC_C_CHANNEL_READY; i++) {
    grpc_c_channel_wait_for_state_change(ch, state, 500);
    state = grpc_c_channel_state(ch, false);
  }
  ck_assert_int_eq(state, GRPC_C_CHANNEL_READY);
  /* No change within the timeout: false. */
  ck_assert(
      !grpc_c_channel_wait_for_state_change(ch, GRPC_C_CHANNEL_READY, 50));
  grpc_c_channel_destroy(ch);
  ck_assert_int_eq(grpc_c_channel_state(NULL, false), GRPC_C_CHANNEL_SHUTDOWN);
}
END_TEST

START_TEST(connectivity_reports_failure_for_a_closed_port) {
  e2e_server gone;
  ck_assert_int_eq(e2e_server_start(&gone, NULL), 0);
  char target[64];
  strcpy(target, gone.target);
  e2e_server_stop(&gone, 0);
  grpc_c_channel *ch;
  ck_assert_int_eq(grpc_c_channel_create(&ch, target, NULL), 0);
  grpc_c_connectivity_state state = grpc_c_channel_state(ch, true);
  for (int i = 0; i < 20 && state != GRPC_C_CHANNEL_TRANSIENT_FAILURE; i++) {
    grpc_c_channel_wait_for_state_change(ch, state, 500);
    state = grpc_c_channel_state(ch, false);
  }
  ck_assert_int_eq(state, GRPC_C_CHANNEL_TRANSIENT_FAILURE);
  grpc_c_channel_destroy(ch);
}
END_TEST

START_TEST(max_concurrent_streams_holds_back_extra_calls) {
  e2e_server limited;
  grpc_c_server_options *sopts;
  ck_assert_int_eq(grpc_c_server_options_new(&sopts), 0);
  ck_assert_int_eq(grpc_c_server_options_set_max_concurrent_streams(sopts, 1),
                   0);
  ck_assert_int_eq(grpc_c_server_options_set_max_concurrent_streams(sopts, 0),
                   GRPC_C_EINVAL);
  ck_assert_int_eq(e2e_server_start(&limited, sopts), 0);
  grpc_c_server_options_free(sopts);
  grpc_c_channel *ch;
  ck_assert_int_eq(grpc_c_channel_create(&ch, limited.target, NULL), 0);
  /* The first stream holds the connection's only stream slot. */
  E2e__Echo__Bidi_Stream *first;
  ck_assert_int_eq(e2e__echo__bidi__start(ch, NULL, &first), 0);
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  req.text = "a";
  E2e__EchoReply *reply;
  ck_assert(e2e__echo__bidi__write(first, &req));
  ck_assert(e2e__echo__bidi__read(first, &reply));
  /* A second call cannot start until its deadline passes. */
  grpc_c_call_options *opts;
  ck_assert_int_eq(grpc_c_call_options_new(&opts), 0);
  ck_assert_int_eq(grpc_c_call_options_set_timeout_ms(opts, 300), 0);
  ck_assert_int_eq(e2e__echo__unary__call(ch, &req, &reply, opts, NULL),
                   GRPC_C_DEADLINE_EXCEEDED);
  ck_assert_int_eq(e2e__echo__bidi__finish(first, NULL), GRPC_C_OK);
  /* With the first stream done, calls go through again. */
  ck_assert_int_eq(grpc_c_call_options_set_timeout_ms(opts, 5000), 0);
  ck_assert_int_eq(e2e__echo__unary__call(ch, &req, &reply, opts, NULL),
                   GRPC_C_OK);
  e2e__echo_reply__free_unpacked(reply, NULL);
  grpc_c_call_options_free(opts);
  grpc_c_channel_destroy(ch);
  e2e_server_stop(&limited, 1000);
}
END_TEST

/* A unary echo of `size` bytes on `ch`; returns the status code. */
static grpc_c_code echo_size(grpc_c_channel *ch, size_t size) {
  uint8_t *data = calloc(1, size);
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  req.payload.data = data;
  req.payload.len = size;
  E2e__EchoReply *reply;
  grpc_c_code code = e2e__echo__unary__call(ch, &req, &reply, NULL, NULL);
  if (code == GRPC_C_OK) e2e__echo_reply__free_unpacked(reply, NULL);
  free(data);
  return code;
}

START_TEST(default_receive_limit_is_4_mib) {
  ck_assert_int_eq(echo_size(channel, 4 * 1024 * 1024 - 64), GRPC_C_OK);
  ck_assert_int_eq(echo_size(channel, 4 * 1024 * 1024 + 64),
                   GRPC_C_RESOURCE_EXHAUSTED);
}
END_TEST

START_TEST(channel_message_limits) {
  grpc_c_channel_options *copts;
  grpc_c_channel *ch;
  /* The client refuses to send a message over its send limit. */
  ck_assert_int_eq(grpc_c_channel_options_new(&copts), 0);
  ck_assert_int_eq(
      grpc_c_channel_options_set_max_send_message_size(copts, 1024), 0);
  ck_assert_int_eq(grpc_c_channel_create(&ch, srv.target, copts), 0);
  grpc_c_channel_options_free(copts);
  ck_assert_int_eq(echo_size(ch, 512), GRPC_C_OK);
  ck_assert_int_eq(echo_size(ch, 4096), GRPC_C_RESOURCE_EXHAUSTED);
  int before = atomic_load(&srv.handler_calls);
  grpc_c_channel_destroy(ch);
  /* The client refuses a response over its receive limit; the request
   * went through (the server ran). */
  ck_assert_int_eq(grpc_c_channel_options_new(&copts), 0);
  ck_assert_int_eq(
      grpc_c_channel_options_set_max_receive_message_size(copts, 1024), 0);
  ck_assert_int_eq(grpc_c_channel_create(&ch, srv.target, copts), 0);
  grpc_c_channel_options_free(copts);
  ck_assert_int_eq(echo_size(ch, 4096), GRPC_C_RESOURCE_EXHAUSTED);
  ck_assert_int_eq(atomic_load(&srv.handler_calls), before + 1);
  grpc_c_channel_destroy(ch);
}
END_TEST

START_TEST(server_send_limit) {
  e2e_server small;
  grpc_c_server_options *sopts;
  ck_assert_int_eq(grpc_c_server_options_new(&sopts), 0);
  ck_assert_int_eq(grpc_c_server_options_set_max_send_message_size(sopts, 1024),
                   0);
  ck_assert_int_eq(e2e_server_start(&small, sopts), 0);
  grpc_c_server_options_free(sopts);
  grpc_c_channel *ch;
  ck_assert_int_eq(grpc_c_channel_create(&ch, small.target, NULL), 0);
  ck_assert_int_eq(echo_size(ch, 512), GRPC_C_OK);
  ck_assert_int_eq(echo_size(ch, 4096), GRPC_C_RESOURCE_EXHAUSTED);
  grpc_c_channel_destroy(ch);
  e2e_server_stop(&small, 1000);
}
END_TEST

int main(void) {
  Suite *s = suite_create("semantics");
  TCase *tc = tcase_create("semantics");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, response_initial_and_trailing_metadata_unary);
  tcase_add_test(tc, error_details_reach_the_client);
  tcase_add_test(tc,
                 out_of_range_status_is_unknown_with_the_code_in_the_message);
  tcase_add_test(tc, deadline_propagates_to_child_calls);
  tcase_add_test(tc, channel_default_timeout_applies);
  tcase_add_test(tc, user_agent_prefix_is_sent);
  tcase_add_test(tc, round_robin_spreads_calls_over_servers);
  tcase_add_test(tc, connectivity_state_goes_idle_to_ready);
  tcase_add_test(tc, connectivity_reports_failure_for_a_closed_port);
  tcase_add_test(tc, max_concurrent_streams_holds_back_extra_calls);
  tcase_add_test(tc, default_receive_limit_is_4_mib);
  tcase_add_test(tc, channel_message_limits);
  tcase_add_test(tc, server_send_limit);
  suite_add_tcase(s, tc);
  return e2e_run_suite(s);
}
