/* What crosses the wire, measured: calls go through a counting proxy, so a
 * test sees how many bytes each direction really carried (compression,
 * keepalive pings); and compressed messages made by hand, sent through the
 * gRPC core's own call API. */
#define _GNU_SOURCE
#include <check.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/compression.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "byte_proxy.h"
#include "e2e.grpc-c.h"
#include "e2e_server.h"

enum { PAYLOAD = 1024 * 1024, SMALL = 64 * 1024 };

static e2e_server srv;
static byte_proxy *proxy;
static uint8_t *payload;

static void start(const grpc_c_server_options *opts) {
  ck_assert_int_eq(e2e_server_start(&srv, opts), 0);
  proxy = byte_proxy_start(srv.port);
  ck_assert_ptr_nonnull(proxy);
  payload = calloc(1, PAYLOAD); /* zeros: compresses to almost nothing */
}

static void setup(void) { start(NULL); }

static void teardown(void) {
  byte_proxy_stop(proxy);
  e2e_server_stop(&srv, 1000);
  free(payload);
}

static grpc_c_channel *proxied_channel(const grpc_c_channel_options *opts) {
  char target[64];
  snprintf(target, sizeof target, "127.0.0.1:%d", byte_proxy_port(proxy));
  grpc_c_channel *ch;
  ck_assert_int_eq(grpc_c_channel_create(&ch, target, opts), 0);
  return ch;
}

/* One echo of the 1 MiB payload; returns bytes sent up and down. */
static void echo(grpc_c_channel *ch, const grpc_c_call_options *opts,
                 bool compress_reply, uint64_t *up, uint64_t *down) {
  uint64_t up0 = byte_proxy_upstream_bytes(proxy);
  uint64_t down0 = byte_proxy_downstream_bytes(proxy);
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  req.payload.data = payload;
  req.payload.len = PAYLOAD;
  req.compress_reply = compress_reply;
  E2e__EchoReply *reply;
  ck_assert_int_eq(e2e__echo__unary__call(ch, &req, &reply, opts, NULL),
                   GRPC_C_OK);
  ck_assert_uint_eq(reply->payload.len, PAYLOAD);
  ck_assert(memcmp(reply->payload.data, payload, PAYLOAD) == 0);
  e2e__echo_reply__free_unpacked(reply, NULL);
  *up = byte_proxy_upstream_bytes(proxy) - up0;
  *down = byte_proxy_downstream_bytes(proxy) - down0;
}

START_TEST(uncompressed_by_default) {
  grpc_c_channel *ch = proxied_channel(NULL);
  uint64_t up, down;
  echo(ch, NULL, false, &up, &down);
  ck_assert_uint_ge(up, PAYLOAD);
  ck_assert_uint_ge(down, PAYLOAD);
  grpc_c_channel_destroy(ch);
}
END_TEST

START_TEST(per_call_gzip_compresses_the_request) {
  grpc_c_channel *ch = proxied_channel(NULL);
  grpc_c_call_options *opts;
  ck_assert_int_eq(grpc_c_call_options_new(&opts), 0);
  ck_assert_int_eq(
      grpc_c_call_options_set_compression(opts, GRPC_C_COMPRESS_GZIP), 0);
  ck_assert_int_eq(
      grpc_c_call_options_set_compression(opts, (grpc_c_compression)7),
      GRPC_C_EINVAL);
  uint64_t up, down;
  echo(ch, opts, false, &up, &down);
  ck_assert_uint_lt(up, SMALL);
  ck_assert_uint_ge(down, PAYLOAD); /* the server did not compress */
  /* Setting it again replaces, and NONE turns it off. */
  ck_assert_int_eq(
      grpc_c_call_options_set_compression(opts, GRPC_C_COMPRESS_NONE), 0);
  echo(ch, opts, false, &up, &down);
  ck_assert_uint_ge(up, PAYLOAD);
  grpc_c_call_options_free(opts);
  grpc_c_channel_destroy(ch);
}
END_TEST

START_TEST(channel_default_deflate) {
  grpc_c_channel_options *copts;
  ck_assert_int_eq(grpc_c_channel_options_new(&copts), 0);
  ck_assert_int_eq(
      grpc_c_channel_options_set_compression(copts, GRPC_C_COMPRESS_DEFLATE),
      0);
  grpc_c_channel *ch = proxied_channel(copts);
  grpc_c_channel_options_free(copts);
  uint64_t up, down;
  echo(ch, NULL, false, &up, &down);
  ck_assert_uint_lt(up, SMALL);
  grpc_c_channel_destroy(ch);
}
END_TEST

START_TEST(server_compresses_one_call_on_request) {
  grpc_c_channel *ch = proxied_channel(NULL);
  uint64_t up, down;
  echo(ch, NULL, true, &up, &down);
  ck_assert_uint_ge(up, PAYLOAD);
  ck_assert_uint_lt(down, SMALL);
  grpc_c_channel_destroy(ch);
}
END_TEST

START_TEST(server_default_gzip) {
  teardown();
  grpc_c_server_options *sopts;
  ck_assert_int_eq(grpc_c_server_options_new(&sopts), 0);
  ck_assert_int_eq(
      grpc_c_server_options_set_compression(sopts, GRPC_C_COMPRESS_GZIP), 0);
  start(sopts);
  grpc_c_server_options_free(sopts);
  grpc_c_channel *ch = proxied_channel(NULL);
  uint64_t up, down;
  echo(ch, NULL, false, &up, &down);
  ck_assert_uint_ge(up, PAYLOAD);
  ck_assert_uint_lt(down, SMALL);
  grpc_c_channel_destroy(ch);
}
END_TEST

/* Servers inflate requests in the runtime, tell handlers which ones arrived
 * compressed, and stop inflating at the receive limit. `max_receive` goes
 * in through its setter, or as the raw core argument when `as_core_arg`:
 * the runtime's inflating must see it either way. `core_inflates` hands
 * decompression back to the core. */
static void restart_with(int max_receive, bool as_core_arg,
                         bool core_inflates) {
  teardown();
  grpc_c_server_options *sopts;
  ck_assert_int_eq(grpc_c_server_options_new(&sopts), 0);
  if (core_inflates)
    ck_assert_int_eq(
        grpc_c_server_options_set_inspect_compression(sopts, false), 0);
  if (as_core_arg)
    ck_assert_int_eq(grpc_c_server_options_set_int(
                         sopts, "grpc.max_receive_message_length", max_receive),
                     0);
  else
    ck_assert_int_eq(
        grpc_c_server_options_set_max_receive_message_size(sopts, max_receive),
        0);
  start(sopts);
  grpc_c_server_options_free(sopts);
}

static grpc_c_code unary_with(grpc_c_channel *ch, grpc_c_compression alg,
                              E2e__EchoReply **reply, grpc_c_status *status) {
  grpc_c_call_options *opts;
  ck_assert_int_eq(grpc_c_call_options_new(&opts), 0);
  ck_assert_int_eq(grpc_c_call_options_set_compression(opts, alg), 0);
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  req.payload.data = payload;
  req.payload.len = PAYLOAD;
  grpc_c_code code = e2e__echo__unary__call(ch, &req, reply, opts, status);
  grpc_c_call_options_free(opts);
  return code;
}

/* On the core's public API alone (GRPC_C_CORE_PUBLIC_API=1, the
 * core-fence path for unverified core versions) the core inflates requests
 * and the flag is never seen; the e2e_wire_public_api run checks that. */
static bool public_api_only(void) {
  const char *v = getenv("GRPC_C_CORE_PUBLIC_API");
  return v && strcmp(v, "1") == 0;
}

/* The default server, without any compression option. */
START_TEST(handlers_see_which_requests_arrived_compressed) {
  grpc_c_channel *ch;
  ck_assert_int_eq(grpc_c_channel_create(&ch, srv.target, NULL), 0);
  const grpc_c_compression algs[] = {GRPC_C_COMPRESS_NONE, GRPC_C_COMPRESS_GZIP,
                                     GRPC_C_COMPRESS_DEFLATE};
  for (size_t i = 0; i < 3; i++) {
    E2e__EchoReply *reply;
    ck_assert_int_eq(unary_with(ch, algs[i], &reply, NULL), GRPC_C_OK);
    ck_assert_int_eq(reply->compressed_requests, i > 0 && !public_api_only());
    ck_assert_uint_eq(reply->payload.len, PAYLOAD);
    ck_assert(memcmp(reply->payload.data, payload, PAYLOAD) == 0);
    e2e__echo_reply__free_unpacked(reply, NULL);
  }
  /* Per message on a stream: one compressed, one not. */
  grpc_c_call_options *opts;
  ck_assert_int_eq(grpc_c_call_options_new(&opts), 0);
  ck_assert_int_eq(
      grpc_c_call_options_set_compression(opts, GRPC_C_COMPRESS_GZIP), 0);
  E2e__Echo__ClientStream_Stream *stream;
  ck_assert_int_eq(e2e__echo__client_stream__start(ch, opts, &stream), 0);
  grpc_c_call_options_free(opts);
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  req.payload.data = payload;
  req.payload.len = 1000;
  grpc_c_client_stream *raw = (grpc_c_client_stream *)stream;
  ck_assert(grpc_c_client_stream_write_flags(raw, &req.base, 0));
  ck_assert(grpc_c_client_stream_write_flags(raw, &req.base,
                                             GRPC_C_WRITE_NO_COMPRESS));
  E2e__EchoReply *reply;
  ck_assert_int_eq(e2e__echo__client_stream__finish(stream, &reply, NULL),
                   GRPC_C_OK);
  ck_assert_str_eq(reply->text, "2 messages, 2000 bytes");
  ck_assert_int_eq(reply->compressed_requests, public_api_only() ? 0 : 1);
  e2e__echo_reply__free_unpacked(reply, NULL);
  grpc_c_channel_destroy(ch);
}
END_TEST

START_TEST(core_inflating_on_request_hides_the_flag) {
  restart_with(4 * 1024 * 1024, false, true);
  grpc_c_channel *ch;
  ck_assert_int_eq(grpc_c_channel_create(&ch, srv.target, NULL), 0);
  E2e__EchoReply *reply;
  ck_assert_int_eq(unary_with(ch, GRPC_C_COMPRESS_GZIP, &reply, NULL),
                   GRPC_C_OK);
  ck_assert_int_eq(reply->compressed_requests, 0);
  ck_assert_uint_eq(reply->payload.len, PAYLOAD);
  ck_assert(memcmp(reply->payload.data, payload, PAYLOAD) == 0);
  e2e__echo_reply__free_unpacked(reply, NULL);
  grpc_c_channel_destroy(ch);
}
END_TEST

START_TEST(inflating_stops_at_the_receive_limit) {
  restart_with(64 * 1024, _i == 1, false);
  grpc_c_channel *ch;
  ck_assert_int_eq(grpc_c_channel_create(&ch, srv.target, NULL), 0);
  /* 1 MiB of zeros gzips to about 1 KiB, but inflates past 64 KiB. */
  E2e__EchoReply *reply = NULL;
  grpc_c_status status = GRPC_C_STATUS_INIT;
  ck_assert_int_eq(unary_with(ch, GRPC_C_COMPRESS_GZIP, &reply, &status),
                   GRPC_C_RESOURCE_EXHAUSTED);
  ck_assert_ptr_null(reply);
  ck_assert_str_eq(status.message,
                   "grpc-c: a request message exceeds the receive "
                   "limit (65536 bytes)");
  grpc_c_status_clear(&status);
  grpc_c_channel_destroy(ch);
}
END_TEST

START_TEST(per_message_compression_opt_out) {
  grpc_c_channel_options *copts;
  ck_assert_int_eq(grpc_c_channel_options_new(&copts), 0);
  ck_assert_int_eq(
      grpc_c_channel_options_set_compression(copts, GRPC_C_COMPRESS_GZIP), 0);
  grpc_c_channel *ch = proxied_channel(copts);
  grpc_c_channel_options_free(copts);
  E2e__Echo__ClientStream_Stream *stream;
  ck_assert_int_eq(e2e__echo__client_stream__start(ch, NULL, &stream), 0);
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  req.payload.data = payload;
  req.payload.len = PAYLOAD;
  grpc_c_client_stream *raw = (grpc_c_client_stream *)stream;
  /* Compressed as the channel says... */
  uint64_t up0 = byte_proxy_upstream_bytes(proxy);
  ck_assert(grpc_c_client_stream_write_flags(raw, &req.base, 0));
  struct timespec flush = {0, 300 * 1000000L}; /* let it cross the proxy */
  nanosleep(&flush, NULL);
  uint64_t compressed = byte_proxy_upstream_bytes(proxy) - up0;
  ck_assert_uint_gt(compressed, 0);
  /* ...except the message that opts out. */
  up0 = byte_proxy_upstream_bytes(proxy);
  ck_assert(grpc_c_client_stream_write_flags(raw, &req.base,
                                             GRPC_C_WRITE_NO_COMPRESS));
  E2e__EchoReply *reply;
  ck_assert_int_eq(e2e__echo__client_stream__finish(stream, &reply, NULL),
                   GRPC_C_OK);
  uint64_t plain = byte_proxy_upstream_bytes(proxy) - up0;
  ck_assert_str_eq(reply->text, "2 messages, 2097152 bytes");
  e2e__echo_reply__free_unpacked(reply, NULL);
  ck_assert_uint_lt(compressed, SMALL);
  ck_assert_uint_ge(plain, PAYLOAD);
  grpc_c_channel_destroy(ch);
}
END_TEST

/* ---- compressed requests made by hand ---- */

/* Deflates `in` with the zlib wrapper (gRPC's "deflate") or the gzip one. */
static size_t zip(bool gzip, const uint8_t *in, size_t in_len, uint8_t *out,
                  size_t cap) {
  z_stream zs = {0};
  ck_assert_int_eq(deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED,
                                gzip ? 15 + 16 : 15, 8, Z_DEFAULT_STRATEGY),
                   Z_OK);
  zs.next_in = (Bytef *)in;
  zs.avail_in = (uInt)in_len;
  zs.next_out = out;
  zs.avail_out = (uInt)cap;
  ck_assert_int_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
  size_t n = cap - zs.avail_out;
  deflateEnd(&zs);
  return n;
}

/* A Unary call made on the core's call API, so that its request message is
 * `bytes` exactly as given, flagged compressed with `alg` on a call that
 * declares `alg` (the core does not compress again a buffer that says it is
 * compressed). Returns the status code; *reply gets the response or NULL. */
static grpc_status_code raw_compressed_unary(grpc_compression_algorithm alg,
                                             const uint8_t *bytes, size_t len,
                                             E2e__EchoReply **reply) {
  *reply = NULL;
  grpc_init();
  grpc_channel_credentials *creds = grpc_insecure_credentials_create();
  grpc_channel *ch = grpc_channel_create(srv.target, creds, NULL);
  grpc_channel_credentials_release(creds);
  grpc_completion_queue *cq = grpc_completion_queue_create_for_pluck(NULL);
  gpr_timespec deadline = gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
                                       gpr_time_from_seconds(10, GPR_TIMESPAN));
  grpc_slice method = grpc_slice_from_static_string("/e2e.Echo/Unary");
  grpc_call *call = grpc_channel_create_call(ch, NULL, GRPC_PROPAGATE_DEFAULTS,
                                             cq, method, NULL, deadline, NULL);
  const char *name;
  ck_assert(grpc_compression_algorithm_name(alg, &name));
  grpc_metadata encoding = {.key = grpc_slice_from_static_string(
                                GRPC_COMPRESSION_REQUEST_ALGORITHM_MD_KEY),
                            .value = grpc_slice_from_static_string(name)};
  grpc_slice payload = grpc_slice_from_copied_buffer((const char *)bytes, len);
  grpc_byte_buffer *request =
      grpc_raw_compressed_byte_buffer_create(&payload, 1, alg);
  grpc_slice_unref(payload);
  grpc_byte_buffer *response = NULL;
  grpc_metadata_array initial, trailing;
  grpc_metadata_array_init(&initial);
  grpc_metadata_array_init(&trailing);
  grpc_status_code code = GRPC_STATUS_UNKNOWN;
  grpc_slice details = grpc_empty_slice();
  grpc_op ops[6] = {{0}};
  ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
  ops[0].data.send_initial_metadata.count = 1;
  ops[0].data.send_initial_metadata.metadata = &encoding;
  ops[1].op = GRPC_OP_SEND_MESSAGE;
  ops[1].data.send_message.send_message = request;
  ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
  ops[3].op = GRPC_OP_RECV_INITIAL_METADATA;
  ops[3].data.recv_initial_metadata.recv_initial_metadata = &initial;
  ops[4].op = GRPC_OP_RECV_MESSAGE;
  ops[4].data.recv_message.recv_message = &response;
  ops[5].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
  ops[5].data.recv_status_on_client.trailing_metadata = &trailing;
  ops[5].data.recv_status_on_client.status = &code;
  ops[5].data.recv_status_on_client.status_details = &details;
  ck_assert_int_eq(grpc_call_start_batch(call, ops, 6, ops, NULL),
                   GRPC_CALL_OK);
  grpc_event ev = grpc_completion_queue_pluck(
      cq, ops, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL);
  ck_assert(ev.success);
  if (response) {
    grpc_byte_buffer_reader reader;
    ck_assert(grpc_byte_buffer_reader_init(&reader, response));
    grpc_slice all = grpc_byte_buffer_reader_readall(&reader);
    grpc_byte_buffer_reader_destroy(&reader);
    *reply = e2e__echo_reply__unpack(NULL, GRPC_SLICE_LENGTH(all),
                                     GRPC_SLICE_START_PTR(all));
    grpc_slice_unref(all);
    grpc_byte_buffer_destroy(response);
  }
  grpc_byte_buffer_destroy(request);
  grpc_slice_unref(details);
  grpc_metadata_array_destroy(&initial);
  grpc_metadata_array_destroy(&trailing);
  grpc_call_unref(call);
  grpc_completion_queue_shutdown(cq);
  while (grpc_completion_queue_pluck(cq, NULL,
                                     gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL)
             .type != GRPC_QUEUE_SHUTDOWN) {
  }
  grpc_completion_queue_destroy(cq);
  grpc_channel_destroy(ch);
  grpc_shutdown();
  return code;
}

/* Loop index: bit 0 picks the algorithm (gzip, deflate), bit 1 who
 * inflates (the runtime, the core). Both inflaters must agree. */
static grpc_compression_algorithm hand_made_setup(int i) {
  if (i & 2) restart_with(4 * 1024 * 1024, false, true);
  return i & 1 ? GRPC_COMPRESS_DEFLATE : GRPC_COMPRESS_GZIP;
}

/* A request {text: "plain"} in the gzip or the zlib wrapper, followed by
 * `junk` bytes. */
static size_t compressed_request(bool gzip, size_t junk, uint8_t *out,
                                 size_t cap) {
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  req.text = "plain";
  uint8_t plain[64];
  size_t plain_len = e2e__echo_request__pack(&req, plain);
  size_t n = zip(gzip, plain, plain_len, out, cap);
  ck_assert_uint_le(n + junk, cap);
  memset(out + n, 0x5a, junk);
  return n + junk;
}

START_TEST(well_formed_hand_made_compressed_request_is_served) {
  grpc_compression_algorithm alg = hand_made_setup(_i);
  uint8_t bytes[256];
  size_t len =
      compressed_request(alg == GRPC_COMPRESS_GZIP, 0, bytes, sizeof bytes);
  E2e__EchoReply *reply;
  ck_assert_int_eq(raw_compressed_unary(alg, bytes, len, &reply),
                   GRPC_STATUS_OK);
  ck_assert_ptr_nonnull(reply);
  ck_assert_str_eq(reply->text, "plain");
  e2e__echo_reply__free_unpacked(reply, NULL);
}
END_TEST

/* The core refuses input left over after the compressed stream ends. */
START_TEST(compressed_request_with_trailing_junk_is_refused) {
  grpc_compression_algorithm alg = hand_made_setup(_i);
  uint8_t bytes[256];
  size_t len =
      compressed_request(alg == GRPC_COMPRESS_GZIP, 3, bytes, sizeof bytes);
  E2e__EchoReply *reply;
  ck_assert_int_eq(raw_compressed_unary(alg, bytes, len, &reply),
                   GRPC_STATUS_INTERNAL);
  ck_assert_ptr_null(reply);
}
END_TEST

/* The core inflates zero compressed bytes to an empty message, which is a
 * valid request with every field at its default. */
START_TEST(empty_compressed_request_is_an_empty_message) {
  grpc_compression_algorithm alg = hand_made_setup(_i);
  E2e__EchoReply *reply;
  ck_assert_int_eq(raw_compressed_unary(alg, (const uint8_t *)"", 0, &reply),
                   GRPC_STATUS_OK);
  ck_assert_ptr_nonnull(reply);
  ck_assert_str_eq(reply->text, "");
  e2e__echo_reply__free_unpacked(reply, NULL);
}
END_TEST

/* The core reads "gzip" only with the gzip wrapper and "deflate" only with
 * the zlib one. */
START_TEST(compressed_request_in_the_other_wrapper_is_refused) {
  grpc_compression_algorithm alg = hand_made_setup(_i);
  uint8_t bytes[256];
  size_t len =
      compressed_request(alg != GRPC_COMPRESS_GZIP, 0, bytes, sizeof bytes);
  E2e__EchoReply *reply;
  ck_assert_int_eq(raw_compressed_unary(alg, bytes, len, &reply),
                   GRPC_STATUS_INTERNAL);
  ck_assert_ptr_null(reply);
}
END_TEST

START_TEST(keepalive_pings_an_idle_connection) {
  /* Let the server accept frequent pings, then idle with and without
   * keepalive and compare what the client sent meanwhile. */
  teardown();
  grpc_c_server_options *sopts;
  ck_assert_int_eq(grpc_c_server_options_new(&sopts), 0);
  ck_assert_int_eq(
      grpc_c_server_options_set_int(
          sopts, "grpc.http2.min_ping_interval_without_data_ms", 10),
      0);
  ck_assert_int_eq(grpc_c_server_options_set_int(
                       sopts, "grpc.keepalive_permit_without_calls", 1),
                   0);
  start(sopts);
  grpc_c_server_options_free(sopts);
  for (int keepalive = 0; keepalive <= 1; keepalive++) {
    grpc_c_channel_options *copts;
    ck_assert_int_eq(grpc_c_channel_options_new(&copts), 0);
    if (keepalive)
      ck_assert_int_eq(
          grpc_c_channel_options_set_keepalive(copts, 100, 1000, true), 0);
    grpc_c_channel *ch = proxied_channel(copts);
    grpc_c_channel_options_free(copts);
    E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
    E2e__EchoReply *reply;
    ck_assert_int_eq(e2e__echo__unary__call(ch, &req, &reply, NULL, NULL),
                     GRPC_C_OK);
    e2e__echo_reply__free_unpacked(reply, NULL);
    /* Let the traffic that follows a call settle (BDP probe pings, window
     * updates), then measure an idle stretch. */
    struct timespec settle = {0, 400 * 1000000L};
    nanosleep(&settle, NULL);
    uint64_t up0 = byte_proxy_upstream_bytes(proxy);
    struct timespec idle = {0, 800 * 1000000L};
    nanosleep(&idle, NULL);
    uint64_t sent = byte_proxy_upstream_bytes(proxy) - up0;
    if (keepalive)
      ck_assert_uint_ge(sent, 17); /* at least one 17-byte PING frame */
    else
      ck_assert_uint_lt(sent, 17);
    grpc_c_channel_destroy(ch);
  }
}
END_TEST

int main(void) {
  Suite *s = suite_create("wire");
  TCase *tc = tcase_create("wire");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, uncompressed_by_default);
  tcase_add_test(tc, per_call_gzip_compresses_the_request);
  tcase_add_test(tc, channel_default_deflate);
  tcase_add_test(tc, server_compresses_one_call_on_request);
  tcase_add_test(tc, server_default_gzip);
  tcase_add_test(tc, per_message_compression_opt_out);
  tcase_add_test(tc, handlers_see_which_requests_arrived_compressed);
  tcase_add_test(tc, core_inflating_on_request_hides_the_flag);
  /* 0: the limit from its setter; 1: from set_int(). */
  tcase_add_loop_test(tc, inflating_stops_at_the_receive_limit, 0, 2);
  /* 0..3: gzip and deflate, inflated by the runtime and by the core. */
  tcase_add_loop_test(tc, well_formed_hand_made_compressed_request_is_served, 0,
                      4);
  tcase_add_loop_test(tc, compressed_request_with_trailing_junk_is_refused, 0,
                      4);
  tcase_add_loop_test(tc, empty_compressed_request_is_an_empty_message, 0, 4);
  tcase_add_loop_test(tc, compressed_request_in_the_other_wrapper_is_refused, 0,
                      4);
  tcase_add_test(tc, keepalive_pings_an_idle_connection);
  suite_add_tcase(s, tc);
  return e2e_run_suite(s);
}
