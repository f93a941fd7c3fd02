/* End-to-end tests of transport security and authentication: TLS with a
 * custom CA and a server name override, mutual TLS (accepted and refused
 * clients), wrong CA, wrong server name, bearer tokens and token sources,
 * the server's auth hook, and call credentials refused on plaintext. The
 * certificates are tests/certs (made by tests/certs/make_certs.sh). */
#define _GNU_SOURCE
#include <check.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e.grpc-c.h"
#include "e2e_server.h"

#ifndef CERTS_DIR
#error "CERTS_DIR must name tests/certs"
#endif
#define CERT(name) CERTS_DIR "/" name

/* ---- the server: a unary and a bidi handler reporting the identity ---- */

static atomic_int handler_calls;

/* Reply text: "secure=<0|1> subject=<..> san0=<..> principal=<..>". */
static void describe_identity(grpc_c_server_ctx *ctx, E2e__EchoReply *reply) {
  const char *subject = grpc_c_server_ctx_peer_subject(ctx);
  const char *san = grpc_c_server_ctx_peer_san(ctx, 0);
  const char *principal = grpc_c_server_ctx_principal(ctx);
  char text[512];
  snprintf(text, sizeof text, "secure=%d subject=%s san0=%s principal=%s",
           grpc_c_server_ctx_is_secure(ctx) ? 1 : 0, subject ? subject : "-",
           san ? san : "-", principal ? principal : "-");
  reply->text = grpc_c_server_ctx_strdup(ctx, text);
}

static grpc_c_code on_unary(void *self, grpc_c_server_ctx *ctx,
                            const E2e__EchoRequest *request,
                            E2e__EchoReply *reply) {
  (void)self;
  (void)request;
  atomic_fetch_add(&handler_calls, 1);
  describe_identity(ctx, reply);
  return GRPC_C_OK;
}

/* Bidi as a non-blocking reactor (servers started with `nonblocking`):
 * one identity reply per request, finished at half-close. */
static void reactor_read(grpc_c_server_ctx *ctx, const ProtobufCMessage *msg,
                         void *user_data) {
  (void)msg;
  (void)user_data;
  E2e__EchoReply reply = E2E__ECHO_REPLY__INIT;
  describe_identity(ctx, &reply);
  grpc_c_server_ctx_write(ctx, &reply.base);
}

static void reactor_read_done(grpc_c_server_ctx *ctx, void *user_data) {
  (void)user_data;
  grpc_c_server_ctx_finish(ctx, GRPC_C_OK);
}

static const grpc_c_stream_reactor identity_reactor = {
    .on_read = reactor_read, .on_read_done = reactor_read_done};

static grpc_c_code on_bidi(void *self, grpc_c_server_ctx *ctx,
                           E2e__Echo__Bidi_ServerStream *stream) {
  (void)self;
  atomic_fetch_add(&handler_calls, 1);
  if (grpc_c_server_ctx_react(ctx, &identity_reactor, NULL) == 0)
    return GRPC_C_OK; /* a non-blocking server: the reactor goes on */
  E2e__EchoRequest *request;
  while (e2e__echo__bidi__server_read(stream, &request)) {
    E2e__EchoReply reply = E2E__ECHO_REPLY__INIT;
    describe_identity(ctx, &reply);
    if (!e2e__echo__bidi__server_write(stream, &reply)) break;
  }
  return GRPC_C_OK;
}

static const E2e__Echo_Servicer servicer = {.unary = on_unary, .bidi = on_bidi};

/* The auth hook: "Bearer good-token" (principal "alice") may call anything,
 * "Bearer read-only" (principal "bob") only unary methods; no token is
 * UNAUTHENTICATED and any other token is UNAUTHENTICATED too. */
static atomic_int hook_calls;

static grpc_c_code auth_hook(void *user_data, grpc_c_server_ctx *ctx) {
  (void)user_data;
  atomic_fetch_add(&hook_calls, 1);
  const char *auth = grpc_c_server_ctx_metadata(ctx, "authorization", 0, NULL);
  if (!auth)
    return grpc_c_server_ctx_fail(ctx, GRPC_C_UNAUTHENTICATED,
                                  "missing bearer token");
  if (strcmp(auth, "Bearer good-token") == 0) {
    grpc_c_server_ctx_set_principal(ctx, "alice");
    return GRPC_C_OK;
  }
  if (strcmp(auth, "Bearer read-only") == 0) {
    if (strcmp(grpc_c_server_ctx_method(ctx), "/e2e.Echo/Bidi") == 0)
      return grpc_c_server_ctx_fail(ctx, GRPC_C_PERMISSION_DENIED,
                                    "bob may not call %s",
                                    grpc_c_server_ctx_method(ctx));
    grpc_c_server_ctx_set_principal(ctx, "bob");
    return GRPC_C_OK;
  }
  return grpc_c_server_ctx_fail(ctx, GRPC_C_UNAUTHENTICATED, "invalid token");
}

typedef struct test_server {
  grpc_c_server *server;
  int tls_port;   /* TLS listener on 127.0.0.1 */
  int plain_port; /* plaintext listener on 127.0.0.1 */
} test_server;

static test_server srv;

/* Starts a server with a TLS and a plaintext listener; with `nonblocking`,
 * Bidi runs as a reactor on the pollers. */
static void server_start_with(grpc_c_client_cert_policy policy, bool hook,
                              bool nonblocking) {
  atomic_store(&handler_calls, 0);
  atomic_store(&hook_calls, 0);
  grpc_c_server_options *opts;
  ck_assert_int_eq(grpc_c_server_options_new(&opts), 0);
  if (hook)
    ck_assert_int_eq(grpc_c_server_options_set_auth_hook(opts, auth_hook, NULL),
                     0);
  ck_assert_int_eq(grpc_c_server_create(&srv.server, opts), 0);
  grpc_c_server_options_free(opts);
  grpc_c_tls_server_options *tls;
  ck_assert_int_eq(grpc_c_tls_server_options_new(&tls), 0);
  ck_assert_int_eq(grpc_c_tls_server_options_add_key_cert_files(
                       tls, CERT("server.pem"), CERT("server.key")),
                   0);
  if (policy != GRPC_C_CLIENT_CERT_NONE) {
    ck_assert_int_eq(
        grpc_c_tls_server_options_set_client_ca_file(tls, CERT("ca.pem")), 0);
    ck_assert_int_eq(
        grpc_c_tls_server_options_set_client_cert_policy(tls, policy), 0);
  }
  ck_assert_int_eq(grpc_c_server_add_tls_listener(srv.server, "127.0.0.1:0",
                                                  tls, &srv.tls_port),
                   0);
  grpc_c_tls_server_options_free(tls);
  ck_assert_int_eq(
      grpc_c_server_add_listener(srv.server, "127.0.0.1:0", &srv.plain_port),
      0);
  ck_assert_int_eq(e2e__echo__servicer__register(srv.server, &servicer, NULL),
                   0);
  if (nonblocking)
    ck_assert_int_eq(
        grpc_c_server_set_nonblocking(srv.server, &e2e__echo__bidi__method), 0);
  ck_assert_int_eq(grpc_c_server_start(srv.server), 0);
}

static void server_start(grpc_c_client_cert_policy policy, bool hook) {
  server_start_with(policy, hook, false);
}

static void teardown(void) {
  grpc_c_server_shutdown(srv.server, 500);
  grpc_c_server_destroy(srv.server);
  memset(&srv, 0, sizeof srv);
}

/* Client channel settings for one test. */
typedef struct client_setup {
  bool tls;
  const char *ca;          /* CA file; NULL: ca.pem */
  const char *server_name; /* NULL: none */
  const char *cert, *key;  /* client certificate files or NULL */
  grpc_c_call_credentials *creds;
  bool allow_insecure;
} client_setup;

static grpc_c_channel *connect_to(const client_setup *c) {
  grpc_c_channel_options *o;
  ck_assert_int_eq(grpc_c_channel_options_new(&o), 0);
  if (c->tls)
    ck_assert_int_eq(grpc_c_channel_options_set_tls_ca_file(
                         o, c->ca ? c->ca : CERT("ca.pem")),
                     0);
  if (c->server_name)
    ck_assert_int_eq(
        grpc_c_channel_options_set_tls_server_name(o, c->server_name), 0);
  if (c->cert)
    ck_assert_int_eq(
        grpc_c_channel_options_set_tls_client_cert_files(o, c->cert, c->key),
        0);
  if (c->creds)
    ck_assert_int_eq(grpc_c_channel_options_set_call_credentials(o, c->creds),
                     0);
  if (c->allow_insecure)
    ck_assert_int_eq(
        grpc_c_channel_options_allow_insecure_call_credentials(o, true), 0);
  char target[64];
  snprintf(target, sizeof target, "127.0.0.1:%d",
           c->tls ? srv.tls_port : srv.plain_port);
  grpc_c_channel *channel;
  ck_assert_int_eq(grpc_c_channel_create(&channel, target, o), 0);
  grpc_c_channel_options_free(o);
  return channel;
}

/* One unary call with a 5 s deadline and optional per-call credentials;
 * returns the code, the status message in `message` and the reply text in
 * `text` (both may be NULL). */
static grpc_c_code call_unary(grpc_c_channel *channel,
                              grpc_c_call_credentials *creds, char *text,
                              size_t text_size, char *message,
                              size_t message_size) {
  grpc_c_call_options *opts = e2e_timeout_opts(5000);
  if (creds)
    ck_assert_int_eq(grpc_c_call_options_set_credentials(opts, creds), 0);
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  E2e__EchoReply *reply = NULL;
  grpc_c_status status = GRPC_C_STATUS_INIT;
  grpc_c_code code =
      e2e__echo__unary__call(channel, &req, &reply, opts, &status);
  if (text) snprintf(text, text_size, "%s", reply ? reply->text : "");
  if (message)
    snprintf(message, message_size, "%s", status.message ? status.message : "");
  if (reply) e2e__echo_reply__free_unpacked(reply, NULL);
  grpc_c_status_clear(&status);
  grpc_c_call_options_free(opts);
  return code;
}

static grpc_c_code unary_with(const client_setup *c, char *text,
                              size_t text_size) {
  grpc_c_channel *channel = connect_to(c);
  grpc_c_code code = call_unary(channel, NULL, text, text_size, NULL, 0);
  grpc_c_channel_destroy(channel);
  return code;
}

/* ---- TLS ---- */

START_TEST(tls_with_test_ca_by_address) {
  server_start(GRPC_C_CLIENT_CERT_NONE, false);
  char text[512];
  client_setup c = {.tls = true};
  ck_assert_int_eq(unary_with(&c, text, sizeof text), GRPC_C_OK);
  ck_assert_str_eq(text, "secure=1 subject=- san0=- principal=-");
}
END_TEST

START_TEST(tls_with_server_name_override) {
  server_start(GRPC_C_CLIENT_CERT_NONE, false);
  client_setup c = {.tls = true, .server_name = "foo.test.google.fr"};
  ck_assert_int_eq(unary_with(&c, NULL, 0), GRPC_C_OK);
}
END_TEST

START_TEST(tls_refuses_wrong_ca) {
  server_start(GRPC_C_CLIENT_CERT_NONE, false);
  client_setup c = {.tls = true, .ca = CERT("other_ca.pem")};
  ck_assert_int_eq(unary_with(&c, NULL, 0), GRPC_C_UNAVAILABLE);
  ck_assert_int_eq(atomic_load(&handler_calls), 0);
}
END_TEST

START_TEST(tls_refuses_wrong_server_name) {
  server_start(GRPC_C_CLIENT_CERT_NONE, false);
  client_setup c = {.tls = true, .server_name = "wrong.example.com"};
  ck_assert_int_eq(unary_with(&c, NULL, 0), GRPC_C_UNAVAILABLE);
  ck_assert_int_eq(atomic_load(&handler_calls), 0);
}
END_TEST

/* Without a CA argument the system's roots are used, and they do not
 * contain the test CA. */
START_TEST(system_roots_are_the_default) {
  server_start(GRPC_C_CLIENT_CERT_NONE, false);
  grpc_c_channel_options *o;
  ck_assert_int_eq(grpc_c_channel_options_new(&o), 0);
  ck_assert_int_eq(grpc_c_channel_options_set_tls(o, NULL), 0);
  char target[64];
  snprintf(target, sizeof target, "127.0.0.1:%d", srv.tls_port);
  grpc_c_channel *channel;
  ck_assert_int_eq(grpc_c_channel_create(&channel, target, o), 0);
  grpc_c_channel_options_free(o);
  char message[256];
  ck_assert_int_eq(call_unary(channel, NULL, NULL, 0, message, sizeof message),
                   GRPC_C_UNAVAILABLE);
  ck_assert_msg(strstr(message, "certificate verify failed") != NULL, "%s",
                message);
  grpc_c_channel_destroy(channel);
}
END_TEST

START_TEST(plaintext_client_cannot_reach_tls_listener) {
  server_start(GRPC_C_CLIENT_CERT_NONE, false);
  char target[64];
  snprintf(target, sizeof target, "127.0.0.1:%d", srv.tls_port);
  grpc_c_channel *channel;
  ck_assert_int_eq(grpc_c_channel_create(&channel, target, NULL), 0);
  ck_assert_int_eq(call_unary(channel, NULL, NULL, 0, NULL, 0),
                   GRPC_C_UNAVAILABLE);
  grpc_c_channel_destroy(channel);
  ck_assert_int_eq(atomic_load(&handler_calls), 0);
}
END_TEST

START_TEST(plaintext_call_is_not_secure) {
  server_start(GRPC_C_CLIENT_CERT_NONE, false);
  char text[512];
  client_setup c = {.tls = false};
  ck_assert_int_eq(unary_with(&c, text, sizeof text), GRPC_C_OK);
  ck_assert_str_eq(text, "secure=0 subject=- san0=- principal=-");
}
END_TEST

/* ---- mutual TLS ---- */

START_TEST(mtls_accepts_client_signed_by_ca) {
  server_start(GRPC_C_CLIENT_CERT_REQUIRE_AND_VERIFY, false);
  char text[512];
  client_setup c = {
      .tls = true, .cert = CERT("client.pem"), .key = CERT("client.key")};
  ck_assert_int_eq(unary_with(&c, text, sizeof text), GRPC_C_OK);
  ck_assert_msg(strstr(text, "secure=1 subject=") != NULL, "%s", text);
  ck_assert_msg(strstr(text, "CN=grpc-c test client") != NULL, "%s", text);
  ck_assert_msg(strstr(text, "san0=spiffe://grpc-c.test/client") != NULL, "%s",
                text);
}
END_TEST

START_TEST(mtls_refuses_client_without_certificate) {
  server_start(GRPC_C_CLIENT_CERT_REQUIRE_AND_VERIFY, false);
  client_setup c = {.tls = true};
  ck_assert_int_eq(unary_with(&c, NULL, 0), GRPC_C_UNAVAILABLE);
  ck_assert_int_eq(atomic_load(&handler_calls), 0);
}
END_TEST

START_TEST(mtls_refuses_client_from_other_ca) {
  server_start(GRPC_C_CLIENT_CERT_REQUIRE_AND_VERIFY, false);
  client_setup c = {.tls = true,
                    .cert = CERT("other_client.pem"),
                    .key = CERT("other_client.key")};
  ck_assert_int_eq(unary_with(&c, NULL, 0), GRPC_C_UNAVAILABLE);
  ck_assert_int_eq(atomic_load(&handler_calls), 0);
}
END_TEST

START_TEST(optional_client_certificate_policy) {
  /* REQUEST_AND_VERIFY: no certificate is fine, a good one is seen. */
  server_start(GRPC_C_CLIENT_CERT_REQUEST_AND_VERIFY, false);
  char text[512];
  client_setup anonymous = {.tls = true};
  ck_assert_int_eq(unary_with(&anonymous, text, sizeof text), GRPC_C_OK);
  ck_assert_str_eq(text, "secure=1 subject=- san0=- principal=-");
  client_setup named = {
      .tls = true, .cert = CERT("client.pem"), .key = CERT("client.key")};
  ck_assert_int_eq(unary_with(&named, text, sizeof text), GRPC_C_OK);
  ck_assert_msg(strstr(text, "CN=grpc-c test client") != NULL, "%s", text);
}
END_TEST

/* ---- call credentials and the auth hook ---- */

START_TEST(bearer_token_passes_the_auth_hook) {
  server_start(GRPC_C_CLIENT_CERT_NONE, true);
  grpc_c_call_credentials *creds;
  ck_assert_int_eq(grpc_c_call_credentials_bearer(&creds, "good-token"), 0);
  char text[512];
  client_setup c = {.tls = true, .creds = creds};
  ck_assert_int_eq(unary_with(&c, text, sizeof text), GRPC_C_OK);
  ck_assert_str_eq(text, "secure=1 subject=- san0=- principal=alice");
  grpc_c_call_credentials_free(creds);
}
END_TEST

START_TEST(auth_hook_refuses_missing_and_invalid_tokens) {
  server_start(GRPC_C_CLIENT_CERT_NONE, true);
  client_setup c = {.tls = true};
  grpc_c_channel *channel = connect_to(&c);
  char message[256];
  ck_assert_int_eq(call_unary(channel, NULL, NULL, 0, message, sizeof message),
                   GRPC_C_UNAUTHENTICATED);
  ck_assert_str_eq(message, "missing bearer token");
  grpc_c_call_credentials *bad;
  ck_assert_int_eq(grpc_c_call_credentials_bearer(&bad, "forged"), 0);
  ck_assert_int_eq(call_unary(channel, bad, NULL, 0, message, sizeof message),
                   GRPC_C_UNAUTHENTICATED);
  ck_assert_str_eq(message, "invalid token");
  grpc_c_call_credentials_free(bad);
  grpc_c_channel_destroy(channel);
  ck_assert_int_eq(atomic_load(&hook_calls), 2);
  ck_assert_int_eq(atomic_load(&handler_calls), 0);
}
END_TEST

/* _i: 0 blocking Bidi handler, 1 non-blocking reactor. */
START_TEST(auth_hook_denies_a_stream_before_its_handler) {
  server_start_with(GRPC_C_CLIENT_CERT_NONE, true, _i == 1);
  grpc_c_call_credentials *reader;
  ck_assert_int_eq(grpc_c_call_credentials_bearer(&reader, "read-only"), 0);
  client_setup c = {.tls = true, .creds = reader};
  grpc_c_channel *channel = connect_to(&c);
  /* Unary is allowed for bob... */
  char text[512];
  ck_assert_int_eq(call_unary(channel, NULL, text, sizeof text, NULL, 0),
                   GRPC_C_OK);
  ck_assert_str_eq(text, "secure=1 subject=- san0=- principal=bob");
  /* ...the bidi stream is not. */
  E2e__Echo__Bidi_Stream *stream;
  ck_assert_int_eq(e2e__echo__bidi__start(channel, NULL, &stream), 0);
  E2e__EchoReply *reply;
  ck_assert(!e2e__echo__bidi__read(stream, &reply));
  grpc_c_status status = GRPC_C_STATUS_INIT;
  ck_assert_int_eq(e2e__echo__bidi__finish(stream, &status),
                   GRPC_C_PERMISSION_DENIED);
  ck_assert_str_eq(status.message, "bob may not call /e2e.Echo/Bidi");
  grpc_c_status_clear(&status);
  grpc_c_channel_destroy(channel);
  grpc_c_call_credentials_free(reader);
  ck_assert_int_eq(atomic_load(&handler_calls), 1);
}
END_TEST

START_TEST(auth_hook_lets_an_authorized_stream_through) {
  server_start_with(GRPC_C_CLIENT_CERT_NONE, true, _i == 1);
  grpc_c_call_credentials *creds;
  ck_assert_int_eq(grpc_c_call_credentials_bearer(&creds, "good-token"), 0);
  client_setup c = {.tls = true, .creds = creds};
  grpc_c_channel *channel = connect_to(&c);
  E2e__Echo__Bidi_Stream *stream;
  ck_assert_int_eq(e2e__echo__bidi__start(channel, NULL, &stream), 0);
  E2e__EchoRequest req = E2E__ECHO_REQUEST__INIT;
  ck_assert(e2e__echo__bidi__write(stream, &req));
  E2e__EchoReply *reply;
  ck_assert(e2e__echo__bidi__read(stream, &reply));
  ck_assert_str_eq(reply->text, "secure=1 subject=- san0=- principal=alice");
  ck_assert_int_eq(e2e__echo__bidi__finish(stream, NULL), GRPC_C_OK);
  grpc_c_channel_destroy(channel);
  grpc_c_call_credentials_free(creds);
}
END_TEST

typedef struct token_state {
  atomic_int calls;
  atomic_int destroyed;
  bool fail;
  char service_url[128];
  char method[64];
} token_state;

static grpc_c_code token_source(void *user_data,
                                const grpc_c_token_request *request,
                                char **token, char **error) {
  token_state *state = user_data;
  atomic_fetch_add(&state->calls, 1);
  snprintf(state->service_url, sizeof state->service_url, "%s",
           request->service_url);
  snprintf(state->method, sizeof state->method, "%s", request->method);
  if (state->fail) {
    *error = strdup("token service unreachable");
    return GRPC_C_UNAVAILABLE;
  }
  *token = strdup("good-token");
  return GRPC_C_OK;
}

static void token_state_destroy(void *user_data) {
  token_state *state = user_data;
  atomic_fetch_add(&state->destroyed, 1);
}

START_TEST(token_source_is_asked_on_every_call) {
  server_start(GRPC_C_CLIENT_CERT_NONE, true);
  /* Static: the core may release the credentials (and call destroy) on
   * one of its threads a little after the channel is gone. */
  static token_state state;
  memset(&state, 0, sizeof state);
  grpc_c_call_credentials *creds;
  ck_assert_int_eq(grpc_c_call_credentials_token_source(
                       &creds, token_source, &state, token_state_destroy),
                   0);
  client_setup c = {.tls = true, .creds = creds};
  grpc_c_channel *channel = connect_to(&c);
  grpc_c_call_credentials_free(creds); /* the channel keeps its reference */
  char text[512];
  for (int i = 0; i < 3; i++)
    ck_assert_int_eq(call_unary(channel, NULL, text, sizeof text, NULL, 0),
                     GRPC_C_OK);
  ck_assert_str_eq(text, "secure=1 subject=- san0=- principal=alice");
  ck_assert_int_eq(atomic_load(&state.calls), 3);
  ck_assert_str_eq(state.method, "Unary");
  ck_assert_msg(strstr(state.service_url, "/e2e.Echo") != NULL, "%s",
                state.service_url);
  /* A failing source fails the call with its code; nothing reaches the
   * server. */
  state.fail = true;
  char message[256];
  ck_assert_int_eq(call_unary(channel, NULL, NULL, 0, message, sizeof message),
                   GRPC_C_UNAVAILABLE);
  ck_assert_msg(strstr(message, "token service unreachable") != NULL, "%s",
                message);
  ck_assert_int_eq(atomic_load(&hook_calls), 3);
  grpc_c_channel_destroy(channel);
  ck_assert_int_eq(e2e_wait_for(&state.destroyed, 1), 1);
}
END_TEST

START_TEST(per_call_credentials_over_tls) {
  server_start(GRPC_C_CLIENT_CERT_NONE, true);
  client_setup c = {.tls = true};
  grpc_c_channel *channel = connect_to(&c);
  grpc_c_call_credentials *creds;
  ck_assert_int_eq(grpc_c_call_credentials_bearer(&creds, "good-token"), 0);
  char text[512];
  ck_assert_int_eq(call_unary(channel, creds, text, sizeof text, NULL, 0),
                   GRPC_C_OK);
  ck_assert_str_eq(text, "secure=1 subject=- san0=- principal=alice");
  grpc_c_call_credentials_free(creds);
  grpc_c_channel_destroy(channel);
}
END_TEST

START_TEST(call_credentials_refused_on_plaintext) {
  server_start(GRPC_C_CLIENT_CERT_NONE, true);
  grpc_c_call_credentials *creds;
  ck_assert_int_eq(grpc_c_call_credentials_bearer(&creds, "good-token"), 0);
  char message[256];
  /* Channel credentials on a plaintext channel. */
  client_setup channel_creds = {.tls = false, .creds = creds};
  grpc_c_channel *channel = connect_to(&channel_creds);
  ck_assert_int_eq(call_unary(channel, NULL, NULL, 0, message, sizeof message),
                   GRPC_C_UNAUTHENTICATED);
  ck_assert_msg(strstr(message, "need a TLS channel") != NULL, "%s", message);
  grpc_c_channel_destroy(channel);
  /* Per-call credentials on a plaintext channel. */
  client_setup plain = {.tls = false};
  channel = connect_to(&plain);
  ck_assert_int_eq(call_unary(channel, creds, NULL, 0, message, sizeof message),
                   GRPC_C_UNAUTHENTICATED);
  ck_assert_msg(strstr(message, "need a TLS channel") != NULL, "%s", message);
  grpc_c_channel_destroy(channel);
  /* Nothing was sent: the server never saw a call. */
  ck_assert_int_eq(atomic_load(&hook_calls), 0);
  grpc_c_call_credentials_free(creds);
}
END_TEST

START_TEST(insecure_call_credentials_when_allowed) {
  server_start(GRPC_C_CLIENT_CERT_NONE, true);
  grpc_c_call_credentials *creds;
  ck_assert_int_eq(grpc_c_call_credentials_bearer(&creds, "good-token"), 0);
  char text[512];
  client_setup c = {.tls = false, .creds = creds, .allow_insecure = true};
  ck_assert_int_eq(unary_with(&c, text, sizeof text), GRPC_C_OK);
  ck_assert_str_eq(text, "secure=0 subject=- san0=- principal=alice");
  grpc_c_call_credentials_free(creds);
}
END_TEST

/* ---- bad input ---- */

START_TEST(bad_pem_input_is_refused_where_given) {
  grpc_c_channel_options *o;
  ck_assert_int_eq(grpc_c_channel_options_new(&o), 0);
  ck_assert_int_eq(grpc_c_channel_options_set_tls(o, "not a certificate"),
                   GRPC_C_ETLS);
  ck_assert_int_eq(
      grpc_c_channel_options_set_tls_ca_file(o, CERT("absent.pem")),
      GRPC_C_EIO);
  ck_assert_int_eq(grpc_c_channel_options_set_tls_client_cert_files(
                       o, CERT("client.pem"), CERT("server.key")),
                   GRPC_C_ETLS);
  ck_assert_int_eq(grpc_c_channel_options_set_tls_client_cert(o, NULL, "x"),
                   GRPC_C_EINVAL);
  ck_assert_int_eq(grpc_c_channel_options_set_tls_server_name(o, ""),
                   GRPC_C_EINVAL);
  grpc_c_channel_options_free(o);

  grpc_c_call_credentials *creds = NULL;
  ck_assert_int_eq(grpc_c_call_credentials_bearer(&creds, "line\nbreak"),
                   GRPC_C_EINVAL);
  ck_assert_ptr_null(creds);
  ck_assert_int_eq(
      grpc_c_call_credentials_token_source(&creds, NULL, NULL, NULL),
      GRPC_C_EINVAL);

  grpc_c_tls_server_options *tls;
  ck_assert_int_eq(grpc_c_tls_server_options_new(&tls), 0);
  ck_assert_int_eq(grpc_c_tls_server_options_add_key_cert_files(
                       tls, CERT("server.pem"), CERT("client.key")),
                   GRPC_C_ETLS);
  ck_assert_int_eq(grpc_c_tls_server_options_set_client_cert_policy(
                       tls, (grpc_c_client_cert_policy)9),
                   GRPC_C_EINVAL);
  grpc_c_server *server;
  ck_assert_int_eq(grpc_c_server_create(&server, NULL), 0);
  /* No certificate yet. */
  ck_assert_int_eq(
      grpc_c_server_add_tls_listener(server, "127.0.0.1:0", tls, NULL),
      GRPC_C_EINVAL);
  ck_assert_int_eq(grpc_c_tls_server_options_add_key_cert_files(
                       tls, CERT("server.pem"), CERT("server.key")),
                   0);
  /* Verifying without a client CA. */
  ck_assert_int_eq(grpc_c_tls_server_options_set_client_cert_policy(
                       tls, GRPC_C_CLIENT_CERT_REQUIRE_AND_VERIFY),
                   0);
  ck_assert_int_eq(
      grpc_c_server_add_tls_listener(server, "127.0.0.1:0", tls, NULL),
      GRPC_C_EINVAL);
  grpc_c_tls_server_options_free(tls);
  grpc_c_server_destroy(server);
}
END_TEST

static Suite *security_suite(void) {
  Suite *s = suite_create("security");
  TCase *tc = tcase_create("tls");
  tcase_add_checked_fixture(tc, NULL, teardown);
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, tls_with_test_ca_by_address);
  tcase_add_test(tc, tls_with_server_name_override);
  tcase_add_test(tc, tls_refuses_wrong_ca);
  tcase_add_test(tc, tls_refuses_wrong_server_name);
  tcase_add_test(tc, system_roots_are_the_default);
  tcase_add_test(tc, plaintext_client_cannot_reach_tls_listener);
  tcase_add_test(tc, plaintext_call_is_not_secure);
  tcase_add_test(tc, mtls_accepts_client_signed_by_ca);
  tcase_add_test(tc, mtls_refuses_client_without_certificate);
  tcase_add_test(tc, mtls_refuses_client_from_other_ca);
  tcase_add_test(tc, optional_client_certificate_policy);
  tcase_add_test(tc, bearer_token_passes_the_auth_hook);
  tcase_add_test(tc, auth_hook_refuses_missing_and_invalid_tokens);
  tcase_add_loop_test(tc, auth_hook_denies_a_stream_before_its_handler, 0, 2);
  tcase_add_loop_test(tc, auth_hook_lets_an_authorized_stream_through, 0, 2);
  tcase_add_test(tc, token_source_is_asked_on_every_call);
  tcase_add_test(tc, per_call_credentials_over_tls);
  tcase_add_test(tc, call_credentials_refused_on_plaintext);
  tcase_add_test(tc, insecure_call_credentials_when_allowed);
  suite_add_tcase(s, tc);
  TCase *input = tcase_create("input");
  tcase_add_test(input, bad_pem_input_is_refused_where_given);
  suite_add_tcase(s, input);
  return s;
}

int main(void) { return e2e_run_suite(security_suite()); }
