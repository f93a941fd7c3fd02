/**
 * @file grpc-c/security.h
 * @brief Transport security and authentication: TLS and mutual TLS for
 *        channels and servers, call credentials (bearer tokens and token
 *        sources), and what a server knows about its client.
 *
 * Client, the common case (a service behind TLS on port 443, a token per
 * call):
 * @code
 *   grpc_c_channel_options *o;
 *   grpc_c_channel_options_new(&o);
 *   grpc_c_channel_options_set_tls(o, NULL);            // system roots
 *   grpc_c_call_credentials *token;
 *   grpc_c_call_credentials_token_source(&token, fetch_token, app, NULL);
 *   grpc_c_channel_options_set_call_credentials(o, token);
 *   grpc_c_channel_create(&ch, "dns:///api.example.com:443", o);
 *   grpc_c_call_credentials_free(token);
 *   grpc_c_channel_options_free(o);
 * @endcode
 *
 * Server with TLS (grpc_c_server_options_set_auth_hook() adds a check that
 * runs before every handler):
 * @code
 *   grpc_c_tls_server_options *tls;
 *   grpc_c_tls_server_options_new(&tls);
 *   grpc_c_tls_server_options_add_key_cert_files(tls, "server.pem",
 *                                                "server.key");
 *   grpc_c_server_add_tls_listener(server, "0.0.0.0:8443", tls, NULL);
 *   grpc_c_tls_server_options_free(tls);
 * @endcode
 *
 * PEM arguments are NUL-terminated strings holding one or more PEM blocks;
 * `_file` variants read the file once, when called.
 */
#ifndef GRPC_C_SECURITY_H
#define GRPC_C_SECURITY_H

#include <grpc-c/channel.h>
#include <grpc-c/client.h>
#include <grpc-c/method.h>
#include <grpc-c/server.h>
#include <grpc-c/status.h>
#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Client TLS                                                                */
/* ------------------------------------------------------------------------ */

/**
 * Makes the channel use TLS, verifying the server's certificate against
 * `ca_pem`, or against the system's root store when `ca_pem` is NULL (the
 * usual choice for public endpoints such as Cloud Run's `*.run.app:443`).
 * The server name checked is the target's host, or the one set with
 * grpc_c_channel_options_set_tls_server_name(). Copied.
 * Threads: one thread at a time per `opts`.
 * @return 0, ::GRPC_C_EINVAL (NULL `opts`), ::GRPC_C_ETLS (`ca_pem` holds no
 *         certificate; the reason is logged),
 *         ::GRPC_C_ENOMEM.
 */
int grpc_c_channel_options_set_tls(grpc_c_channel_options *opts,
                                   const char *ca_pem);

/**
 * Like grpc_c_channel_options_set_tls() with the CA bundle read from a file.
 * Threads: one thread at a time per `opts`.
 * @return 0, ::GRPC_C_EINVAL, ::GRPC_C_EIO (cannot read `path`), ::GRPC_C_ETLS,
 *         ::GRPC_C_ENOMEM.
 */
int grpc_c_channel_options_set_tls_ca_file(grpc_c_channel_options *opts,
                                           const char *path);

/**
 * Presents a client certificate (mutual TLS). Implies TLS with the system
 * roots unless a CA was set. Both strings are copied.
 * Threads: one thread at a time per `opts`.
 * @param cert_chain_pem the certificate, then any intermediates.
 * @param key_pem        its private key (unencrypted).
 * @return 0, ::GRPC_C_EINVAL, ::GRPC_C_ETLS (not a certificate
 *         and its unencrypted key, or they do not match; reason logged),
 *         ::GRPC_C_ENOMEM.
 */
int grpc_c_channel_options_set_tls_client_cert(grpc_c_channel_options *opts,
                                               const char *cert_chain_pem,
                                               const char *key_pem);

/**
 * Like grpc_c_channel_options_set_tls_client_cert(), from two files.
 * Threads: one thread at a time per `opts`.
 * @return 0, ::GRPC_C_EINVAL, ::GRPC_C_EIO, ::GRPC_C_ETLS, ::GRPC_C_ENOMEM.
 */
int grpc_c_channel_options_set_tls_client_cert_files(
    grpc_c_channel_options *opts, const char *cert_chain_path,
    const char *key_path);

/**
 * Checks the server certificate against `name` instead of the target's host
 * (and sends it as the TLS SNI and the default :authority). For tests and
 * for reaching a server by address; production code should connect by name.
 * Copied.
 * Threads: one thread at a time per `opts`.
 * @return 0, ::GRPC_C_EINVAL, ::GRPC_C_ENOMEM.
 */
int grpc_c_channel_options_set_tls_server_name(grpc_c_channel_options *opts,
                                               const char *name);

/* ------------------------------------------------------------------------ */
/* Call credentials                                                          */
/* ------------------------------------------------------------------------ */

/**
 * Call credentials: metadata (usually "authorization: Bearer ...") attached
 * to each call. Opaque and immutable; any thread may share one.
 */
typedef struct grpc_c_call_credentials grpc_c_call_credentials;

/**
 * Credentials that send `authorization: Bearer <token>` on every call.
 * Threads: any thread.
 * @param[out] out freed with grpc_c_call_credentials_free().
 * @param token    copied; printable ASCII.
 * @return 0, ::GRPC_C_EINVAL, ::GRPC_C_ENOMEM, ::GRPC_C_ECORE (the core
 *         refused the credentials); `*out` is NULL on failure.
 */
int grpc_c_call_credentials_bearer(grpc_c_call_credentials **out,
                                   const char *token);

/**
 * What a token source is told about the call it is asked for. Valid during
 * the callback only.
 */
typedef struct grpc_c_token_request {
  /** "https://host/package.Service": the audience a token is often minted
   *  for (Cloud Run service-to-service auth uses the service URL). */
  const char *service_url;
  /** The method name, such as "SayHello". */
  const char *method;
} grpc_c_token_request;

/**
 * A token source: returns the token for one call.
 *
 * Runs for every call made with these credentials, before the call is
 * sent, so it must be quick: cache tokens and refresh them before they
 * expire (the callback may block briefly to refresh).
 * Threads: runs on the thread that starts the call, or on a gRPC core thread
 * (for instance while the channel connects); for several calls at once.
 *
 * @param user_data  as given to grpc_c_call_credentials_token_source().
 * @param request    the call.
 * @param[out] token set to a token allocated with malloc(); the runtime sends
 *                   "authorization: Bearer <token>" and frees it.
 * @param[out] error on failure, may be set to a message allocated with
 *                   malloc(); the runtime frees it.
 * @return ::GRPC_C_OK, or a code (such as ::GRPC_C_UNAVAILABLE or
 *         ::GRPC_C_UNAUTHENTICATED) that fails the call without sending it.
 */
typedef grpc_c_code (*grpc_c_token_fn)(void *user_data,
                                       const grpc_c_token_request *request,
                                       char **token, char **error);

/**
 * Credentials that ask `fn` for a bearer token on each call.
 * Threads: any thread. `fn` runs as ::grpc_c_token_fn says; `destroy` on any
 * thread, once.
 * @param[out] out receives the credentials, freed with
 *                 grpc_c_call_credentials_free(); NULL on failure.
 * @param destroy NULL, or called with `user_data` once the credentials and
 *                every channel and call using them are gone (any thread).
 *                On failure it is not called: `user_data` stays the
 *                caller's.
 * @return 0, ::GRPC_C_EINVAL, ::GRPC_C_ENOMEM, ::GRPC_C_ECORE.
 */
int grpc_c_call_credentials_token_source(grpc_c_call_credentials **out,
                                         grpc_c_token_fn fn, void *user_data,
                                         void (*destroy)(void *user_data));

/**
 * Releases the caller's reference; channels and call options that use the
 * credentials keep their own. Accepts NULL.
 * Threads: any thread.
 */
void grpc_c_call_credentials_free(grpc_c_call_credentials *creds);

/**
 * Sends `creds` on every call of the channel (composite credentials). The
 * channel must use TLS, or allow plaintext with
 * grpc_c_channel_options_allow_insecure_call_credentials(); otherwise every
 * call ends with ::GRPC_C_UNAUTHENTICATED and nothing is sent. Takes a
 * reference.
 * Threads: one thread at a time per `opts`.
 * @return 0 or ::GRPC_C_EINVAL.
 */
int grpc_c_channel_options_set_call_credentials(grpc_c_channel_options *opts,
                                                grpc_c_call_credentials *creds);

/**
 * Lets call credentials go over a plaintext channel. For local testing
 * only: anyone on the path can read and replay the token.
 * Threads: one thread at a time per `opts`.
 * @return 0 or ::GRPC_C_EINVAL.
 */
int grpc_c_channel_options_allow_insecure_call_credentials(
    grpc_c_channel_options *opts, bool allow);

/**
 * Sends `creds` on this call, in addition to the channel's. Same rule on
 * plaintext channels as grpc_c_channel_options_set_call_credentials().
 * Takes a reference.
 * Threads: one thread at a time per `opts`, not while a call starts with it.
 * @return 0 or ::GRPC_C_EINVAL.
 */
int grpc_c_call_options_set_credentials(grpc_c_call_options *opts,
                                        grpc_c_call_credentials *creds);

/* ------------------------------------------------------------------------ */
/* Server TLS                                                                */
/* ------------------------------------------------------------------------ */

/** What a TLS server asks of its clients' certificates. */
typedef enum grpc_c_client_cert_policy {
  /** Do not ask for a client certificate (plain TLS; the default). */
  GRPC_C_CLIENT_CERT_NONE = 0,
  /** Ask for one, accept any or none, verify nothing. */
  GRPC_C_CLIENT_CERT_REQUEST = 1,
  /** Ask for one; accept none; a certificate given must verify against the
   *  client CA. */
  GRPC_C_CLIENT_CERT_REQUEST_AND_VERIFY = 2,
  /** Require one, verify nothing (the application checks the identity). */
  GRPC_C_CLIENT_CERT_REQUIRE = 3,
  /** Require one that verifies against the client CA: mutual TLS. */
  GRPC_C_CLIENT_CERT_REQUIRE_AND_VERIFY = 4
} grpc_c_client_cert_policy;

/** TLS settings of a server listener. Opaque; setters grow the set. */
typedef struct grpc_c_tls_server_options grpc_c_tls_server_options;

/**
 * Creates empty TLS settings.
 * Threads: any thread.
 * @param[out] out freed with grpc_c_tls_server_options_free().
 * @return 0, ::GRPC_C_EINVAL, ::GRPC_C_ENOMEM.
 */
int grpc_c_tls_server_options_new(grpc_c_tls_server_options **out);

/**
 * Frees the options. Accepts NULL.
 * Threads: any thread, once no other thread uses `opts`.
 */
void grpc_c_tls_server_options_free(grpc_c_tls_server_options *opts);

/**
 * Adds a certificate chain and its private key (at least one is needed).
 * Both are copied.
 * Threads: one thread at a time per `opts`.
 * @return 0, ::GRPC_C_EINVAL (NULL), ::GRPC_C_ETLS (not a certificate and
 *         its unencrypted key, or they do not match; reason logged),
 *         ::GRPC_C_ENOMEM.
 */
int grpc_c_tls_server_options_add_key_cert(grpc_c_tls_server_options *opts,
                                           const char *cert_chain_pem,
                                           const char *key_pem);

/**
 * Like grpc_c_tls_server_options_add_key_cert(), from two files.
 * Threads: one thread at a time per `opts`.
 * @return 0, ::GRPC_C_EINVAL, ::GRPC_C_EIO, ::GRPC_C_ETLS, ::GRPC_C_ENOMEM.
 */
int grpc_c_tls_server_options_add_key_cert_files(
    grpc_c_tls_server_options *opts, const char *cert_chain_path,
    const char *key_path);

/**
 * CA bundle that client certificates must chain to. Copied.
 * Threads: one thread at a time per `opts`.
 * @return 0, ::GRPC_C_EINVAL, ::GRPC_C_ETLS (no certificate; reason logged),
 *         ::GRPC_C_ENOMEM.
 */
int grpc_c_tls_server_options_set_client_ca(grpc_c_tls_server_options *opts,
                                            const char *ca_pem);

/**
 * Like grpc_c_tls_server_options_set_client_ca(), from a file.
 * Threads: one thread at a time per `opts`.
 * @return 0, ::GRPC_C_EINVAL, ::GRPC_C_EIO, ::GRPC_C_ETLS, ::GRPC_C_ENOMEM.
 */
int grpc_c_tls_server_options_set_client_ca_file(
    grpc_c_tls_server_options *opts, const char *path);

/**
 * What to ask of client certificates (default ::GRPC_C_CLIENT_CERT_NONE).
 * The verifying policies need a client CA.
 * Threads: one thread at a time per `opts`.
 * @return 0 or ::GRPC_C_EINVAL.
 */
int grpc_c_tls_server_options_set_client_cert_policy(
    grpc_c_tls_server_options *opts, grpc_c_client_cert_policy policy);

/**
 * Adds a TLS listening address, like grpc_c_server_add_listener(). Before
 * start only. `tls` is read during the call only.
 * Threads: one thread at a time with the other set-up calls, before start.
 * @return 0, ::GRPC_C_EINVAL (NULL argument, no certificate, or a verifying
 *         policy without a client CA), ::GRPC_C_ESTATE (already started),
 *         ::GRPC_C_ETLS (the core refused the certificate, key or CA),
 *         ::GRPC_C_EBIND (the address cannot be bound), ::GRPC_C_ENOMEM.
 */
int grpc_c_server_add_tls_listener(grpc_c_server *server, const char *address,
                                   const grpc_c_tls_server_options *tls,
                                   int *bound_port);

/* ------------------------------------------------------------------------ */
/* Server-side authentication                                                */
/* ------------------------------------------------------------------------ */

/**
 * True when the call came over TLS; false for plaintext or a NULL `ctx`.
 * Threads: the call's owner (see ::grpc_c_server_ctx).
 */
bool grpc_c_server_ctx_is_secure(grpc_c_server_ctx *ctx);

/**
 * The subject of the client's certificate, such as
 * "CN=grpc-c test client,O=grpc-c tests", or NULL without one, for a NULL
 * `ctx` or when out of memory. Owned by the call (its arena), valid for the
 * duration of the call.
 * Threads: the call's owner (see ::grpc_c_server_ctx).
 */
const char *grpc_c_server_ctx_peer_subject(grpc_c_server_ctx *ctx);

/**
 * The `index`-th subject alternative name of the client's certificate (DNS
 * names, URIs such as SPIFFE IDs, e-mail addresses and IP addresses, as
 * text), or NULL past the last one, without a certificate, for a NULL `ctx`
 * or when out of memory. Owned by the call (its arena), valid for the
 * duration of the call.
 * Threads: the call's owner (see ::grpc_c_server_ctx).
 */
const char *grpc_c_server_ctx_peer_san(grpc_c_server_ctx *ctx, size_t index);

/**
 * Any property of the call's authentication context by the core's name
 * ("transport_security_type", "security_level", "x509_common_name",
 * "x509_pem_cert", ...); `index` picks among several values.
 * Threads: the call's owner (see ::grpc_c_server_ctx).
 * @return the value (NUL-terminated, in the call's memory, valid for the
 *         duration of the call), or NULL when there is no such property,
 *         `ctx` or `name` is NULL, or out of memory.
 */
const char *grpc_c_server_ctx_auth_property(grpc_c_server_ctx *ctx,
                                            const char *name, size_t index);

/**
 * Records who the caller is (for example the subject of a verified token),
 * usually from the auth hook, for handlers to read with
 * grpc_c_server_ctx_principal(). Copied into the call.
 * Threads: the call's owner (see ::grpc_c_server_ctx).
 * @return 0, ::GRPC_C_EINVAL, ::GRPC_C_ENOMEM.
 */
int grpc_c_server_ctx_set_principal(grpc_c_server_ctx *ctx,
                                    const char *principal);

/**
 * The principal set with grpc_c_server_ctx_set_principal(), valid for the
 * duration of the call; NULL when none was set or `ctx` is NULL.
 * Threads: the call's owner (see ::grpc_c_server_ctx).
 */
const char *grpc_c_server_ctx_principal(const grpc_c_server_ctx *ctx);

/**
 * An auth hook: decides whether a call may reach its handler. It reads the
 * call through `ctx` (method, peer, request metadata such as
 * "authorization", TLS identity) and returns ::GRPC_C_OK to let the call
 * through, or a code (normally ::GRPC_C_UNAUTHENTICATED or
 * ::GRPC_C_PERMISSION_DENIED) with a message set through
 * grpc_c_server_ctx_fail() to end it; the handler then never runs.
 *
 * Runs for every call to a registered method, before the handler; it must
 * not block for long and must not read, write, defer or finish the call.
 * Threads: runs on the thread that then runs the handler (a poller, or a
 * stream worker for blocking streaming methods), as the call's owner.
 */
typedef grpc_c_code (*grpc_c_auth_fn)(void *user_data, grpc_c_server_ctx *ctx);

/**
 * Installs an auth hook on every call of the server.
 * Threads: one thread at a time per `opts`. `fn` runs as ::grpc_c_auth_fn says.
 * @param user_data passed to `fn`; not touched; must outlive the server.
 * @return 0 or ::GRPC_C_EINVAL (NULL `opts` or `fn`).
 */
int grpc_c_server_options_set_auth_hook(grpc_c_server_options *opts,
                                        grpc_c_auth_fn fn, void *user_data);

#ifdef __cplusplus
}
#endif

#endif /* GRPC_C_SECURITY_H */
