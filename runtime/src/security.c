/* Transport security and authentication: PEM checks, call credentials (a
 * metadata plugin of the core), server TLS options, and what a server call
 * knows about its client's identity. */
#include "grpc-c/security.h"

#include <errno.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* ---- PEM input ---- */

int gc_read_file(const char *path, char **out) {
  *out = NULL;
  if (!path || !*path) return GRPC_C_EINVAL;
  FILE *f = fopen(path, "rb");
  if (!f) {
    gc_log(GRPC_C_LOG_ERROR, "cannot open %s: %s", path, strerror(errno));
    return GRPC_C_EIO;
  }
  /* PEM files are small; 16 MiB bounds a mistaken path to a huge file. */
  enum { MAX_PEM = 16 * 1024 * 1024 };
  size_t len = 0, cap = 4096;
  char *buf = malloc(cap);
  int rc = buf ? 0 : GRPC_C_ENOMEM;
  while (!rc) {
    if (len + 1 == cap) {
      char *grown = cap < MAX_PEM ? realloc(buf, cap * 2) : NULL;
      if (!grown) {
        rc = cap < MAX_PEM ? GRPC_C_ENOMEM : GRPC_C_EIO;
        break;
      }
      buf = grown;
      cap *= 2;
    }
    size_t n = fread(buf + len, 1, cap - 1 - len, f);
    len += n;
    if (n == 0) {
      if (ferror(f)) rc = GRPC_C_EIO;
      break;
    }
  }
  fclose(f);
  if (rc) {
    if (rc == GRPC_C_EIO) gc_log(GRPC_C_LOG_ERROR, "cannot read %s", path);
    free(buf);
    return rc;
  }
  buf[len] = '\0';
  *out = buf;
  return 0;
}

/* Logs OpenSSL's reason for a refused PEM input and clears its queue. */
static int pem_refused(const char *what) {
  unsigned long err = ERR_get_error();
  char reason[256] = "no PEM block found";
  if (err) ERR_error_string_n(err, reason, sizeof reason);
  ERR_clear_error();
  gc_log(GRPC_C_LOG_ERROR, "invalid %s: %s", what, reason);
  return GRPC_C_ETLS;
}

/* Parses every certificate of a PEM bundle; the first one is returned in
 * `first` when asked for (the caller frees it). */
static int check_certs(const char *pem, const char *what, X509 **first) {
  if (first) *first = NULL;
  BIO *bio = BIO_new_mem_buf(pem, -1);
  if (!bio) return GRPC_C_ENOMEM;
  int count = 0;
  X509 *cert;
  while ((cert = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
    if (first && !*first)
      *first = cert;
    else
      X509_free(cert);
    count++;
  }
  BIO_free(bio);
  /* Reading stops with "no start line" at the end of the bundle. */
  if (count > 0) {
    ERR_clear_error();
    return 0;
  }
  return pem_refused(what);
}

int gc_check_ca_pem(const char *pem) {
  if (!pem || !*pem) return GRPC_C_EINVAL;
  return check_certs(pem, "CA certificate PEM", NULL);
}

int gc_check_key_cert_pem(const char *cert_pem, const char *key_pem) {
  if (!cert_pem || !key_pem || !*cert_pem || !*key_pem) return GRPC_C_EINVAL;
  X509 *cert;
  int rc = check_certs(cert_pem, "certificate chain PEM", &cert);
  if (rc) return rc;
  BIO *bio = BIO_new_mem_buf(key_pem, -1);
  EVP_PKEY *key = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
  BIO_free(bio);
  if (!key) {
    rc = pem_refused("private key PEM (it must not be encrypted)");
  } else if (X509_check_private_key(cert, key) != 1) {
    ERR_clear_error();
    gc_log(GRPC_C_LOG_ERROR,
           "the private key does not belong to the first certificate");
    rc = GRPC_C_ETLS;
  }
  EVP_PKEY_free(key);
  X509_free(cert);
  return rc;
}

/* ---- call credentials ---- */

struct grpc_c_call_credentials {
  _Atomic int refs;
  grpc_call_credentials *core;
};

/* State of the core plugin: a fixed token or a token source. Freed by the
 * core when the last core reference to the credentials goes. */
typedef struct token_plugin {
  grpc_slice fixed;   /* "Bearer <token>" when there is no source */
  grpc_c_token_fn fn; /* NULL for a fixed token */
  void *user_data;
  void (*destroy)(void *user_data);
} token_plugin;

static char *bearer_value(const char *token) {
  static const char prefix[] = "Bearer ";
  size_t n = strlen(token);
  char *value = malloc(sizeof prefix + n);
  if (!value) return NULL;
  memcpy(value, prefix, sizeof prefix - 1);
  memcpy(value + sizeof prefix - 1, token, n + 1);
  return value;
}

static bool printable_token(const char *token) {
  return *token && gc_md_text_valid(token, strlen(token));
}

static void set_authorization(grpc_metadata *md, grpc_slice value) {
  md->key = grpc_slice_from_static_string("authorization");
  md->value = value;
}

/* Runs synchronously on the core's thread: the core takes the slices and
 * the error string. */
static int plugin_get_metadata(
    void *state, grpc_auth_metadata_context context,
    grpc_credentials_plugin_metadata_cb cb, void *user_data,
    grpc_metadata creds_md[GRPC_METADATA_CREDENTIALS_PLUGIN_SYNC_MAX],
    size_t *num_creds_md, grpc_status_code *status,
    const char **error_details) {
  (void)cb;
  (void)user_data;
  token_plugin *plugin = state;
  *num_creds_md = 0;
  *status = GRPC_STATUS_OK;
  *error_details = NULL;
  char *value = NULL;
  if (!plugin->fn) {
    set_authorization(&creds_md[0], grpc_slice_ref(plugin->fixed));
    *num_creds_md = 1;
    return 1;
  }
  grpc_c_token_request request = {
      .service_url = context.service_url ? context.service_url : "",
      .method = context.method_name ? context.method_name : ""};
  char *token = NULL, *error = NULL;
  grpc_c_code code = plugin->fn(plugin->user_data, &request, &token, &error);
  const char *failure = NULL;
  if (code == GRPC_C_OK && (!token || !printable_token(token))) {
    code = GRPC_C_UNAUTHENTICATED;
    failure = "grpc-c: the token source returned no valid token";
  } else if (code != GRPC_C_OK) {
    failure = error ? error : "grpc-c: the token source failed";
  }
  if (code == GRPC_C_OK && !(value = bearer_value(token))) {
    code = GRPC_C_RESOURCE_EXHAUSTED;
    failure = "grpc-c: out of memory";
  }
  if (code == GRPC_C_OK) {
    set_authorization(&creds_md[0], grpc_slice_from_copied_string(value));
    *num_creds_md = 1;
  } else {
    *status = (grpc_status_code)code;
    *error_details = gpr_strdup(failure);
  }
  free(value);
  free(token);
  free(error);
  return 1;
}

static void plugin_destroy(void *state) {
  token_plugin *plugin = state;
  if (plugin->destroy) plugin->destroy(plugin->user_data);
  grpc_slice_unref(plugin->fixed);
  free(plugin);
}

static char *plugin_debug_string(void *state) {
  token_plugin *plugin = state;
  return gpr_strdup(plugin->fn ? "grpc-c token source" : "grpc-c bearer token");
}

/* Wraps `plugin` (owned from here on) into call credentials. */
static int credentials_from_plugin(token_plugin *plugin,
                                   grpc_c_call_credentials **out) {
  grpc_c_call_credentials *creds = calloc(1, sizeof *creds);
  if (!creds) {
    plugin->destroy = NULL; /* the caller keeps its user data */
    plugin_destroy(plugin);
    return GRPC_C_ENOMEM;
  }
  grpc_metadata_credentials_plugin core_plugin = {
      .get_metadata = plugin_get_metadata,
      .debug_string = plugin_debug_string,
      .destroy = plugin_destroy,
      .state = plugin,
      .type = "grpc-c.token"};
  /* Security level NONE: the runtime itself refuses call credentials on
   * plaintext channels unless the application allowed it (see
   * gc_call_credentials_apply), with a message that says how. */
  gc_core_ref();
  creds->core = grpc_metadata_credentials_create_from_plugin(
      core_plugin, GRPC_SECURITY_NONE, NULL);
  if (!creds->core) {
    gc_core_unref();
    plugin->destroy = NULL;
    plugin_destroy(plugin);
    free(creds);
    return GRPC_C_ECORE;
  }
  atomic_init(&creds->refs, 1);
  *out = creds;
  return 0;
}

int grpc_c_call_credentials_bearer(grpc_c_call_credentials **out,
                                   const char *token) {
  if (!out) return GRPC_C_EINVAL;
  *out = NULL;
  if (!token || !printable_token(token)) return GRPC_C_EINVAL;
  token_plugin *plugin = calloc(1, sizeof *plugin);
  char *value = plugin ? bearer_value(token) : NULL;
  if (!value) {
    free(plugin);
    return GRPC_C_ENOMEM;
  }
  /* Built once; each call sends a reference to it. */
  plugin->fixed = grpc_slice_from_copied_string(value);
  free(value);
  return credentials_from_plugin(plugin, out);
}

int grpc_c_call_credentials_token_source(grpc_c_call_credentials **out,
                                         grpc_c_token_fn fn, void *user_data,
                                         void (*destroy)(void *user_data)) {
  if (!out) return GRPC_C_EINVAL;
  *out = NULL;
  if (!fn) return GRPC_C_EINVAL;
  token_plugin *plugin = calloc(1, sizeof *plugin);
  if (!plugin) return GRPC_C_ENOMEM;
  plugin->fn = fn;
  plugin->user_data = user_data;
  plugin->destroy = destroy;
  return credentials_from_plugin(plugin, out);
}

grpc_c_call_credentials *gc_call_credentials_ref(
    grpc_c_call_credentials *creds) {
  if (creds) atomic_fetch_add(&creds->refs, 1);
  return creds;
}

void grpc_c_call_credentials_free(grpc_c_call_credentials *creds) {
  if (!creds || atomic_fetch_sub(&creds->refs, 1) != 1) return;
  grpc_call_credentials_release(creds->core);
  free(creds);
  gc_core_unref();
}

grpc_call_credentials *gc_call_credentials_core(
    const grpc_c_call_credentials *creds) {
  return creds->core;
}

int grpc_c_call_options_set_credentials(grpc_c_call_options *opts,
                                        grpc_c_call_credentials *creds) {
  if (!opts || !creds) return GRPC_C_EINVAL;
  grpc_c_call_credentials_free(opts->credentials);
  opts->credentials = gc_call_credentials_ref(creds);
  return 0;
}

void gc_call_credentials_apply(grpc_c_channel *channel, grpc_call *call,
                               grpc_c_call_credentials *creds) {
  if (channel->refuse_credentials || (creds && !channel->credentials_allowed)) {
    grpc_call_cancel_with_status(
        call, GRPC_STATUS_UNAUTHENTICATED,
        "grpc-c: call credentials need a TLS channel; "
        "grpc_c_channel_options_allow_insecure_call_credentials() allows "
        "plaintext for local testing",
        NULL);
    return;
  }
  if (creds && grpc_call_set_credentials(call, creds->core) != GRPC_CALL_OK)
    grpc_call_cancel_with_status(call, GRPC_STATUS_INTERNAL,
                                 "grpc-c: the core refused the call "
                                 "credentials",
                                 NULL);
}

/* ---- server TLS options ---- */

struct grpc_c_tls_server_options {
  grpc_ssl_pem_key_cert_pair *pairs; /* strings owned */
  size_t pair_count;
  char *client_ca;
  grpc_c_client_cert_policy policy;
};

int grpc_c_tls_server_options_new(grpc_c_tls_server_options **out) {
  if (!out) return GRPC_C_EINVAL;
  *out = calloc(1, sizeof **out);
  return *out ? 0 : GRPC_C_ENOMEM;
}

void grpc_c_tls_server_options_free(grpc_c_tls_server_options *opts) {
  if (!opts) return;
  for (size_t i = 0; i < opts->pair_count; i++) {
    free((char *)opts->pairs[i].private_key);
    free((char *)opts->pairs[i].cert_chain);
  }
  free(opts->pairs);
  free(opts->client_ca);
  free(opts);
}

int grpc_c_tls_server_options_add_key_cert(grpc_c_tls_server_options *opts,
                                           const char *cert_chain_pem,
                                           const char *key_pem) {
  if (!opts) return GRPC_C_EINVAL;
  int rc = gc_check_key_cert_pem(cert_chain_pem, key_pem);
  if (rc) return rc;
  grpc_ssl_pem_key_cert_pair *pairs =
      realloc(opts->pairs, (opts->pair_count + 1) * sizeof *pairs);
  if (!pairs) return GRPC_C_ENOMEM;
  opts->pairs = pairs;
  char *cert = strdup(cert_chain_pem), *key = strdup(key_pem);
  if (!cert || !key) {
    free(cert);
    free(key);
    return GRPC_C_ENOMEM;
  }
  pairs[opts->pair_count++] =
      (grpc_ssl_pem_key_cert_pair){.private_key = key, .cert_chain = cert};
  return 0;
}

int grpc_c_tls_server_options_add_key_cert_files(
    grpc_c_tls_server_options *opts, const char *cert_chain_path,
    const char *key_path) {
  if (!opts) return GRPC_C_EINVAL;
  char *cert = NULL, *key = NULL;
  int rc = gc_read_file(cert_chain_path, &cert);
  if (!rc) rc = gc_read_file(key_path, &key);
  if (!rc) rc = grpc_c_tls_server_options_add_key_cert(opts, cert, key);
  free(cert);
  free(key);
  return rc;
}

int grpc_c_tls_server_options_set_client_ca(grpc_c_tls_server_options *opts,
                                            const char *ca_pem) {
  if (!opts) return GRPC_C_EINVAL;
  int rc = gc_check_ca_pem(ca_pem);
  if (rc) return rc;
  char *copy = strdup(ca_pem);
  if (!copy) return GRPC_C_ENOMEM;
  free(opts->client_ca);
  opts->client_ca = copy;
  return 0;
}

int grpc_c_tls_server_options_set_client_ca_file(
    grpc_c_tls_server_options *opts, const char *path) {
  if (!opts) return GRPC_C_EINVAL;
  char *pem;
  int rc = gc_read_file(path, &pem);
  if (!rc) rc = grpc_c_tls_server_options_set_client_ca(opts, pem);
  free(pem);
  return rc;
}

int grpc_c_tls_server_options_set_client_cert_policy(
    grpc_c_tls_server_options *opts, grpc_c_client_cert_policy policy) {
  if (!opts || (unsigned)policy > GRPC_C_CLIENT_CERT_REQUIRE_AND_VERIFY)
    return GRPC_C_EINVAL;
  opts->policy = policy;
  return 0;
}

static grpc_ssl_client_certificate_request_type core_policy(
    grpc_c_client_cert_policy policy) {
  switch (policy) {
    case GRPC_C_CLIENT_CERT_REQUEST:
      return GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_BUT_DONT_VERIFY;
    case GRPC_C_CLIENT_CERT_REQUEST_AND_VERIFY:
      return GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY;
    case GRPC_C_CLIENT_CERT_REQUIRE:
      return GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_BUT_DONT_VERIFY;
    case GRPC_C_CLIENT_CERT_REQUIRE_AND_VERIFY:
      return GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
    case GRPC_C_CLIENT_CERT_NONE:
      break;
  }
  return GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE;
}

int grpc_c_server_add_tls_listener(grpc_c_server *server, const char *address,
                                   const grpc_c_tls_server_options *tls,
                                   int *bound_port) {
  if (bound_port) *bound_port = 0;
  if (!server || !address || !*address || !tls) return GRPC_C_EINVAL;
  if (tls->pair_count == 0) {
    gc_log(GRPC_C_LOG_ERROR, "TLS listener %s: no certificate and key",
           address);
    return GRPC_C_EINVAL;
  }
  bool verifies = tls->policy == GRPC_C_CLIENT_CERT_REQUEST_AND_VERIFY ||
                  tls->policy == GRPC_C_CLIENT_CERT_REQUIRE_AND_VERIFY;
  if (verifies && !tls->client_ca) {
    gc_log(GRPC_C_LOG_ERROR,
           "TLS listener %s: verifying client certificates needs a client CA",
           address);
    return GRPC_C_EINVAL;
  }
  grpc_server_credentials *creds = grpc_ssl_server_credentials_create_ex(
      tls->client_ca, tls->pairs, tls->pair_count, core_policy(tls->policy),
      NULL);
  if (!creds) return GRPC_C_ETLS;
  int rc = gc_server_add_port(server, address, creds, bound_port);
  grpc_server_credentials_release(creds);
  return rc;
}

/* ---- server-side identity ---- */

static grpc_auth_context *call_auth(grpc_c_server_ctx *ctx) {
  if (!ctx || !ctx->call) return NULL;
  if (!ctx->auth) ctx->auth = grpc_call_auth_context(ctx->call);
  return ctx->auth;
}

const char *grpc_c_server_ctx_auth_property(grpc_c_server_ctx *ctx,
                                            const char *name, size_t index) {
  grpc_auth_context *auth = call_auth(ctx);
  if (!auth || !name) return NULL;
  grpc_auth_property_iterator it =
      grpc_auth_context_find_properties_by_name(auth, name);
  const grpc_auth_property *prop;
  for (size_t i = 0; (prop = grpc_auth_property_iterator_next(&it)); i++) {
    if (i != index) continue;
    /* Values are not always NUL-terminated: copy into the call. */
    char *copy = gc_arena_alloc(&ctx->arena, prop->value_length + 1);
    if (!copy) return NULL;
    memcpy(copy, prop->value, prop->value_length);
    return copy;
  }
  return NULL;
}

bool grpc_c_server_ctx_is_secure(grpc_c_server_ctx *ctx) {
  const char *type = grpc_c_server_ctx_auth_property(
      ctx, GRPC_TRANSPORT_SECURITY_TYPE_PROPERTY_NAME, 0);
  return type && (strcmp(type, GRPC_SSL_TRANSPORT_SECURITY_TYPE) == 0 ||
                  strcmp(type, GRPC_TLS_TRANSPORT_SECURITY_TYPE) == 0);
}

const char *grpc_c_server_ctx_peer_subject(grpc_c_server_ctx *ctx) {
  return grpc_c_server_ctx_auth_property(ctx, GRPC_X509_SUBJECT_PROPERTY_NAME,
                                         0);
}

const char *grpc_c_server_ctx_peer_san(grpc_c_server_ctx *ctx, size_t index) {
  return grpc_c_server_ctx_auth_property(ctx, GRPC_X509_SAN_PROPERTY_NAME,
                                         index);
}

int grpc_c_server_ctx_set_principal(grpc_c_server_ctx *ctx,
                                    const char *principal) {
  if (!ctx || !principal) return GRPC_C_EINVAL;
  char *copy = grpc_c_server_ctx_strdup(ctx, principal);
  if (!copy) return GRPC_C_ENOMEM;
  ctx->principal = copy;
  return 0;
}

const char *grpc_c_server_ctx_principal(const grpc_c_server_ctx *ctx) {
  return ctx ? ctx->principal : NULL;
}
