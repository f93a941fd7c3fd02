/* The standard gRPC interop test server (grpc.testing.TestService), so any
 * gRPC implementation's interop client can test grpc-c. Serves every
 * TestService method the interop descriptions define; UnimplementedCall and
 * grpc.testing.UnimplementedService answer UNIMPLEMENTED.
 *
 *   interop_server --port=N [--bind_host=ADDR] [--use_tls=true
 *                  --tls_cert_file=PEM --tls_key_file=PEM]
 *                  [--max_response_size=BYTES]
 *
 * Prints "interop_server listening on port N" once serving (useful with
 * --port=0) and stops on SIGTERM or SIGINT. */
#include <grpc-c/grpc-c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "grpc/testing/test.grpc-c.h"
#include "interop_flags.h"

static const char ECHO_INITIAL_KEY[] = "x-grpc-test-echo-initial";
static const char ECHO_TRAILING_KEY[] = "x-grpc-test-echo-trailing-bin";

/* The default --max_response_size: gRPC's default receive limit, so a
 * larger payload could not reach a default client anyway. */
enum { DEFAULT_MAX_RESPONSE_SIZE = 4 * 1024 * 1024 };

typedef struct interop_server {
  char server_id[128];   /* reported when a request sets fill_server_id */
  int max_response_size; /* payload bytes one response may carry */
} interop_server;

/* ---- helpers ---- */

/* Sends back the echo metadata the client asked for. */
static void echo_metadata(grpc_c_server_ctx *ctx) {
  size_t len;
  const char *value =
      grpc_c_server_ctx_metadata(ctx, ECHO_INITIAL_KEY, 0, &len);
  if (value)
    grpc_c_server_ctx_add_initial_metadata(ctx, ECHO_INITIAL_KEY, value, len);
  value = grpc_c_server_ctx_metadata(ctx, ECHO_TRAILING_KEY, 0, &len);
  if (value)
    grpc_c_server_ctx_add_trailing_metadata(ctx, ECHO_TRAILING_KEY, value, len);
}

/* CompressedRequest: a request with expect_compressed set must have arrived
 * compressed (true) or plain (false). */
static bool compression_as_expected(grpc_c_server_ctx *ctx,
                                    const Grpc__Testing__BoolValue *expect) {
  if (!expect) return true;
  return grpc_c_server_ctx_request_compressed(ctx) == (bool)expect->value;
}

static grpc_c_code fail_compression(grpc_c_server_ctx *ctx,
                                    const Grpc__Testing__BoolValue *expect) {
  return grpc_c_server_ctx_fail(ctx, GRPC_C_INVALID_ARGUMENT, "%s",
                                expect->value
                                    ? "expected a compressed request"
                                    : "expected an uncompressed request");
}

/* Echo Status: a non-zero code in the request ends the call with it. */
static bool echo_status(grpc_c_server_ctx *ctx,
                        const Grpc__Testing__EchoStatus *status,
                        grpc_c_code *code) {
  if (!status || status->code == 0) return false;
  *code = grpc_c_server_ctx_fail(ctx, (grpc_c_code)status->code, "%s",
                                 status->message ? status->message : "");
  return true;
}

static bool valid_response_type(Grpc__Testing__PayloadType type) {
  return type == GRPC__TESTING__PAYLOAD_TYPE__COMPRESSABLE;
}

/* A payload size a request asks for, checked before anything is allocated:
 * false ends the call with `*code`, INVALID_ARGUMENT when negative,
 * RESOURCE_EXHAUSTED over --max_response_size (the client chooses the size,
 * so it must not choose the server's memory use). */
static bool response_size_allowed(const interop_server *server,
                                  grpc_c_server_ctx *ctx, int32_t size,
                                  grpc_c_code *code) {
  if (size < 0) {
    *code = grpc_c_server_ctx_fail(ctx, GRPC_C_INVALID_ARGUMENT,
                                   "negative response size %d", (int)size);
    return false;
  }
  if (size > server->max_response_size) {
    *code = grpc_c_server_ctx_fail(
        ctx, GRPC_C_RESOURCE_EXHAUSTED,
        "response size %d exceeds this server's limit of %d bytes "
        "(--max_response_size)",
        (int)size, server->max_response_size);
    return false;
  }
  return true;
}

/* Sleeps `us` microseconds in slices, returning early (false) when the call
 * is cancelled. */
static bool sleep_unless_cancelled(grpc_c_server_ctx *ctx, int64_t us) {
  while (us > 0) {
    if (grpc_c_server_ctx_is_cancelled(ctx)) return false;
    int64_t slice = us < 50000 ? us : 50000;
    struct timespec ts = {0, (long)slice * 1000};
    nanosleep(&ts, NULL);
    us -= slice;
  }
  return !grpc_c_server_ctx_is_cancelled(ctx);
}

/* Sends one StreamingOutputCallResponse per parameter: the interval first,
 * then a payload of zeros, compressed only when the parameter asks (the
 * handler set gzip for the call; plain messages opt out). */
static bool send_responses(grpc_c_server_ctx *ctx,
                           Grpc__Testing__ResponseParameters **params,
                           size_t count) {
  for (size_t i = 0; i < count; i++) {
    const Grpc__Testing__ResponseParameters *p = params[i];
    if (!sleep_unless_cancelled(ctx, p->interval_us)) return false;
    uint8_t *zeros = calloc(1, p->size ? (size_t)p->size : 1);
    if (!zeros) return false;
    Grpc__Testing__Payload payload = GRPC__TESTING__PAYLOAD__INIT;
    payload.body.data = zeros;
    payload.body.len = (size_t)p->size;
    Grpc__Testing__StreamingOutputCallResponse response =
        GRPC__TESTING__STREAMING_OUTPUT_CALL_RESPONSE__INIT;
    response.payload = &payload;
    unsigned flags =
        p->compressed && p->compressed->value ? 0 : GRPC_C_WRITE_NO_COMPRESS;
    bool sent = grpc_c_server_ctx_write_flags(ctx, &response.base, flags);
    free(zeros);
    if (!sent) return false;
  }
  return true;
}

/* Checks one StreamingOutputCallRequest and answers it; false ends the call
 * with `*code`. Every response size is checked before the first is sent. */
static bool serve_output_request(
    const interop_server *server, grpc_c_server_ctx *ctx,
    const Grpc__Testing__StreamingOutputCallRequest *req, grpc_c_code *code) {
  if (echo_status(ctx, req->response_status, code)) return false;
  if (!valid_response_type(req->response_type)) {
    *code = grpc_c_server_ctx_fail(ctx, GRPC_C_INVALID_ARGUMENT,
                                   "unsupported response_type %d",
                                   (int)req->response_type);
    return false;
  }
  for (size_t i = 0; i < req->n_response_parameters; i++)
    if (!response_size_allowed(server, ctx, req->response_parameters[i]->size,
                               code))
      return false;
  if (!send_responses(ctx, req->response_parameters,
                      req->n_response_parameters)) {
    *code = grpc_c_server_ctx_is_cancelled(ctx)
                ? GRPC_C_CANCELLED
                : grpc_c_server_ctx_fail(ctx, GRPC_C_INVALID_ARGUMENT,
                                         "cannot send the responses");
    return false;
  }
  return true;
}

/* ---- TestService ---- */

static grpc_c_code empty_call(void *self, grpc_c_server_ctx *ctx,
                              const Grpc__Testing__Empty *request,
                              Grpc__Testing__Empty *response) {
  (void)self, (void)request, (void)response;
  echo_metadata(ctx);
  return GRPC_C_OK;
}

static grpc_c_code unary_call(void *self, grpc_c_server_ctx *ctx,
                              const Grpc__Testing__SimpleRequest *req,
                              Grpc__Testing__SimpleResponse *response) {
  interop_server *server = self;
  echo_metadata(ctx);
  if (req->response_compressed)
    grpc_c_server_ctx_set_compression(ctx, req->response_compressed->value
                                               ? GRPC_C_COMPRESS_GZIP
                                               : GRPC_C_COMPRESS_NONE);
  if (!compression_as_expected(ctx, req->expect_compressed))
    return fail_compression(ctx, req->expect_compressed);
  grpc_c_code code;
  if (echo_status(ctx, req->response_status, &code)) return code;
  if (!valid_response_type(req->response_type))
    return grpc_c_server_ctx_fail(ctx, GRPC_C_INVALID_ARGUMENT,
                                  "unsupported response_type %d",
                                  (int)req->response_type);
  if (!response_size_allowed(server, ctx, req->response_size, &code))
    return code;
  if (req->response_size > 0) {
    Grpc__Testing__Payload *payload =
        grpc_c_server_ctx_alloc(ctx, sizeof *payload);
    uint8_t *body = grpc_c_server_ctx_alloc(ctx, (size_t)req->response_size);
    if (!payload || !body) return GRPC_C_RESOURCE_EXHAUSTED;
    grpc__testing__payload__init(payload);
    payload->body.data = body; /* zeroed by the allocator */
    payload->body.len = (size_t)req->response_size;
    response->payload = payload;
  }
  if (req->fill_server_id) response->server_id = server->server_id;
  return GRPC_C_OK;
}

static grpc_c_code cacheable_unary_call(
    void *self, grpc_c_server_ctx *ctx, const Grpc__Testing__SimpleRequest *req,
    Grpc__Testing__SimpleResponse *response) {
  (void)self, (void)req;
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  char *stamp = grpc_c_server_ctx_alloc(ctx, 32);
  Grpc__Testing__Payload *payload =
      grpc_c_server_ctx_alloc(ctx, sizeof *payload);
  if (!stamp || !payload) return GRPC_C_RESOURCE_EXHAUSTED;
  int n = snprintf(stamp, 32, "%lld",
                   (long long)now.tv_sec * 1000000000LL + now.tv_nsec);
  grpc__testing__payload__init(payload);
  payload->body.data = (uint8_t *)stamp;
  payload->body.len = (size_t)n;
  response->payload = payload;
  grpc_c_server_ctx_add_initial_metadata(ctx, "cache-control", "max-age=60",
                                         10);
  return GRPC_C_OK;
}

static grpc_c_code streaming_output_call(
    void *self, grpc_c_server_ctx *ctx,
    const Grpc__Testing__StreamingOutputCallRequest *req,
    Grpc__Testing__TestService__StreamingOutputCall_ServerStream *stream) {
  (void)stream;
  echo_metadata(ctx);
  grpc_c_server_ctx_set_compression(ctx, GRPC_C_COMPRESS_GZIP);
  grpc_c_code code = GRPC_C_OK;
  serve_output_request(self, ctx, req, &code);
  return code;
}

static grpc_c_code streaming_input_call(
    void *self, grpc_c_server_ctx *ctx,
    Grpc__Testing__TestService__StreamingInputCall_ServerStream *stream,
    Grpc__Testing__StreamingInputCallResponse *response) {
  (void)self;
  echo_metadata(ctx);
  Grpc__Testing__StreamingInputCallRequest *req;
  int64_t total = 0;
  while (grpc__testing__test_service__streaming_input_call__server_read(stream,
                                                                        &req)) {
    if (!compression_as_expected(ctx, req->expect_compressed))
      return fail_compression(ctx, req->expect_compressed);
    if (req->payload) total += (int64_t)req->payload->body.len;
  }
  if (grpc_c_server_ctx_is_cancelled(ctx)) return GRPC_C_CANCELLED;
  response->aggregated_payload_size = (int32_t)total;
  return GRPC_C_OK;
}

static grpc_c_code full_duplex_call(
    void *self, grpc_c_server_ctx *ctx,
    Grpc__Testing__TestService__FullDuplexCall_ServerStream *stream) {
  echo_metadata(ctx);
  grpc_c_server_ctx_set_compression(ctx, GRPC_C_COMPRESS_GZIP);
  Grpc__Testing__StreamingOutputCallRequest *req;
  grpc_c_code code = GRPC_C_OK;
  while (
      grpc__testing__test_service__full_duplex_call__server_read(stream, &req))
    if (!serve_output_request(self, ctx, req, &code)) return code;
  return grpc_c_server_ctx_is_cancelled(ctx) ? GRPC_C_CANCELLED : GRPC_C_OK;
}

/* Requests are kept until the client half-closes, then answered in order. */
static grpc_c_code half_duplex_call(
    void *self, grpc_c_server_ctx *ctx,
    Grpc__Testing__TestService__HalfDuplexCall_ServerStream *stream) {
  echo_metadata(ctx);
  grpc_c_server_ctx_set_compression(ctx, GRPC_C_COMPRESS_GZIP);
  enum { MAX_HELD = 1024 };
  Grpc__Testing__StreamingOutputCallRequest *held[MAX_HELD];
  size_t count = 0;
  grpc_c_code code = GRPC_C_OK;
  Grpc__Testing__StreamingOutputCallRequest *req;
  while (grpc__testing__test_service__half_duplex_call__server_read(stream,
                                                                    &req)) {
    if (count == MAX_HELD) {
      code = grpc_c_server_ctx_fail(ctx, GRPC_C_RESOURCE_EXHAUSTED,
                                    "more than %d requests", MAX_HELD);
      break;
    }
    /* A read's message is lent until the next read: keep a copy. */
    size_t size =
        grpc__testing__streaming_output_call_request__get_packed_size(req);
    uint8_t *bytes = malloc(size ? size : 1);
    if (!bytes) {
      code = GRPC_C_RESOURCE_EXHAUSTED;
      break;
    }
    grpc__testing__streaming_output_call_request__pack(req, bytes);
    held[count] =
        grpc__testing__streaming_output_call_request__unpack(NULL, size, bytes);
    free(bytes);
    if (!held[count]) {
      code = GRPC_C_RESOURCE_EXHAUSTED;
      break;
    }
    count++;
  }
  for (size_t i = 0; i < count && code == GRPC_C_OK; i++)
    serve_output_request(self, ctx, held[i], &code);
  for (size_t i = 0; i < count; i++)
    grpc__testing__streaming_output_call_request__free_unpacked(held[i], NULL);
  if (code == GRPC_C_OK && grpc_c_server_ctx_is_cancelled(ctx))
    code = GRPC_C_CANCELLED;
  return code;
}

/* ---- main ---- */

int main(int argc, char **argv) {
  int port = 0;
  const char *bind_host = "[::]";
  bool use_tls = false;
  const char *cert_file = INTEROP_CERTS_DIR "/server.pem";
  const char *key_file = INTEROP_CERTS_DIR "/server.key";
  int max_response_size = DEFAULT_MAX_RESPONSE_SIZE;
  const interop_flag flags[] = {
      {"port", INTEROP_FLAG_INT, &port, "port to listen on (0: any free port)"},
      {"bind_host", INTEROP_FLAG_STRING, &bind_host,
       "address to listen on, an IPv6 one with or without brackets "
       "(default [::], every interface)"},
      {"use_tls", INTEROP_FLAG_BOOL, &use_tls, "serve TLS (default false)"},
      {"tls_cert_file", INTEROP_FLAG_STRING, &cert_file,
       "server certificate chain, PEM"},
      {"tls_key_file", INTEROP_FLAG_STRING, &key_file,
       "server private key, PEM"},
      {"max_response_size", INTEROP_FLAG_INT, &max_response_size,
       "largest payload one response may carry, in bytes; larger requests "
       "get RESOURCE_EXHAUSTED (default 4194304)"},
  };
  if (!interop_flags_parse(argc, argv, flags, sizeof flags / sizeof *flags,
                           "interop_server"))
    return 2;
  if (port < 0 || port > 65535) {
    fprintf(stderr, "interop_server: --port must be 0..65535\n");
    return 2;
  }
  if (max_response_size < 0) {
    fprintf(stderr, "interop_server: --max_response_size must be >= 0\n");
    return 2;
  }

  interop_server self;
  self.max_response_size = max_response_size;
  char host[64] = "localhost";
  gethostname(host, sizeof host - 1);
  snprintf(self.server_id, sizeof self.server_id, "grpc-c-interop-%s-%ld", host,
           (long)getpid());

  /* Handlers see which requests arrived compressed (expect_compressed):
   * servers inflate requests in the runtime by default. */
  grpc_c_server *server = NULL;
  if (grpc_c_server_create(&server, NULL)) {
    fprintf(stderr, "interop_server: cannot create the server\n");
    return 1;
  }

  char address[300];
  if (!interop_host_port(address, sizeof address, bind_host, port)) {
    fprintf(stderr, "interop_server: --bind_host is too long\n");
    grpc_c_server_destroy(server);
    return 2;
  }
  int bound = 0;
  int rc;
  if (use_tls) {
    grpc_c_tls_server_options *tls = NULL;
    rc = grpc_c_tls_server_options_new(&tls);
    if (rc == 0)
      rc = grpc_c_tls_server_options_add_key_cert_files(tls, cert_file,
                                                        key_file);
    if (rc == 0)
      rc = grpc_c_server_add_tls_listener(server, address, tls, &bound);
    grpc_c_tls_server_options_free(tls);
  } else {
    rc = grpc_c_server_add_listener(server, address, &bound);
  }
  if (rc != 0) {
    fprintf(stderr, "interop_server: cannot listen on %s: %s\n", address,
            grpc_c_strerror(rc));
    grpc_c_server_destroy(server);
    return 1;
  }

  static const Grpc__Testing__TestService_Servicer test_service = {
      .empty_call = empty_call,
      .unary_call = unary_call,
      .cacheable_unary_call = cacheable_unary_call,
      .streaming_output_call = streaming_output_call,
      .streaming_input_call = streaming_input_call,
      .full_duplex_call = full_duplex_call,
      .half_duplex_call = half_duplex_call,
      /* unimplemented_call stays NULL: it answers UNIMPLEMENTED. */
  };
  if (grpc__testing__test_service__servicer__register(server, &test_service,
                                                      &self) ||
      grpc_c_server_start(server)) {
    fprintf(stderr, "interop_server: cannot start\n");
    grpc_c_server_destroy(server);
    return 1;
  }
  printf("interop_server listening on port %d\n", bound);
  fflush(stdout);
  grpc_c_server_wait_for_signal(server, 2000);
  grpc_c_server_destroy(server);
  return 0;
}
