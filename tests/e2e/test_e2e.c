/* End-to-end tests: generated stubs -> libgrpc-c -> gRPC core -> 127.0.0.1
 * -> gRPC core -> libgrpc-c -> generated servicer table. */
#define _GNU_SOURCE
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
  channel = NULL;
  e2e_server_stop(&srv, 1000);
}

/* ---- unary ---- */

START_TEST(unary_round_trip) {
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  req.text = "hello";
  uint8_t bytes[3] = {0, 1, 2};
  req.payload.data = bytes;
  req.payload.len = sizeof bytes;
  for (int i = 0; i < 50; i++) {
    E2e__EchoReply *reply = NULL;
    grpc_c_status status = GRPC_C_STATUS_INIT;
    grpc_c_code code =
        e2e__echo__unary__call(channel, &req, &reply, NULL, &status);
    ck_assert_int_eq(code, GRPC_C_OK);
    ck_assert_int_eq(status.code, GRPC_C_OK);
    ck_assert_ptr_nonnull(reply);
    ck_assert_str_eq(reply->text, "hello");
    ck_assert_uint_eq(reply->payload.len, 3);
    ck_assert_mem_eq(reply->payload.data, bytes, 3);
    ck_assert_int_eq(reply->deadline_ms, -1); /* no deadline was set */
    ck_assert(strncmp(reply->peer, "ipv4:127.0.0.1:", 15) == 0);
    e2e__echo_reply__free_unpacked(reply, NULL);
    grpc_c_status_clear(&status);
  }
  ck_assert_int_eq(atomic_load(&srv.handler_calls), 50);
}
END_TEST

/* Sends a status message of `n` bytes (UTF-8, characters that need
 * percent-encoding) on `ch` and checks it arrives unchanged. */
static void check_long_status_message(grpc_c_channel *ch, size_t n) {
  char *message = malloc(n + 64);
  strcpy(message, "fehlgeschlagen: \xc3\xbc \xe2\x9c\x93 100%\n");
  size_t len = strlen(message);
  for (; len < n; len++) message[len] = (char)('a' + len % 26);
  message[len] = '\0';
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  req.fail_code = GRPC_C_NOT_FOUND;
  req.fail_message = message;
  E2e__EchoReply *reply = (E2e__EchoReply *)&req; /* must be reset to NULL */
  grpc_c_status status = GRPC_C_STATUS_INIT;
  grpc_c_code code = e2e__echo__unary__call(ch, &req, &reply, NULL, &status);
  ck_assert_int_eq(code, GRPC_C_NOT_FOUND);
  ck_assert_int_eq(status.code, GRPC_C_NOT_FOUND);
  ck_assert_ptr_null(reply);
  ck_assert_ptr_nonnull(status.message);
  /* Not ck_assert_str_eq: Check cannot report strings this long. */
  ck_assert_msg(strcmp(status.message, message) == 0,
                "status message differs (%zu bytes received)",
                strlen(status.message));
  grpc_c_status_clear(&status);
  ck_assert_ptr_null(status.message);
  free(message);
}

START_TEST(unary_status_code_and_utf8_message) {
  /* Within the core's default metadata limit (8 KiB, percent-encoded). */
  check_long_status_message(channel, 4000);
}
END_TEST

START_TEST(unary_status_message_beyond_default_metadata_limit) {
  grpc_c_channel_options *opts;
  ck_assert_int_eq(grpc_c_channel_options_new(&opts), 0);
  ck_assert_int_eq(grpc_c_channel_options_set_int(
                       opts, "grpc.max_metadata_size", 256 * 1024),
                   0);
  grpc_c_channel *ch;
  ck_assert_int_eq(grpc_c_channel_create(&ch, srv.target, opts), 0);
  grpc_c_channel_options_free(opts);
  check_long_status_message(ch, 50000); /* fail() keeps up to 64 KiB */
  grpc_c_channel_destroy(ch);
}
END_TEST

START_TEST(unary_every_status_code_round_trips) {
  for (int c = 1; c <= 16; c++) {
    E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
    req.fail_code = c;
    req.fail_message = "why";
    E2e__EchoReply *reply;
    grpc_c_status status = GRPC_C_STATUS_INIT;
    ck_assert_int_eq(
        e2e__echo__unary__call(channel, &req, &reply, NULL, &status), c);
    ck_assert_str_eq(status.message, "why");
    grpc_c_status_clear(&status);
  }
}
END_TEST

START_TEST(handler_status_out_of_range_goes_out_as_unknown) {
  int codes[] = {17, 42, -3};
  for (size_t i = 0; i < sizeof codes / sizeof *codes; i++) {
    E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
    req.fail_code = codes[i];
    req.fail_message = "why";
    E2e__EchoReply *reply;
    grpc_c_status status = GRPC_C_STATUS_INIT;
    ck_assert_int_eq(
        e2e__echo__unary__call(channel, &req, &reply, NULL, &status),
        GRPC_C_UNKNOWN);
    char expected[96];
    snprintf(expected, sizeof expected,
             "grpc-c: the handler returned status %d: why", codes[i]);
    ck_assert_str_eq(status.message, expected);
    grpc_c_status_clear(&status);
  }
}
END_TEST

START_TEST(unary_null_servicer_slot_is_unimplemented) {
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  E2e__EchoReply *reply;
  grpc_c_status status = GRPC_C_STATUS_INIT;
  ck_assert_int_eq(
      e2e__echo__unimplemented__call(channel, &req, &reply, NULL, &status),
      GRPC_C_UNIMPLEMENTED);
  ck_assert_ptr_null(reply);
  ck_assert_str_eq(status.message,
                   "Method not implemented: /e2e.Echo/Unimplemented");
  grpc_c_status_clear(&status);
}
END_TEST

START_TEST(unary_unregistered_service_is_unimplemented) {
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  E2e__EchoReply *reply;
  grpc_c_status status = GRPC_C_STATUS_INIT;
  ck_assert_int_eq(
      e2e__absent__call__call(channel, &req, &reply, NULL, &status),
      GRPC_C_UNIMPLEMENTED);
  ck_assert_str_eq(status.message, "Method not found: /e2e.Absent/Call");
  grpc_c_status_clear(&status);
}
END_TEST

START_TEST(unary_deadline_exceeded) {
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  req.sleep_ms = 500;
  grpc_c_call_options *opts = e2e_timeout_opts(100);
  E2e__EchoReply *reply;
  grpc_c_status status = GRPC_C_STATUS_INIT;
  ck_assert_int_eq(e2e__echo__unary__call(channel, &req, &reply, opts, &status),
                   GRPC_C_DEADLINE_EXCEEDED);
  ck_assert_ptr_null(reply);
  grpc_c_status_clear(&status);
  grpc_c_call_options_free(opts);
}
END_TEST

START_TEST(unary_deadline_reaches_the_server) {
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  grpc_c_call_options *opts = e2e_timeout_opts(5000);
  E2e__EchoReply *reply;
  ck_assert_int_eq(e2e__echo__unary__call(channel, &req, &reply, opts, NULL),
                   GRPC_C_OK);
  /* The server saw grpc-timeout: some time left, never more than we gave. */
  ck_assert_int_gt(reply->deadline_ms, 3000);
  ck_assert_int_le(reply->deadline_ms, 5000 + 20); /* grpc-timeout rounds up */
  e2e__echo_reply__free_unpacked(reply, NULL);
  grpc_c_call_options_free(opts);
}
END_TEST

START_TEST(unary_text_and_binary_metadata_reach_the_server) {
  grpc_c_call_options *opts;
  ck_assert_int_eq(grpc_c_call_options_new(&opts), 0);
  const uint8_t bin[] = {0, 255, 10, 13, 0};
  ck_assert_int_eq(grpc_c_call_options_add_metadata(opts, "x-text", "v1"), 0);
  ck_assert_int_eq(
      grpc_c_call_options_add_metadata_bin(opts, "x-data-bin", bin, sizeof bin),
      0);
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  E2e__EchoReply *reply;
  req.metadata_key = "x-data-bin";
  ck_assert_int_eq(e2e__echo__unary__call(channel, &req, &reply, opts, NULL),
                   GRPC_C_OK);
  ck_assert_uint_eq(reply->metadata_value.len, sizeof bin);
  ck_assert_mem_eq(reply->metadata_value.data, bin, sizeof bin);
  e2e__echo_reply__free_unpacked(reply, NULL);
  req.metadata_key = "x-text";
  ck_assert_int_eq(e2e__echo__unary__call(channel, &req, &reply, opts, NULL),
                   GRPC_C_OK);
  ck_assert_uint_eq(reply->metadata_value.len, 2);
  ck_assert_mem_eq(reply->metadata_value.data, "v1", 2);
  e2e__echo_reply__free_unpacked(reply, NULL);
  grpc_c_call_options_free(opts);
}
END_TEST

START_TEST(invalid_metadata_is_rejected) {
  grpc_c_call_options *opts;
  ck_assert_int_eq(grpc_c_call_options_new(&opts), 0);
  ck_assert_int_eq(grpc_c_call_options_add_metadata(opts, "Upper", "v"),
                   GRPC_C_EINVAL);
  ck_assert_int_eq(grpc_c_call_options_add_metadata(opts, "grpc-timeout", "1S"),
                   GRPC_C_EINVAL);
  ck_assert_int_eq(grpc_c_call_options_add_metadata(opts, "x-a", "line\nbreak"),
                   GRPC_C_EINVAL);
  ck_assert_int_eq(grpc_c_call_options_add_metadata(opts, "x-bin", "v"),
                   GRPC_C_EINVAL);
  ck_assert_int_eq(grpc_c_call_options_add_metadata_bin(opts, "x-text", "v", 1),
                   GRPC_C_EINVAL);
  ck_assert_int_eq(grpc_c_call_options_add_metadata(opts, "", "v"),
                   GRPC_C_EINVAL);
  grpc_c_call_options_free(opts);
}
END_TEST

START_TEST(unary_deferred_finish_from_another_thread) {
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  req.defer = true;
  for (int i = 0; i < 10; i++) {
    E2e__EchoReply *reply;
    ck_assert_int_eq(e2e__echo__unary__call(channel, &req, &reply, NULL, NULL),
                     GRPC_C_OK);
    ck_assert_str_eq(reply->text, "deferred");
    e2e__echo_reply__free_unpacked(reply, NULL);
  }
}
END_TEST

START_TEST(unary_undecodable_request_is_internal) {
  /* The Unary path with a request type whose field 1 has another wire type:
   * the server cannot parse the bytes. */
  static const grpc_c_method bad_unary = {
      "/e2e.Echo/Unary", GRPC_C_METHOD_UNARY, &e2e__bad_request__descriptor,
      &e2e__echo_reply__descriptor, NULL};
  E2e__BadRequest req = E2E__BAD_REQUEST__INIT;
  req.text = 42;
  ProtobufCMessage *reply;
  grpc_c_status status = GRPC_C_STATUS_INIT;
  ck_assert_int_eq(
      grpc_c_unary_call(channel, &bad_unary, &req.base, &reply, NULL, &status),
      GRPC_C_INTERNAL);
  ck_assert_ptr_null(reply);
  ck_assert_ptr_nonnull(strstr(status.message, "parse"));
  grpc_c_status_clear(&status);
  ck_assert_int_eq(atomic_load(&srv.handler_calls), 0);
}
END_TEST

START_TEST(unary_misuse_is_invalid_argument) {
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  E2e__EchoReply *reply;
  grpc_c_status status = GRPC_C_STATUS_INIT;
  ck_assert_int_eq(e2e__echo__unary__call(NULL, &req, &reply, NULL, &status),
                   GRPC_C_INVALID_ARGUMENT);
  ck_assert(strncmp(status.message, "grpc-c: ", 8) == 0);
  ck_assert_int_eq(e2e__echo__unary__call(channel, NULL, &reply, NULL, &status),
                   GRPC_C_INVALID_ARGUMENT);
  ck_assert_int_eq(e2e__echo__unary__call(channel, &req, NULL, NULL, &status),
                   GRPC_C_INVALID_ARGUMENT);
  grpc_c_status_clear(&status);
}
END_TEST

/* A server that accepts requests up to 1 KiB, and a channel to it. */
static grpc_c_channel *start_small_server(e2e_server *small) {
  grpc_c_server_options *sopts;
  ck_assert_int_eq(grpc_c_server_options_new(&sopts), 0);
  ck_assert_int_eq(
      grpc_c_server_options_set_max_receive_message_size(sopts, 1024), 0);
  ck_assert_int_eq(e2e_server_start(small, sopts), 0);
  grpc_c_server_options_free(sopts);
  grpc_c_channel *ch;
  ck_assert_int_eq(grpc_c_channel_create(&ch, small->target, NULL), 0);
  return ch;
}

/* The status of a call whose request went over that server's limit. */
static void expect_over_the_limit(grpc_c_status *status) {
  ck_assert_int_eq(status->code, GRPC_C_RESOURCE_EXHAUSTED);
  ck_assert_str_eq(status->message,
                   "grpc-c: a request message exceeds the receive limit (1024 "
                   "bytes)");
  grpc_c_status_clear(status);
}

START_TEST(unary_oversized_request_is_resource_exhausted) {
  e2e_server small;
  grpc_c_channel *ch = start_small_server(&small);
  uint8_t *big = calloc(1, 4096);
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  req.payload.data = big;
  req.payload.len = 4096;
  E2e__EchoReply *reply;
  grpc_c_status status = GRPC_C_STATUS_INIT;
  ck_assert_int_eq(e2e__echo__unary__call(ch, &req, &reply, NULL, &status),
                   GRPC_C_RESOURCE_EXHAUSTED);
  expect_over_the_limit(&status);
  req.payload.len = 100; /* the server still serves small ones */
  ck_assert_int_eq(e2e__echo__unary__call(ch, &req, &reply, NULL, NULL),
                   GRPC_C_OK);
  e2e__echo_reply__free_unpacked(reply, NULL);
  free(big);
  grpc_c_channel_destroy(ch);
  e2e_server_stop(&small, 1000);
}
END_TEST

/* A blocking streaming handler's read ends at a request over the limit; the
 * call ends RESOURCE_EXHAUSTED whatever the handler returns. */
START_TEST(stream_oversized_request_is_resource_exhausted) {
  e2e_server small;
  grpc_c_channel *ch = start_small_server(&small);
  static uint8_t big[4096];
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  req.payload.data = big;
  E2e__Echo__ClientStream_Stream *stream;
  ck_assert_int_eq(e2e__echo__client_stream__start(ch, NULL, &stream), 0);
  req.payload.len = 100;
  ck_assert(e2e__echo__client_stream__write(stream, &req));
  req.payload.len = sizeof big;
  (void)e2e__echo__client_stream__write(stream, &req);
  E2e__EchoReply *reply = NULL;
  grpc_c_status status = GRPC_C_STATUS_INIT;
  ck_assert_int_eq(e2e__echo__client_stream__finish(stream, &reply, &status),
                   GRPC_C_RESOURCE_EXHAUSTED);
  ck_assert_ptr_null(reply);
  expect_over_the_limit(&status);
  grpc_c_channel_destroy(ch);
  e2e_server_stop(&small, 1000);
}
END_TEST

START_TEST(unary_large_payload) {
  size_t n = 3 * 1024 * 1024;
  uint8_t *big = malloc(n);
  for (size_t i = 0; i < n; i++) big[i] = (uint8_t)(i * 7);
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  req.payload.data = big;
  req.payload.len = n;
  E2e__EchoReply *reply;
  ck_assert_int_eq(e2e__echo__unary__call(channel, &req, &reply, NULL, NULL),
                   GRPC_C_OK);
  ck_assert_uint_eq(reply->payload.len, n);
  ck_assert(memcmp(reply->payload.data, big, n) == 0);
  e2e__echo_reply__free_unpacked(reply, NULL);
  free(big);
}
END_TEST

START_TEST(unary_unreachable_server_is_unavailable) {
  /* A port nobody listens on: take one from a server and stop it. */
  e2e_server gone;
  ck_assert_int_eq(e2e_server_start(&gone, NULL), 0);
  char target[64];
  strcpy(target, gone.target);
  e2e_server_stop(&gone, 0);
  grpc_c_channel *ch;
  ck_assert_int_eq(grpc_c_channel_create(&ch, target, NULL), 0);
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  E2e__EchoReply *reply;
  grpc_c_call_options *opts = e2e_timeout_opts(5000);
  ck_assert_int_eq(e2e__echo__unary__call(ch, &req, &reply, opts, NULL),
                   GRPC_C_UNAVAILABLE);
  grpc_c_call_options_free(opts);
  grpc_c_channel_destroy(ch);
}
END_TEST

/* ---- async unary ---- */

typedef struct async_state {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int done;
  int ok;
  int failed;
} async_state;

static void on_async_reply(const grpc_c_status *status, E2e__EchoReply *reply,
                           void *user_data) {
  async_state *st = user_data;
  pthread_mutex_lock(&st->mu);
  if (status->code == GRPC_C_OK && reply && strcmp(reply->text, "async") == 0)
    st->ok++;
  else if (status->code == GRPC_C_NOT_FOUND && !reply)
    st->failed++;
  st->done++;
  pthread_cond_signal(&st->cv);
  pthread_mutex_unlock(&st->mu);
  if (reply) e2e__echo_reply__free_unpacked(reply, NULL);
}

START_TEST(unary_async_callbacks_run_once_each) {
  async_state st = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0,
                    0};
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  req.text = "async";
  E2e__EchoRequest bad = E2E__ECHO_REQUEST__INIT;
  bad.fail_code = GRPC_C_NOT_FOUND;
  enum { CALLS = 64 };
  for (int i = 0; i < CALLS; i++)
    ck_assert_int_eq(e2e__echo__unary__call_async(channel, i % 4 ? &req : &bad,
                                                  NULL, on_async_reply, &st),
                     0);
  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  until.tv_sec += 20;
  pthread_mutex_lock(&st.mu);
  while (st.done < CALLS)
    if (pthread_cond_timedwait(&st.cv, &st.mu, &until)) break;
  pthread_mutex_unlock(&st.mu);
  ck_assert_int_eq(st.done, CALLS);
  ck_assert_int_eq(st.ok, CALLS * 3 / 4);
  ck_assert_int_eq(st.failed, CALLS / 4);
}
END_TEST

/* ---- concurrency ---- */

static void *unary_worker(void *arg) {
  intptr_t failures = 0;
  (void)arg;
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  req.text = "t";
  for (int i = 0; i < 200; i++) {
    E2e__EchoReply *reply;
    if (e2e__echo__unary__call(channel, &req, &reply, NULL, NULL) != GRPC_C_OK)
      failures++;
    else
      e2e__echo_reply__free_unpacked(reply, NULL);
  }
  return (void *)failures;
}

START_TEST(unary_many_threads_share_a_channel) {
  pthread_t threads[8];
  for (int i = 0; i < 8; i++)
    ck_assert_int_eq(pthread_create(&threads[i], NULL, unary_worker, NULL), 0);
  for (int i = 0; i < 8; i++) {
    void *failures;
    pthread_join(threads[i], &failures);
    ck_assert_ptr_null(failures);
  }
  ck_assert_int_eq(atomic_load(&srv.handler_calls), 1600);
}
END_TEST

/* ---- server streaming ---- */

START_TEST(server_stream_sends_n_replies) {
  for (int n = 0; n <= 100; n += 50) {
    E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
    req.text = "s";
    req.count = n;
    E2e__Echo__ServerStream_Stream *stream;
    ck_assert_int_eq(
        e2e__echo__server_stream__start(channel, &req, NULL, &stream), 0);
    E2e__EchoReply *reply;
    int got = 0;
    while (e2e__echo__server_stream__read(stream, &reply)) {
      ck_assert_int_eq(reply->index, got);
      ck_assert_str_eq(reply->text, "s");
      got++;
    }
    ck_assert_int_eq(got, n);
    grpc_c_status status = GRPC_C_STATUS_INIT;
    ck_assert_int_eq(e2e__echo__server_stream__finish(stream, &status),
                     GRPC_C_OK);
    grpc_c_status_clear(&status);
  }
}
END_TEST

START_TEST(server_stream_status_after_messages) {
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  req.count = 3;
  req.fail_code = GRPC_C_ABORTED;
  req.fail_message = "after three";
  E2e__Echo__ServerStream_Stream *stream;
  ck_assert_int_eq(
      e2e__echo__server_stream__start(channel, &req, NULL, &stream), 0);
  E2e__EchoReply *reply;
  int got = 0;
  while (e2e__echo__server_stream__read(stream, &reply)) got++;
  ck_assert_int_eq(got, 3);
  grpc_c_status status = GRPC_C_STATUS_INIT;
  ck_assert_int_eq(e2e__echo__server_stream__finish(stream, &status),
                   GRPC_C_ABORTED);
  ck_assert_str_eq(status.message, "after three");
  grpc_c_status_clear(&status);
}
END_TEST

static const char UNREAD_MESSAGE[] =
    "grpc-c: the stream was finished before all its responses were read";

/* Finish with responses left unread cancels the call instead of reading
 * them: the server may never stop sending. Here it would not (an endless
 * stream); the 5 s deadline only bounds the test. */
START_TEST(server_stream_finish_returns_on_an_endless_stream) {
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  req.count = INT32_MAX;
  grpc_c_call_options *opts = e2e_timeout_opts(5000);
  E2e__Echo__ServerStream_Stream *stream;
  ck_assert_int_eq(
      e2e__echo__server_stream__start(channel, &req, opts, &stream), 0);
  grpc_c_call_options_free(opts);
  E2e__EchoReply *reply;
  for (int i = 0; i < 3; i++)
    ck_assert(e2e__echo__server_stream__read(stream, &reply));
  double start = e2e_now_s();
  grpc_c_status status = GRPC_C_STATUS_INIT;
  ck_assert_int_eq(e2e__echo__server_stream__finish(stream, &status),
                   GRPC_C_CANCELLED);
  ck_assert_str_eq(status.message, UNREAD_MESSAGE);
  ck_assert(e2e_now_s() - start < 2.0);
  grpc_c_status_clear(&status);
  /* The handler's writes fail and it returns. */
  ck_assert_int_eq(e2e_wait_for(&srv.streams_done, 1), 1);
}
END_TEST

/* A finite stream too: responses left unread mean the caller gave up. */
START_TEST(server_stream_finish_with_unread_replies_cancels) {
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  req.count = 20;
  E2e__Echo__ServerStream_Stream *stream;
  ck_assert_int_eq(
      e2e__echo__server_stream__start(channel, &req, NULL, &stream), 0);
  E2e__EchoReply *reply;
  ck_assert(e2e__echo__server_stream__read(stream, &reply));
  grpc_c_status status = GRPC_C_STATUS_INIT;
  ck_assert_int_eq(e2e__echo__server_stream__finish(stream, &status),
                   GRPC_C_CANCELLED);
  ck_assert_str_eq(status.message, UNREAD_MESSAGE);
  grpc_c_status_clear(&status);
}
END_TEST

/* Every response read, but not the end of the stream: finish reads that
 * end and returns the server's own status. */
START_TEST(server_stream_finish_after_the_last_reply_keeps_the_status) {
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  req.count = 3;
  req.fail_code = GRPC_C_ABORTED;
  req.fail_message = "after three";
  E2e__Echo__ServerStream_Stream *stream;
  ck_assert_int_eq(
      e2e__echo__server_stream__start(channel, &req, NULL, &stream), 0);
  E2e__EchoReply *reply;
  for (int i = 0; i < 3; i++)
    ck_assert(e2e__echo__server_stream__read(stream, &reply));
  grpc_c_status status = GRPC_C_STATUS_INIT;
  ck_assert_int_eq(e2e__echo__server_stream__finish(stream, &status),
                   GRPC_C_ABORTED);
  ck_assert_str_eq(status.message, "after three");
  grpc_c_status_clear(&status);
}
END_TEST

START_TEST(server_stream_deadline_exceeded) {
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  req.count = 1;
  req.wait_for_cancel = true;
  grpc_c_call_options *opts = e2e_timeout_opts(200);
  E2e__Echo__ServerStream_Stream *stream;
  ck_assert_int_eq(
      e2e__echo__server_stream__start(channel, &req, opts, &stream), 0);
  E2e__EchoReply *reply;
  ck_assert(e2e__echo__server_stream__read(stream, &reply));
  ck_assert(!e2e__echo__server_stream__read(stream, &reply));
  ck_assert_int_eq(e2e__echo__server_stream__finish(stream, NULL),
                   GRPC_C_DEADLINE_EXCEEDED);
  grpc_c_call_options_free(opts);
  /* The handler saw the cancellation and returned. */
  e2e_wait_for(&srv.streams_done, 1);
  ck_assert_int_eq(atomic_load(&srv.cancels_seen), 1);
}
END_TEST

/* ---- client streaming ---- */

START_TEST(client_stream_deadline_exceeded) {
  grpc_c_call_options *opts = e2e_timeout_opts(200);
  E2e__Echo__ClientStream_Stream *stream;
  ck_assert_int_eq(e2e__echo__client_stream__start(channel, opts, &stream), 0);
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  ck_assert(e2e__echo__client_stream__write(stream, &req));
  e2e_sleep_ms(400); /* the deadline passes while the stream is open */
  ck_assert(!e2e__echo__client_stream__write(stream, &req));
  E2e__EchoReply *reply;
  ck_assert_int_eq(e2e__echo__client_stream__finish(stream, &reply, NULL),
                   GRPC_C_DEADLINE_EXCEEDED);
  ck_assert_ptr_null(reply);
  grpc_c_call_options_free(opts);
}
END_TEST

START_TEST(bidi_deadline_exceeded) {
  e2e_bidi_expect_deadline(channel, 200);
  e2e_wait_for(&srv.streams_done, 1);
  ck_assert_int_eq(atomic_load(&srv.cancels_seen), 1);
}
END_TEST

START_TEST(client_stream_counts_messages) {
  E2e__Echo__ClientStream_Stream *stream;
  ck_assert_int_eq(e2e__echo__client_stream__start(channel, NULL, &stream), 0);
  uint8_t bytes[10] = {0};
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  req.payload.data = bytes;
  req.payload.len = sizeof bytes;
  for (int i = 0; i < 100; i++)
    ck_assert(e2e__echo__client_stream__write(stream, &req));
  E2e__EchoReply *reply;
  grpc_c_status status = GRPC_C_STATUS_INIT;
  ck_assert_int_eq(e2e__echo__client_stream__finish(stream, &reply, &status),
                   GRPC_C_OK);
  ck_assert_str_eq(reply->text, "100 messages, 1000 bytes");
  e2e__echo_reply__free_unpacked(reply, NULL);
  grpc_c_status_clear(&status);
}
END_TEST

START_TEST(client_stream_empty) {
  E2e__Echo__ClientStream_Stream *stream;
  ck_assert_int_eq(e2e__echo__client_stream__start(channel, NULL, &stream), 0);
  E2e__EchoReply *reply;
  ck_assert_int_eq(e2e__echo__client_stream__finish(stream, &reply, NULL),
                   GRPC_C_OK);
  ck_assert_int_eq(reply->index, 0);
  e2e__echo_reply__free_unpacked(reply, NULL);
}
END_TEST

/* ---- bidirectional ---- */

START_TEST(bidi_ping_pong) {
  E2e__Echo__Bidi_Stream *stream;
  ck_assert_int_eq(e2e__echo__bidi__start(channel, NULL, &stream), 0);
  for (int i = 0; i < 50; i++) {
    E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
    char text[16];
    snprintf(text, sizeof text, "m%d", i);
    req.text = text;
    ck_assert(e2e__echo__bidi__write(stream, &req));
    E2e__EchoReply *reply;
    ck_assert(e2e__echo__bidi__read(stream, &reply));
    ck_assert_str_eq(reply->text, text);
    ck_assert_int_eq(reply->index, i);
  }
  ck_assert(e2e__echo__bidi__writes_done(stream));
  E2e__EchoReply *reply;
  ck_assert(!e2e__echo__bidi__read(stream, &reply));
  ck_assert_ptr_null(reply);
  ck_assert_int_eq(e2e__echo__bidi__finish(stream, NULL), GRPC_C_OK);
}
END_TEST

typedef struct reader_args {
  E2e__Echo__Bidi_Stream *stream;
  int got;
} reader_args;

static void *bidi_reader(void *arg) {
  reader_args *r = arg;
  E2e__EchoReply *reply;
  while (e2e__echo__bidi__read(r->stream, &reply)) {
    if (reply->index != r->got) break;
    r->got++;
  }
  return NULL;
}

START_TEST(bidi_concurrent_reader_and_writer) {
  E2e__Echo__Bidi_Stream *stream;
  ck_assert_int_eq(e2e__echo__bidi__start(channel, NULL, &stream), 0);
  reader_args r = {stream, 0};
  pthread_t reader;
  ck_assert_int_eq(pthread_create(&reader, NULL, bidi_reader, &r), 0);
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  req.text = "x";
  for (int i = 0; i < 1000; i++)
    ck_assert(e2e__echo__bidi__write(stream, &req));
  ck_assert(e2e__echo__bidi__writes_done(stream));
  pthread_join(reader, NULL);
  ck_assert_int_eq(r.got, 1000);
  ck_assert_int_eq(e2e__echo__bidi__finish(stream, NULL), GRPC_C_OK);
}
END_TEST

typedef struct canceller_args {
  E2e__Echo__Bidi_Stream *stream;
  int delay_ms;
} canceller_args;

static void *cancel_later(void *arg) {
  canceller_args *c = arg;
  e2e_sleep_ms(c->delay_ms);
  e2e__echo__bidi__cancel(c->stream);
  return NULL;
}

START_TEST(bidi_cancel_from_another_thread) {
  E2e__Echo__Bidi_Stream *stream;
  ck_assert_int_eq(e2e__echo__bidi__start(channel, NULL, &stream), 0);
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  req.wait_for_cancel = true;
  ck_assert(e2e__echo__bidi__write(stream, &req));
  canceller_args c = {stream, 100};
  pthread_t canceller;
  ck_assert_int_eq(pthread_create(&canceller, NULL, cancel_later, &c), 0);
  E2e__EchoReply *reply;
  ck_assert(!e2e__echo__bidi__read(stream, &reply)); /* unblocked by cancel */
  pthread_join(canceller, NULL);
  ck_assert(!e2e__echo__bidi__write(stream, &req));
  ck_assert_int_eq(e2e__echo__bidi__finish(stream, NULL), GRPC_C_CANCELLED);
  e2e_wait_for(&srv.streams_done, 1);
  ck_assert_int_eq(atomic_load(&srv.cancels_seen), 1);
}
END_TEST

START_TEST(bidi_wrong_kind_operations_fail) {
  E2e__Echo__Bidi_Stream *stream;
  grpc_c_client_stream *raw;
  /* A server-streaming method needs its request; a bidi one must not get one.
   */
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  ck_assert_int_eq(grpc_c_client_stream_start(channel, &e2e__echo__bidi__method,
                                              &req.base, NULL, &raw),
                   GRPC_C_EINVAL);
  ck_assert_ptr_null(raw);
  ck_assert_int_eq(
      grpc_c_client_stream_start(channel, &e2e__echo__server_stream__method,
                                 NULL, NULL, &raw),
      GRPC_C_EINVAL);
  ck_assert_int_eq(grpc_c_client_stream_start(
                       channel, &e2e__echo__unary__method, NULL, NULL, &raw),
                   GRPC_C_EINVAL);
  ck_assert_int_eq(e2e__echo__bidi__start(channel, NULL, &stream), 0);
  ck_assert(e2e__echo__bidi__writes_done(stream));
  ck_assert(!e2e__echo__bidi__write(stream, &req)); /* after half-close */
  ck_assert_int_eq(e2e__echo__bidi__finish(stream, NULL), GRPC_C_OK);
  grpc_c_status status = GRPC_C_STATUS_INIT;
  ck_assert_int_eq(grpc_c_client_stream_finish(NULL, NULL, &status),
                   GRPC_C_INVALID_ARGUMENT);
  grpc_c_status_clear(&status);
}
END_TEST

/* ---- shutdown ---- */

START_TEST(shutdown_cancels_streams_after_grace) {
  E2e__Echo__Bidi_Stream *stream;
  ck_assert_int_eq(e2e__echo__bidi__start(channel, NULL, &stream), 0);
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  req.wait_for_cancel = true;
  ck_assert(e2e__echo__bidi__write(stream, &req));
  /* Wait until the handler runs, then shut down with a short grace. */
  e2e_wait_for(&srv.handler_calls, 1);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  ck_assert_int_eq(grpc_c_server_shutdown(srv.server, 200), 0);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double secs =
      (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
  ck_assert(secs < 5.0);
  ck_assert_int_eq(atomic_load(&srv.cancels_seen), 1);
  E2e__EchoReply *reply;
  ck_assert(!e2e__echo__bidi__read(stream, &reply));
  grpc_c_code code = e2e__echo__bidi__finish(stream, NULL);
  ck_assert(code == GRPC_C_CANCELLED || code == GRPC_C_UNAVAILABLE);
  /* New calls fail while the server is down. */
  E2e__EchoReply *unary_reply;
  grpc_c_call_options *opts = e2e_timeout_opts(2000);
  ck_assert_int_ne(
      e2e__echo__unary__call(channel, &req, &unary_reply, opts, NULL),
      GRPC_C_OK);
  grpc_c_call_options_free(opts);
  /* teardown's shutdown is then a no-op. */
}
END_TEST

START_TEST(shutdown_lets_in_flight_unary_finish) {
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  req.sleep_ms = 300;
  /* Start a slow call asynchronously, then shut down with a long grace. */
  async_state st = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0,
                    0};
  req.text = "async";
  ck_assert_int_eq(
      e2e__echo__unary__call_async(channel, &req, NULL, on_async_reply, &st),
      0);
  e2e_wait_for(&srv.handler_calls, 1);
  ck_assert_int_eq(grpc_c_server_shutdown(srv.server, 5000), 0);
  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  until.tv_sec += 10;
  pthread_mutex_lock(&st.mu);
  while (st.done < 1)
    if (pthread_cond_timedwait(&st.cv, &st.mu, &until)) break;
  pthread_mutex_unlock(&st.mu);
  ck_assert_int_eq(st.ok, 1);
}
END_TEST

static Suite *e2e_suite(void) {
  Suite *s = suite_create("e2e");
  TCase *unary = tcase_create("unary");
  tcase_add_checked_fixture(unary, setup, teardown);
  tcase_set_timeout(unary, 60);
  tcase_add_test(unary, unary_round_trip);
  tcase_add_test(unary, unary_status_code_and_utf8_message);
  tcase_add_test(unary, unary_status_message_beyond_default_metadata_limit);
  tcase_add_test(unary, unary_every_status_code_round_trips);
  tcase_add_test(unary, handler_status_out_of_range_goes_out_as_unknown);
  tcase_add_test(unary, unary_null_servicer_slot_is_unimplemented);
  tcase_add_test(unary, unary_unregistered_service_is_unimplemented);
  tcase_add_test(unary, unary_deadline_exceeded);
  tcase_add_test(unary, unary_deadline_reaches_the_server);
  tcase_add_test(unary, unary_text_and_binary_metadata_reach_the_server);
  tcase_add_test(unary, invalid_metadata_is_rejected);
  tcase_add_test(unary, unary_deferred_finish_from_another_thread);
  tcase_add_test(unary, unary_undecodable_request_is_internal);
  tcase_add_test(unary, unary_misuse_is_invalid_argument);
  tcase_add_test(unary, unary_oversized_request_is_resource_exhausted);
  tcase_add_test(unary, unary_large_payload);
  tcase_add_test(unary, unary_unreachable_server_is_unavailable);
  tcase_add_test(unary, unary_async_callbacks_run_once_each);
  tcase_add_test(unary, unary_many_threads_share_a_channel);
  suite_add_tcase(s, unary);

  TCase *streams = tcase_create("streams");
  tcase_add_checked_fixture(streams, setup, teardown);
  tcase_set_timeout(streams, 60);
  tcase_add_test(streams, server_stream_sends_n_replies);
  tcase_add_test(streams, server_stream_status_after_messages);
  tcase_add_test(streams, server_stream_finish_returns_on_an_endless_stream);
  tcase_add_test(streams, server_stream_finish_with_unread_replies_cancels);
  tcase_add_test(streams,
                 server_stream_finish_after_the_last_reply_keeps_the_status);
  tcase_add_test(streams, server_stream_deadline_exceeded);
  tcase_add_test(streams, client_stream_counts_messages);
  tcase_add_test(streams, client_stream_empty);
  tcase_add_test(streams, stream_oversized_request_is_resource_exhausted);
  tcase_add_test(streams, client_stream_deadline_exceeded);
  tcase_add_test(streams, bidi_deadline_exceeded);
  tcase_add_test(streams, bidi_ping_pong);
  tcase_add_test(streams, bidi_concurrent_reader_and_writer);
  tcase_add_test(streams, bidi_cancel_from_another_thread);
  tcase_add_test(streams, bidi_wrong_kind_operations_fail);
  suite_add_tcase(s, streams);

  TCase *shutdown = tcase_create("shutdown");
  tcase_add_checked_fixture(shutdown, setup, teardown);
  tcase_set_timeout(shutdown, 60);
  tcase_add_test(shutdown, shutdown_cancels_streams_after_grace);
  tcase_add_test(shutdown, shutdown_lets_in_flight_unary_finish);
  suite_add_tcase(s, shutdown);
  return s;
}

int main(void) { return e2e_run_suite(e2e_suite()); }
