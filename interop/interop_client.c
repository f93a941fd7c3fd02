/* The standard gRPC interop test client: runs one named test case of the
 * gRPC interop descriptions against any interop server and exits 0 only when
 * it passed, printing why not otherwise.
 *
 *   interop_client --server_host=H --server_port=N --test_case=NAME
 *                  [--use_tls=true [--use_test_ca=true] [--ca_file=PEM]
 *                   [--server_host_override=NAME]]
 */
#include <grpc-c/grpc-c.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grpc/testing/test.grpc-c.h"
#include "interop_flags.h"

static const char ECHO_INITIAL_KEY[] = "x-grpc-test-echo-initial";
static const char ECHO_INITIAL_VALUE[] = "test_initial_metadata_value";
static const char ECHO_TRAILING_KEY[] = "x-grpc-test-echo-trailing-bin";
static const uint8_t ECHO_TRAILING_VALUE[] = {0xab, 0xab, 0xab};

/* Calls that should end at once get this long before the test gives up. */
enum { CALL_TIMEOUT_MS = 30000 };

typedef struct interop_client {
  const char *target; /* host:port */
  grpc_c_channel_options *channel_options;
  grpc_c_channel *channel;
  char failure[512]; /* why the case failed */
} interop_client;

/* Records why the case failed; returns false so checks read
 * `if (bad) return fail(c, ...)`. */
static bool fail(interop_client *c, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static bool fail(interop_client *c, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(c->failure, sizeof c->failure, fmt, ap);
  va_end(ap);
  return false;
}

/* Fails unless the call ended with `want`, naming the step. */
static bool expect_code(interop_client *c, const char *step, grpc_c_code got,
                        const grpc_c_status *status, grpc_c_code want) {
  if (got == want) return true;
  return fail(c, "%s: status %s (%s), expected %s", step, grpc_c_code_name(got),
              status && status->message ? status->message : "",
              grpc_c_code_name(want));
}

static grpc_c_call_options *new_call_options(void) {
  grpc_c_call_options *opts = NULL;
  if (grpc_c_call_options_new(&opts) == 0)
    grpc_c_call_options_set_timeout_ms(opts, CALL_TIMEOUT_MS);
  return opts;
}

/* A payload of `size` zeros; the body is the caller's (free it). */
static Grpc__Testing__Payload zero_payload(size_t size) {
  Grpc__Testing__Payload payload = GRPC__TESTING__PAYLOAD__INIT;
  payload.body.data = calloc(1, size ? size : 1);
  payload.body.len = size;
  return payload;
}

static bool all_zero(const ProtobufCBinaryData *body) {
  for (size_t i = 0; i < body->len; i++)
    if (body->data[i]) return false;
  return true;
}

/* Fails unless `payload` holds `size` zero bytes. */
static bool check_payload(interop_client *c, const char *step,
                          const Grpc__Testing__Payload *payload, size_t size) {
  size_t got = payload ? payload->body.len : 0;
  if (got != size)
    return fail(c, "%s: payload of %zu bytes, expected %zu", step, got, size);
  if (payload && !all_zero(&payload->body))
    return fail(c, "%s: payload is not all zeros", step);
  return true;
}

/* ---- unary cases ---- */

/* UnaryCall asking for `response_size` zeros with `request_size` zeros. */
static grpc_c_code large_unary_call(interop_client *c,
                                    Grpc__Testing__SimpleRequest *req,
                                    const grpc_c_call_options *opts,
                                    Grpc__Testing__SimpleResponse **resp,
                                    grpc_c_status *status) {
  Grpc__Testing__Payload payload = zero_payload(271828);
  req->response_size = 314159;
  req->payload = &payload;
  grpc_c_code code = grpc__testing__test_service__unary_call__call(
      c->channel, req, resp, opts, status);
  free(payload.body.data);
  req->payload = NULL;
  return code;
}

/* The generated blocking call of every Empty -> Empty method. */
typedef grpc_c_code (*empty_method_call)(grpc_c_channel *channel,
                                         const Grpc__Testing__Empty *request,
                                         Grpc__Testing__Empty **response,
                                         const grpc_c_call_options *opts,
                                         grpc_c_status *status);

/* Calls an Empty -> Empty method; fails unless it ends with `want` (and
 * with a response when `want` is OK). */
static bool empty_call_ends(interop_client *c, const char *step,
                            empty_method_call call, grpc_c_code want) {
  Grpc__Testing__Empty req = GRPC__TESTING__EMPTY__INIT;
  Grpc__Testing__Empty *resp = NULL;
  grpc_c_status status = GRPC_C_STATUS_INIT;
  grpc_c_call_options *opts = new_call_options();
  grpc_c_code code = call(c->channel, &req, &resp, opts, &status);
  grpc_c_call_options_free(opts);
  bool ok = expect_code(c, step, code, &status, want) &&
            (want != GRPC_C_OK || resp || fail(c, "%s: no response", step));
  if (resp) grpc__testing__empty__free_unpacked(resp, NULL);
  grpc_c_status_clear(&status);
  return ok;
}

static bool empty_unary(interop_client *c) {
  return empty_call_ends(
      c, "EmptyCall", grpc__testing__test_service__empty_call__call, GRPC_C_OK);
}

/* One large UnaryCall with the given request fields; `want` is the status
 * expected. */
static bool large_unary_with(interop_client *c, const char *step,
                             Grpc__Testing__SimpleRequest *req,
                             const grpc_c_call_options *opts,
                             grpc_c_code want) {
  Grpc__Testing__SimpleResponse *resp = NULL;
  grpc_c_status status = GRPC_C_STATUS_INIT;
  grpc_c_code code = large_unary_call(c, req, opts, &resp, &status);
  bool ok =
      expect_code(c, step, code, &status, want) &&
      (want != GRPC_C_OK || check_payload(c, step, resp->payload, 314159));
  if (resp) grpc__testing__simple_response__free_unpacked(resp, NULL);
  grpc_c_status_clear(&status);
  return ok;
}

static bool large_unary(interop_client *c) {
  Grpc__Testing__SimpleRequest req = GRPC__TESTING__SIMPLE_REQUEST__INIT;
  grpc_c_call_options *opts = new_call_options();
  bool ok = large_unary_with(c, "UnaryCall", &req, opts, GRPC_C_OK);
  grpc_c_call_options_free(opts);
  return ok;
}

static bool client_compressed_unary(interop_client *c) {
  Grpc__Testing__BoolValue yes = GRPC__TESTING__BOOL_VALUE__INIT;
  Grpc__Testing__BoolValue no = GRPC__TESTING__BOOL_VALUE__INIT;
  yes.value = true;
  Grpc__Testing__SimpleRequest req = GRPC__TESTING__SIMPLE_REQUEST__INIT;
  grpc_c_call_options *plain = new_call_options();
  grpc_c_call_options *gzip = new_call_options();
  grpc_c_call_options_set_compression(gzip, GRPC_C_COMPRESS_GZIP);
  req.expect_compressed = &yes;
  bool ok = large_unary_with(c, "probe (uncompressed, expect_compressed)", &req,
                             plain, GRPC_C_INVALID_ARGUMENT) &&
            large_unary_with(c, "compressed request", &req, gzip, GRPC_C_OK);
  req.expect_compressed = &no;
  ok =
      ok && large_unary_with(c, "uncompressed request", &req, plain, GRPC_C_OK);
  grpc_c_call_options_free(plain);
  grpc_c_call_options_free(gzip);
  return ok;
}

/* The client cannot see the per-message compressed flag of responses (the
 * gRPC core decompresses before the application); it checks that both
 * calls succeed with the right payloads. */
static bool server_compressed_unary(interop_client *c) {
  Grpc__Testing__BoolValue flag = GRPC__TESTING__BOOL_VALUE__INIT;
  Grpc__Testing__SimpleRequest req = GRPC__TESTING__SIMPLE_REQUEST__INIT;
  req.response_compressed = &flag;
  grpc_c_call_options *opts = new_call_options();
  flag.value = true;
  bool ok =
      large_unary_with(c, "response_compressed=true", &req, opts, GRPC_C_OK);
  flag.value = false;
  ok = ok &&
       large_unary_with(c, "response_compressed=false", &req, opts, GRPC_C_OK);
  grpc_c_call_options_free(opts);
  return ok;
}

static bool unary_status(interop_client *c, const char *message) {
  Grpc__Testing__EchoStatus echo = GRPC__TESTING__ECHO_STATUS__INIT;
  echo.code = GRPC_C_UNKNOWN;
  echo.message = (char *)message;
  Grpc__Testing__SimpleRequest req = GRPC__TESTING__SIMPLE_REQUEST__INIT;
  req.response_status = &echo;
  Grpc__Testing__SimpleResponse *resp = NULL;
  grpc_c_status status = GRPC_C_STATUS_INIT;
  grpc_c_call_options *opts = new_call_options();
  grpc_c_code code = grpc__testing__test_service__unary_call__call(
      c->channel, &req, &resp, opts, &status);
  grpc_c_call_options_free(opts);
  bool ok = expect_code(c, "UnaryCall", code, &status, GRPC_C_UNKNOWN);
  if (ok && strcmp(status.message ? status.message : "", message) != 0)
    ok = fail(c, "UnaryCall: status message \"%s\", expected \"%s\"",
              status.message ? status.message : "", message);
  if (resp) grpc__testing__simple_response__free_unpacked(resp, NULL);
  grpc_c_status_clear(&status);
  return ok;
}

static bool special_status_message(interop_client *c) {
  return unary_status(c,
                      "\t\ntest with whitespace\r\nand Unicode BMP \u263A "
                      "and non-BMP \U0001F608\t\n");
}

static bool unimplemented_method(interop_client *c) {
  return empty_call_ends(c, "TestService/UnimplementedCall",
                         grpc__testing__test_service__unimplemented_call__call,
                         GRPC_C_UNIMPLEMENTED);
}

static bool unimplemented_service(interop_client *c) {
  return empty_call_ends(
      c, "UnimplementedService/UnimplementedCall",
      grpc__testing__unimplemented_service__unimplemented_call__call,
      GRPC_C_UNIMPLEMENTED);
}

/* ---- client streaming ---- */

typedef Grpc__Testing__TestService__StreamingInputCall_Stream input_stream;

/* Sends one StreamingInputCallRequest of `size` zeros. */
static bool send_input(input_stream *s, size_t size,
                       const Grpc__Testing__BoolValue *expect, unsigned flags) {
  Grpc__Testing__Payload payload = zero_payload(size);
  Grpc__Testing__StreamingInputCallRequest req =
      GRPC__TESTING__STREAMING_INPUT_CALL_REQUEST__INIT;
  req.payload = &payload;
  req.expect_compressed = (Grpc__Testing__BoolValue *)expect;
  bool sent = grpc_c_client_stream_write_flags((grpc_c_client_stream *)s,
                                               &req.base, flags);
  free(payload.body.data);
  return sent;
}

/* Finishes a StreamingInputCall and checks its status and total. */
static bool finish_input(
    interop_client *c, const char *step,
    Grpc__Testing__TestService__StreamingInputCall_Stream *s, grpc_c_code want,
    int32_t want_total) {
  Grpc__Testing__StreamingInputCallResponse *resp = NULL;
  grpc_c_status status = GRPC_C_STATUS_INIT;
  grpc_c_code code = grpc__testing__test_service__streaming_input_call__finish(
      s, &resp, &status);
  bool ok = expect_code(c, step, code, &status, want);
  if (ok && want == GRPC_C_OK && resp->aggregated_payload_size != want_total)
    ok = fail(c, "%s: aggregated_payload_size %d, expected %d", step,
              (int)resp->aggregated_payload_size, (int)want_total);
  if (resp)
    grpc__testing__streaming_input_call_response__free_unpacked(resp, NULL);
  grpc_c_status_clear(&status);
  return ok;
}

/* Starts a StreamingInputCall whose messages go compressed with
 * `compression` (unless a write opts out). */
static bool start_input(interop_client *c, grpc_c_compression compression,
                        input_stream **s) {
  grpc_c_call_options *opts = new_call_options();
  grpc_c_call_options_set_compression(opts, compression);
  int rc = grpc__testing__test_service__streaming_input_call__start(c->channel,
                                                                    opts, s);
  grpc_c_call_options_free(opts);
  return rc == 0 ||
         fail(c, "cannot start StreamingInputCall: %s", grpc_c_strerror(rc));
}

static bool client_streaming(interop_client *c) {
  input_stream *s;
  if (!start_input(c, GRPC_C_COMPRESS_NONE, &s)) return false;
  const size_t sizes[] = {27182, 8, 1828, 45904};
  for (size_t i = 0; i < 4; i++)
    if (!send_input(s, sizes[i], NULL, 0)) break; /* finish tells why */
  return finish_input(c, "StreamingInputCall", s, GRPC_C_OK, 74922);
}

static bool client_compressed_streaming(interop_client *c) {
  Grpc__Testing__BoolValue yes = GRPC__TESTING__BOOL_VALUE__INIT;
  Grpc__Testing__BoolValue no = GRPC__TESTING__BOOL_VALUE__INIT;
  yes.value = true;
  /* The probe: an uncompressed message that claims to be compressed. */
  input_stream *s;
  if (!start_input(c, GRPC_C_COMPRESS_NONE, &s)) return false;
  send_input(s, 27182, &yes, 0);
  if (!finish_input(c, "probe (uncompressed, expect_compressed)", s,
                    GRPC_C_INVALID_ARGUMENT, 0))
    return false;
  /* A gzip call: the first message compressed, the second opting out. */
  if (!start_input(c, GRPC_C_COMPRESS_GZIP, &s)) return false;
  if (send_input(s, 27182, &yes, 0))
    send_input(s, 45904, &no, GRPC_C_WRITE_NO_COMPRESS);
  return finish_input(c, "compressed then uncompressed", s, GRPC_C_OK, 73086);
}

static bool cancel_after_begin(interop_client *c) {
  input_stream *s;
  if (!start_input(c, GRPC_C_COMPRESS_NONE, &s)) return false;
  grpc__testing__test_service__streaming_input_call__cancel(s);
  return finish_input(c, "cancelled StreamingInputCall", s, GRPC_C_CANCELLED,
                      0);
}

/* ---- server streaming ---- */

/* Reads the responses of an output stream and checks their sizes. */
static bool read_sizes(
    interop_client *c, const char *step,
    Grpc__Testing__TestService__StreamingOutputCall_Stream *s,
    const int32_t *sizes, size_t count) {
  size_t got = 0;
  Grpc__Testing__StreamingOutputCallResponse *resp;
  bool ok = true;
  while (grpc__testing__test_service__streaming_output_call__read(s, &resp)) {
    if (ok && got < count) {
      char what[64];
      snprintf(what, sizeof what, "%s: response %zu", step, got + 1);
      ok = check_payload(c, what, resp->payload, (size_t)sizes[got]);
    }
    got++;
  }
  grpc_c_status status = GRPC_C_STATUS_INIT;
  grpc_c_code code =
      grpc__testing__test_service__streaming_output_call__finish(s, &status);
  ok = ok && expect_code(c, step, code, &status, GRPC_C_OK);
  if (ok && got != count)
    ok = fail(c, "%s: %zu responses, expected %zu", step, got, count);
  grpc_c_status_clear(&status);
  return ok;
}

/* StreamingOutputCall with one response parameter per size; `compressed`
 * (may be NULL) says which responses the server should compress. */
static bool output_call(interop_client *c, const char *step,
                        const int32_t *sizes, const bool *compressed,
                        size_t count) {
  Grpc__Testing__ResponseParameters params[4];
  Grpc__Testing__ResponseParameters *param_ptrs[4];
  Grpc__Testing__BoolValue flags[4];
  for (size_t i = 0; i < count; i++) {
    grpc__testing__response_parameters__init(&params[i]);
    params[i].size = sizes[i];
    if (compressed) {
      grpc__testing__bool_value__init(&flags[i]);
      flags[i].value = compressed[i];
      params[i].compressed = &flags[i];
    }
    param_ptrs[i] = &params[i];
  }
  Grpc__Testing__StreamingOutputCallRequest req =
      GRPC__TESTING__STREAMING_OUTPUT_CALL_REQUEST__INIT;
  req.response_parameters = param_ptrs;
  req.n_response_parameters = count;
  grpc_c_call_options *opts = new_call_options();
  Grpc__Testing__TestService__StreamingOutputCall_Stream *s;
  int rc = grpc__testing__test_service__streaming_output_call__start(
      c->channel, &req, opts, &s);
  grpc_c_call_options_free(opts);
  if (rc)
    return fail(c, "cannot start StreamingOutputCall: %s", grpc_c_strerror(rc));
  return read_sizes(c, step, s, sizes, count);
}

static bool server_streaming(interop_client *c) {
  const int32_t sizes[] = {31415, 9, 2653, 58979};
  return output_call(c, "StreamingOutputCall", sizes, NULL, 4);
}

/* As for server_compressed_unary, the compressed flag itself is not visible
 * to the client. */
static bool server_compressed_streaming(interop_client *c) {
  const int32_t sizes[] = {31415, 92653};
  const bool compressed[] = {true, false};
  return output_call(c, "StreamingOutputCall", sizes, compressed, 2);
}

/* ---- bidirectional ---- */

typedef Grpc__Testing__TestService__FullDuplexCall_Stream duplex_stream;

/* Sends one FullDuplexCall request: `response_size` asked (none when
 * negative), `payload_size` zeros sent. */
static bool send_duplex(duplex_stream *s, int32_t response_size,
                        size_t payload_size, Grpc__Testing__EchoStatus *echo) {
  Grpc__Testing__ResponseParameters param =
      GRPC__TESTING__RESPONSE_PARAMETERS__INIT;
  Grpc__Testing__ResponseParameters *params[] = {&param};
  param.size = response_size;
  Grpc__Testing__Payload payload = zero_payload(payload_size);
  Grpc__Testing__StreamingOutputCallRequest req =
      GRPC__TESTING__STREAMING_OUTPUT_CALL_REQUEST__INIT;
  if (response_size >= 0) {
    req.response_parameters = params;
    req.n_response_parameters = 1;
  }
  if (payload_size) req.payload = &payload;
  req.response_status = echo;
  bool sent = grpc__testing__test_service__full_duplex_call__write(s, &req);
  free(payload.body.data);
  return sent;
}

static bool start_duplex(interop_client *c, const grpc_c_call_options *opts,
                         duplex_stream **s) {
  int rc =
      grpc__testing__test_service__full_duplex_call__start(c->channel, opts, s);
  return rc == 0 ||
         fail(c, "cannot start FullDuplexCall: %s", grpc_c_strerror(rc));
}

/* Finishes a FullDuplexCall: fails unless it ended with `want`. */
static bool finish_duplex(interop_client *c, const char *step, duplex_stream *s,
                          grpc_c_code want) {
  grpc_c_status status = GRPC_C_STATUS_INIT;
  grpc_c_code code =
      grpc__testing__test_service__full_duplex_call__finish(s, &status);
  bool ok = expect_code(c, step, code, &status, want);
  grpc_c_status_clear(&status);
  return ok;
}

static bool ping_pong(interop_client *c) {
  const int32_t responses[] = {31415, 9, 2653, 58979};
  const size_t payloads[] = {27182, 8, 1828, 45904};
  grpc_c_call_options *opts = new_call_options();
  duplex_stream *s;
  bool ok = start_duplex(c, opts, &s);
  grpc_c_call_options_free(opts);
  if (!ok) return false;
  for (size_t i = 0; i < 4 && ok; i++) {
    Grpc__Testing__StreamingOutputCallResponse *resp;
    char step[64];
    snprintf(step, sizeof step, "ping_pong round %zu", i + 1);
    if (!send_duplex(s, responses[i], payloads[i], NULL))
      ok = fail(c, "%s: the write failed", step);
    else if (!grpc__testing__test_service__full_duplex_call__read(s, &resp))
      ok = fail(c, "%s: no response", step);
    else
      ok = check_payload(c, step, resp->payload, (size_t)responses[i]);
  }
  if (!ok) {
    grpc__testing__test_service__full_duplex_call__cancel(s);
    finish_duplex(c, "FullDuplexCall", s, GRPC_C_CANCELLED);
    return false;
  }
  grpc__testing__test_service__full_duplex_call__writes_done(s);
  Grpc__Testing__StreamingOutputCallResponse *extra;
  if (grpc__testing__test_service__full_duplex_call__read(s, &extra)) {
    grpc__testing__test_service__full_duplex_call__cancel(s);
    finish_duplex(c, "FullDuplexCall", s, GRPC_C_CANCELLED);
    return fail(c, "FullDuplexCall: a fifth response");
  }
  return finish_duplex(c, "FullDuplexCall", s, GRPC_C_OK);
}

static bool empty_stream(interop_client *c) {
  grpc_c_call_options *opts = new_call_options();
  duplex_stream *s;
  bool ok = start_duplex(c, opts, &s);
  grpc_c_call_options_free(opts);
  if (!ok) return false;
  grpc__testing__test_service__full_duplex_call__writes_done(s);
  Grpc__Testing__StreamingOutputCallResponse *resp;
  bool got = grpc__testing__test_service__full_duplex_call__read(s, &resp);
  ok = finish_duplex(c, "FullDuplexCall", s, GRPC_C_OK);
  return ok && (!got || fail(c, "FullDuplexCall: a response to no request"));
}

static bool cancel_after_first_response(interop_client *c) {
  grpc_c_call_options *opts = new_call_options();
  duplex_stream *s;
  bool ok = start_duplex(c, opts, &s);
  grpc_c_call_options_free(opts);
  if (!ok) return false;
  Grpc__Testing__StreamingOutputCallResponse *resp;
  if (!send_duplex(s, 31415, 27182, NULL))
    ok = fail(c, "FullDuplexCall: the write failed");
  else if (!grpc__testing__test_service__full_duplex_call__read(s, &resp))
    ok = fail(c, "FullDuplexCall: no first response");
  grpc__testing__test_service__full_duplex_call__cancel(s);
  if (!ok) {
    finish_duplex(c, "FullDuplexCall", s, GRPC_C_CANCELLED);
    return false;
  }
  return finish_duplex(c, "cancelled FullDuplexCall", s, GRPC_C_CANCELLED);
}

static bool timeout_on_sleeping_server(interop_client *c) {
  grpc_c_call_options *opts = new_call_options();
  grpc_c_call_options_set_timeout_ms(opts, 1);
  duplex_stream *s;
  bool ok = start_duplex(c, opts, &s);
  grpc_c_call_options_free(opts);
  if (!ok) return false;
  /* The write may already fail: the deadline is that short. */
  send_duplex(s, -1, 27182, NULL);
  Grpc__Testing__StreamingOutputCallResponse *resp;
  while (grpc__testing__test_service__full_duplex_call__read(s, &resp)) {
  }
  return finish_duplex(c, "FullDuplexCall with a 1 ms timeout", s,
                       GRPC_C_DEADLINE_EXCEEDED);
}

static bool status_code_and_message(interop_client *c) {
  static const char message[] = "test status message";
  if (!unary_status(c, message)) return false;
  Grpc__Testing__EchoStatus echo = GRPC__TESTING__ECHO_STATUS__INIT;
  echo.code = GRPC_C_UNKNOWN;
  echo.message = (char *)message;
  grpc_c_call_options *opts = new_call_options();
  duplex_stream *s;
  bool ok = start_duplex(c, opts, &s);
  grpc_c_call_options_free(opts);
  if (!ok) return false;
  send_duplex(s, -1, 0, &echo);
  grpc__testing__test_service__full_duplex_call__writes_done(s);
  grpc_c_status status = GRPC_C_STATUS_INIT;
  grpc_c_code code =
      grpc__testing__test_service__full_duplex_call__finish(s, &status);
  ok = expect_code(c, "FullDuplexCall", code, &status, GRPC_C_UNKNOWN);
  if (ok && strcmp(status.message ? status.message : "", message) != 0)
    ok = fail(c, "FullDuplexCall: status message \"%s\", expected \"%s\"",
              status.message ? status.message : "", message);
  grpc_c_status_clear(&status);
  return ok;
}

/* ---- metadata ---- */

/* Fails unless the server echoed both entries. */
static bool check_echo(interop_client *c, const char *step,
                       const grpc_c_metadata *initial,
                       const grpc_c_metadata *trailing) {
  size_t len;
  const char *value = grpc_c_metadata_get(initial, ECHO_INITIAL_KEY, 0, &len);
  if (!value || len != strlen(ECHO_INITIAL_VALUE) ||
      memcmp(value, ECHO_INITIAL_VALUE, len) != 0)
    return fail(c, "%s: %s missing or wrong in the initial metadata", step,
                ECHO_INITIAL_KEY);
  value = grpc_c_metadata_get(trailing, ECHO_TRAILING_KEY, 0, &len);
  if (!value || len != sizeof ECHO_TRAILING_VALUE ||
      memcmp(value, ECHO_TRAILING_VALUE, len) != 0)
    return fail(c, "%s: %s missing or wrong in the trailing metadata", step,
                ECHO_TRAILING_KEY);
  return true;
}

static bool custom_metadata(interop_client *c) {
  grpc_c_metadata *initial = NULL, *trailing = NULL;
  grpc_c_call_options *opts = new_call_options();
  if (!opts || grpc_c_metadata_new(&initial) ||
      grpc_c_metadata_new(&trailing) ||
      grpc_c_call_options_add_metadata(opts, ECHO_INITIAL_KEY,
                                       ECHO_INITIAL_VALUE) ||
      grpc_c_call_options_add_metadata_bin(opts, ECHO_TRAILING_KEY,
                                           ECHO_TRAILING_VALUE,
                                           sizeof ECHO_TRAILING_VALUE) ||
      grpc_c_call_options_set_response_metadata(opts, initial, trailing)) {
    grpc_c_call_options_free(opts);
    grpc_c_metadata_free(initial);
    grpc_c_metadata_free(trailing);
    return fail(c, "cannot set up the call options");
  }
  Grpc__Testing__SimpleRequest req = GRPC__TESTING__SIMPLE_REQUEST__INIT;
  bool ok = large_unary_with(c, "UnaryCall", &req, opts, GRPC_C_OK) &&
            check_echo(c, "UnaryCall", initial, trailing);
  duplex_stream *s;
  if (ok && (ok = start_duplex(c, opts, &s))) {
    Grpc__Testing__StreamingOutputCallResponse *resp;
    if (!send_duplex(s, 314159, 271828, NULL))
      ok = fail(c, "FullDuplexCall: the write failed");
    else if (!grpc__testing__test_service__full_duplex_call__read(s, &resp))
      ok = fail(c, "FullDuplexCall: no response");
    else
      ok = check_payload(c, "FullDuplexCall", resp->payload, 314159);
    grpc__testing__test_service__full_duplex_call__writes_done(s);
    ok = finish_duplex(c, "FullDuplexCall", s, GRPC_C_OK) && ok &&
         check_echo(c, "FullDuplexCall", initial, trailing);
  }
  grpc_c_call_options_free(opts);
  grpc_c_metadata_free(initial);
  grpc_c_metadata_free(trailing);
  return ok;
}

/* ---- load balancing ---- */

static bool pick_first_unary(interop_client *c) {
  enum { CALLS = 100 };
  grpc_c_channel *channel = NULL;
  int rc = grpc_c_channel_options_set_service_config(
      c->channel_options, "{\"loadBalancingConfig\":[{\"pick_first\":{}}]}");
  if (!rc) rc = grpc_c_channel_create(&channel, c->target, c->channel_options);
  if (rc)
    return fail(c, "cannot create a pick_first channel: %s",
                grpc_c_strerror(rc));
  Grpc__Testing__SimpleRequest req = GRPC__TESTING__SIMPLE_REQUEST__INIT;
  req.fill_server_id = true;
  grpc_c_call_options *opts = new_call_options();
  char first_id[256] = "";
  bool ok = true;
  for (int i = 0; i < CALLS && ok; i++) {
    Grpc__Testing__SimpleResponse *resp = NULL;
    grpc_c_status status = GRPC_C_STATUS_INIT;
    grpc_c_code code = grpc__testing__test_service__unary_call__call(
        channel, &req, &resp, opts, &status);
    ok = expect_code(c, "UnaryCall", code, &status, GRPC_C_OK);
    if (ok && !*resp->server_id)
      ok = fail(c, "UnaryCall %d: no server_id", i + 1);
    else if (ok && i == 0)
      snprintf(first_id, sizeof first_id, "%s", resp->server_id);
    else if (ok && strcmp(first_id, resp->server_id) != 0)
      ok = fail(c, "UnaryCall %d: server_id \"%s\", earlier \"%s\"", i + 1,
                resp->server_id, first_id);
    if (resp) grpc__testing__simple_response__free_unpacked(resp, NULL);
    grpc_c_status_clear(&status);
  }
  grpc_c_call_options_free(opts);
  grpc_c_channel_destroy(channel);
  return ok;
}

/* ---- main ---- */

typedef struct test_case {
  const char *name;
  bool (*run)(interop_client *c);
} test_case;

static const test_case CASES[] = {
    {"empty_unary", empty_unary},
    {"large_unary", large_unary},
    {"client_streaming", client_streaming},
    {"server_streaming", server_streaming},
    {"ping_pong", ping_pong},
    {"empty_stream", empty_stream},
    {"timeout_on_sleeping_server", timeout_on_sleeping_server},
    {"cancel_after_begin", cancel_after_begin},
    {"cancel_after_first_response", cancel_after_first_response},
    {"status_code_and_message", status_code_and_message},
    {"special_status_message", special_status_message},
    {"custom_metadata", custom_metadata},
    {"unimplemented_method", unimplemented_method},
    {"unimplemented_service", unimplemented_service},
    {"client_compressed_unary", client_compressed_unary},
    {"client_compressed_streaming", client_compressed_streaming},
    {"server_compressed_unary", server_compressed_unary},
    {"server_compressed_streaming", server_compressed_streaming},
    {"pick_first_unary", pick_first_unary},
};

int main(int argc, char **argv) {
  const char *host = "localhost";
  int port = 0;
  const char *test_case_name = "";
  bool use_tls = false, use_test_ca = false;
  const char *ca_file = INTEROP_CERTS_DIR "/ca.pem";
  const char *host_override = NULL;
  const interop_flag flags[] = {
      {"server_host", INTEROP_FLAG_STRING, &host, "server host"},
      {"server_port", INTEROP_FLAG_INT, &port, "server port"},
      {"test_case", INTEROP_FLAG_STRING, &test_case_name,
       "the test case to run"},
      {"use_tls", INTEROP_FLAG_BOOL, &use_tls, "connect with TLS"},
      {"use_test_ca", INTEROP_FLAG_BOOL, &use_test_ca,
       "trust --ca_file instead of the system roots"},
      {"ca_file", INTEROP_FLAG_STRING, &ca_file,
       "CA bundle for --use_test_ca (default: the project's test CA)"},
      {"server_host_override", INTEROP_FLAG_STRING, &host_override,
       "name checked in the server certificate and sent as :authority "
       "(default with --use_test_ca: foo.test.google.fr)"},
  };
  if (!interop_flags_parse(argc, argv, flags, sizeof flags / sizeof *flags,
                           "interop_client"))
    return 2;
  const test_case *tc = NULL;
  for (size_t i = 0; i < sizeof CASES / sizeof *CASES; i++)
    if (strcmp(CASES[i].name, test_case_name) == 0) tc = &CASES[i];
  if (!tc || port <= 0 || port > 65535) {
    fprintf(stderr,
            "interop_client: need --server_port=1..65535 and one of "
            "these --test_case values:\n");
    for (size_t i = 0; i < sizeof CASES / sizeof *CASES; i++)
      fprintf(stderr, "  %s\n", CASES[i].name);
    return 2;
  }

  interop_client c = {0};
  char target[300];
  if (!interop_host_port(target, sizeof target, host, port)) {
    fprintf(stderr, "interop_client: --server_host is too long\n");
    return 2;
  }
  c.target = target;
  int rc = grpc_c_channel_options_new(&c.channel_options);
  if (!rc && use_tls) {
    if (!host_override && use_test_ca) host_override = "foo.test.google.fr";
    rc = use_test_ca ? grpc_c_channel_options_set_tls_ca_file(c.channel_options,
                                                              ca_file)
                     : grpc_c_channel_options_set_tls(c.channel_options, NULL);
    if (!rc && host_override)
      rc = grpc_c_channel_options_set_tls_server_name(c.channel_options,
                                                      host_override);
  } else if (!rc && host_override) {
    rc = grpc_c_channel_options_set_authority(c.channel_options, host_override);
  }
  if (!rc) rc = grpc_c_channel_create(&c.channel, target, c.channel_options);
  if (rc) {
    fprintf(stderr, "interop_client: cannot create the channel: %s\n",
            grpc_c_strerror(rc));
    grpc_c_channel_options_free(c.channel_options);
    return 1;
  }
  bool passed = tc->run(&c);
  grpc_c_channel_destroy(c.channel);
  grpc_c_channel_options_free(c.channel_options);
  if (!passed) {
    fprintf(stderr, "%s: FAILED: %s\n", tc->name, c.failure);
    return 1;
  }
  printf("%s: passed\n", tc->name);
  return 0;
}
