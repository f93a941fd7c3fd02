/* Channels: the core channel, a per-channel cache of registered methods,
 * a pool of pluck queues for blocking calls, and the async thread. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* ---- channel options ---- */

struct grpc_c_channel_options {
  gc_args args;
  int64_t default_timeout_ms; /* < 0: none */
  char *user_agent_prefix;
  /* TLS: on when `tls` is set; NULL CA means the system roots. */
  bool tls;
  char *ca_pem;
  char *client_cert_pem, *client_key_pem;
  grpc_c_call_credentials *call_credentials; /* a reference */
  bool allow_insecure_credentials;
};

int grpc_c_channel_options_new(grpc_c_channel_options **out) {
  if (!out) return GRPC_C_EINVAL;
  *out = calloc(1, sizeof **out);
  if (!*out) return GRPC_C_ENOMEM;
  (*out)->default_timeout_ms = -1;
  return 0;
}

void grpc_c_channel_options_free(grpc_c_channel_options *opts) {
  if (!opts) return;
  gc_args_free(&opts->args);
  free(opts->user_agent_prefix);
  free(opts->ca_pem);
  free(opts->client_cert_pem);
  free(opts->client_key_pem);
  grpc_c_call_credentials_free(opts->call_credentials);
  free(opts);
}

int grpc_c_channel_options_set_default_timeout_ms(grpc_c_channel_options *opts,
                                                  int64_t timeout_ms) {
  if (!opts) return GRPC_C_EINVAL;
  opts->default_timeout_ms = timeout_ms < 0 ? -1 : timeout_ms;
  return 0;
}

int grpc_c_channel_options_set_keepalive(grpc_c_channel_options *opts,
                                         int time_ms, int timeout_ms,
                                         bool permit_without_calls) {
  if (!opts || time_ms < 1 || timeout_ms < 1) return GRPC_C_EINVAL;
  int rc = gc_args_set(&opts->args, GRPC_ARG_KEEPALIVE_TIME_MS, NULL, time_ms);
  if (!rc)
    rc = gc_args_set(&opts->args, GRPC_ARG_KEEPALIVE_TIMEOUT_MS, NULL,
                     timeout_ms);
  if (!rc)
    rc = gc_args_set(&opts->args, GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, NULL,
                     permit_without_calls ? 1 : 0);
  /* The core stops pinging after 2 pings without data unless told not to,
   * which would end keepalive on exactly the idle connections it is for. */
  if (!rc)
    rc = gc_args_set(&opts->args, GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, NULL,
                     0);
  return rc;
}

int grpc_c_channel_options_set_authority(grpc_c_channel_options *opts,
                                         const char *authority) {
  if (!opts || !authority || !*authority) return GRPC_C_EINVAL;
  return gc_args_set(&opts->args, GRPC_ARG_DEFAULT_AUTHORITY, authority, 0);
}

int grpc_c_channel_options_set_user_agent_prefix(grpc_c_channel_options *opts,
                                                 const char *prefix) {
  if (!opts || !prefix) return GRPC_C_EINVAL;
  char *copy = strdup(prefix);
  if (!copy) return GRPC_C_ENOMEM;
  free(opts->user_agent_prefix);
  opts->user_agent_prefix = copy;
  return 0;
}

int grpc_c_channel_options_set_compression(grpc_c_channel_options *opts,
                                           grpc_c_compression algorithm) {
  if (!opts || (unsigned)algorithm > GRPC_C_COMPRESS_GZIP) return GRPC_C_EINVAL;
  return gc_args_set(&opts->args, GRPC_COMPRESSION_CHANNEL_DEFAULT_ALGORITHM,
                     NULL, (int)algorithm);
}

int grpc_c_channel_options_set_service_config(grpc_c_channel_options *opts,
                                              const char *json) {
  if (!opts || !json || !*json) return GRPC_C_EINVAL;
  return gc_args_set(&opts->args, GRPC_ARG_SERVICE_CONFIG, json, 0);
}

int grpc_c_channel_options_set_int(grpc_c_channel_options *opts,
                                   const char *key, int value) {
  return opts ? gc_args_set(&opts->args, key, NULL, value) : GRPC_C_EINVAL;
}

int grpc_c_channel_options_set_string(grpc_c_channel_options *opts,
                                      const char *key, const char *value) {
  if (!opts || !value) return GRPC_C_EINVAL;
  return gc_args_set(&opts->args, key, value, 0);
}

int grpc_c_channel_options_set_max_receive_message_size(
    grpc_c_channel_options *opts, int bytes) {
  if (!opts || bytes < -1) return GRPC_C_EINVAL;
  return gc_args_set(&opts->args, GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH, NULL,
                     bytes);
}

int grpc_c_channel_options_set_max_send_message_size(
    grpc_c_channel_options *opts, int bytes) {
  if (!opts || bytes < -1) return GRPC_C_EINVAL;
  return gc_args_set(&opts->args, GRPC_ARG_MAX_SEND_MESSAGE_LENGTH, NULL,
                     bytes);
}

int grpc_c_channel_options_set_tls(grpc_c_channel_options *opts,
                                   const char *ca_pem) {
  if (!opts) return GRPC_C_EINVAL;
  char *copy = NULL;
  if (ca_pem) {
    int rc = gc_check_ca_pem(ca_pem);
    if (rc) return rc;
    if (!(copy = strdup(ca_pem))) return GRPC_C_ENOMEM;
  }
  free(opts->ca_pem);
  opts->ca_pem = copy;
  opts->tls = true;
  return 0;
}

int grpc_c_channel_options_set_tls_ca_file(grpc_c_channel_options *opts,
                                           const char *path) {
  if (!opts) return GRPC_C_EINVAL;
  char *pem;
  int rc = gc_read_file(path, &pem);
  if (!rc) rc = grpc_c_channel_options_set_tls(opts, pem);
  free(pem);
  return rc;
}

int grpc_c_channel_options_set_tls_client_cert(grpc_c_channel_options *opts,
                                               const char *cert_chain_pem,
                                               const char *key_pem) {
  if (!opts) return GRPC_C_EINVAL;
  int rc = gc_check_key_cert_pem(cert_chain_pem, key_pem);
  if (rc) return rc;
  char *cert = strdup(cert_chain_pem), *key = strdup(key_pem);
  if (!cert || !key) {
    free(cert);
    free(key);
    return GRPC_C_ENOMEM;
  }
  free(opts->client_cert_pem);
  free(opts->client_key_pem);
  opts->client_cert_pem = cert;
  opts->client_key_pem = key;
  opts->tls = true;
  return 0;
}

int grpc_c_channel_options_set_tls_client_cert_files(
    grpc_c_channel_options *opts, const char *cert_chain_path,
    const char *key_path) {
  if (!opts) return GRPC_C_EINVAL;
  char *cert = NULL, *key = NULL;
  int rc = gc_read_file(cert_chain_path, &cert);
  if (!rc) rc = gc_read_file(key_path, &key);
  if (!rc) rc = grpc_c_channel_options_set_tls_client_cert(opts, cert, key);
  free(cert);
  free(key);
  return rc;
}

int grpc_c_channel_options_set_tls_server_name(grpc_c_channel_options *opts,
                                               const char *name) {
  if (!opts || !name || !*name) return GRPC_C_EINVAL;
  return gc_args_set(&opts->args, GRPC_SSL_TARGET_NAME_OVERRIDE_ARG, name, 0);
}

int grpc_c_channel_options_set_call_credentials(
    grpc_c_channel_options *opts, grpc_c_call_credentials *creds) {
  if (!opts || !creds) return GRPC_C_EINVAL;
  grpc_c_call_credentials_free(opts->call_credentials);
  opts->call_credentials = gc_call_credentials_ref(creds);
  return 0;
}

int grpc_c_channel_options_allow_insecure_call_credentials(
    grpc_c_channel_options *opts, bool allow) {
  if (!opts) return GRPC_C_EINVAL;
  opts->allow_insecure_credentials = allow;
  return 0;
}

/* ---- channel ---- */

/* The core credentials for a channel with `opts`: plaintext or TLS,
 * composed with the channel's call credentials. */
static grpc_channel_credentials *channel_credentials(
    const grpc_c_channel_options *opts) {
  grpc_channel_credentials *transport;
  if (opts && opts->tls) {
    grpc_ssl_pem_key_cert_pair pair = {.private_key = opts->client_key_pem,
                                       .cert_chain = opts->client_cert_pem};
    transport = grpc_ssl_credentials_create_ex(
        opts->ca_pem, opts->client_cert_pem ? &pair : NULL, NULL, NULL);
  } else {
    transport = grpc_insecure_credentials_create();
  }
  if (!transport || !opts || !opts->call_credentials) return transport;
  grpc_channel_credentials *composite =
      grpc_composite_channel_credentials_create(
          transport, gc_call_credentials_core(opts->call_credentials), NULL);
  grpc_channel_credentials_release(transport);
  return composite;
}

int grpc_c_channel_create(grpc_c_channel **out, const char *target,
                          const grpc_c_channel_options *opts) {
  if (!out) return GRPC_C_EINVAL;
  *out = NULL;
  if (!target || !*target) return GRPC_C_EINVAL;
  grpc_c_channel *channel = calloc(1, sizeof *channel);
  if (!channel) return GRPC_C_ENOMEM;
  channel->target = strdup(target);
  channel->default_timeout_ms = opts ? opts->default_timeout_ms : -1;
  channel->credentials_allowed =
      opts && (opts->tls || opts->allow_insecure_credentials);
  channel->refuse_credentials =
      opts && opts->call_credentials && !channel->credentials_allowed;
  /* The core appends its own "grpc-c/<core version>" after ours. */
  char agent[512];
  const char *prefix = opts ? opts->user_agent_prefix : NULL;
  snprintf(agent, sizeof agent, "%s%sgrpc-c/" GRPC_C_VERSION_STRING,
           prefix ? prefix : "", prefix ? " " : "");
  /* Channelz off as on servers (server.c); set_int() can turn it on. */
  grpc_arg defaults[] = {{.type = GRPC_ARG_STRING,
                          .key = (char *)GRPC_ARG_PRIMARY_USER_AGENT_STRING,
                          .value.string = agent},
                         {.type = GRPC_ARG_INTEGER,
                          .key = (char *)GRPC_ARG_ENABLE_CHANNELZ,
                          .value.integer = 0}};
  grpc_channel_args args;
  if (!channel->target || gc_args_to_core(opts ? &opts->args : NULL, defaults,
                                          sizeof defaults / sizeof *defaults,
                                          NULL, 0, &args) != 0) {
    free(channel->target);
    free(channel);
    return GRPC_C_ENOMEM;
  }
  pthread_mutex_init(&channel->mu, NULL);
  gc_core_ref();
  grpc_channel_credentials *creds = channel_credentials(opts);
  channel->core = creds ? grpc_channel_create(target, creds, &args) : NULL;
  if (creds) grpc_channel_credentials_release(creds);
  free(args.args);
  if (!channel->core) {
    pthread_mutex_destroy(&channel->mu);
    free(channel->target);
    free(channel);
    gc_core_unref();
    return GRPC_C_ECORE;
  }
  *out = channel;
  return 0;
}

/* Pops an idle pluck queue (lock held); NULL when there is none. */
static grpc_completion_queue *pop_idle_cq(grpc_c_channel *channel) {
  return channel->idle_count ? channel->idle_cqs[--channel->idle_count] : NULL;
}

static void *async_loop(void *arg) {
  grpc_completion_queue *cq = arg;
  for (;;) {
    grpc_event ev = grpc_completion_queue_next(
        cq, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL);
    if (ev.type == GRPC_QUEUE_SHUTDOWN) return NULL;
    if (ev.type != GRPC_OP_COMPLETE) continue;
    gc_async_tag *tag = ev.tag;
    tag->complete(tag, ev.success != 0);
  }
}

grpc_completion_queue *gc_channel_async_cq(grpc_c_channel *channel) {
  pthread_mutex_lock(&channel->mu);
  if (!channel->async_started) {
    grpc_completion_queue *cq = grpc_completion_queue_create_for_next(NULL);
    if (cq &&
        pthread_create(&channel->async_thread, NULL, async_loop, cq) == 0) {
      channel->async_cq = cq;
      channel->async_started = true;
    } else if (cq) {
      grpc_completion_queue_shutdown(cq);
      grpc_completion_queue_destroy(cq);
    }
  }
  grpc_completion_queue *cq = channel->async_cq;
  pthread_mutex_unlock(&channel->mu);
  return cq;
}

static void destroy_pluck_cq(grpc_completion_queue *cq) {
  grpc_completion_queue_shutdown(cq);
  grpc_completion_queue_destroy(cq);
}

void grpc_c_channel_destroy(grpc_c_channel *channel) {
  if (!channel) return;
  if (channel->async_started) {
    grpc_completion_queue_shutdown(channel->async_cq);
    pthread_join(channel->async_thread, NULL);
    grpc_completion_queue_destroy(channel->async_cq);
  }
  for (size_t i = 0; i < channel->idle_count; i++)
    destroy_pluck_cq(channel->idle_cqs[i]);
  free(channel->idle_cqs);
  free(channel->registered);
  grpc_channel_destroy(channel->core);
  pthread_mutex_destroy(&channel->mu);
  free(channel->target);
  free(channel);
  gc_core_unref();
}

const char *grpc_c_connectivity_state_name(grpc_c_connectivity_state state) {
  switch (state) {
    case GRPC_C_CHANNEL_IDLE:
      return "IDLE";
    case GRPC_C_CHANNEL_CONNECTING:
      return "CONNECTING";
    case GRPC_C_CHANNEL_READY:
      return "READY";
    case GRPC_C_CHANNEL_TRANSIENT_FAILURE:
      return "TRANSIENT_FAILURE";
    case GRPC_C_CHANNEL_SHUTDOWN:
      return "SHUTDOWN";
  }
  return "UNKNOWN";
}

grpc_c_connectivity_state grpc_c_channel_state(grpc_c_channel *channel,
                                               bool try_to_connect) {
  if (!channel) return GRPC_C_CHANNEL_SHUTDOWN;
  return (grpc_c_connectivity_state)grpc_channel_check_connectivity_state(
      channel->core, try_to_connect ? 1 : 0);
}

bool grpc_c_channel_wait_for_state_change(
    grpc_c_channel *channel, grpc_c_connectivity_state last_observed,
    int64_t timeout_ms) {
  if (!channel) return false;
  grpc_completion_queue *cq;
  pthread_mutex_lock(&channel->mu);
  cq = pop_idle_cq(channel);
  pthread_mutex_unlock(&channel->mu);
  if (!cq && !(cq = grpc_completion_queue_create_for_pluck(NULL))) return false;
  int tag;
  grpc_channel_watch_connectivity_state(
      channel->core, (grpc_connectivity_state)last_observed,
      gc_deadline_after_ms(timeout_ms < 0 ? 0 : timeout_ms), cq, &tag);
  grpc_event ev = grpc_completion_queue_pluck(
      cq, &tag, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL);
  gc_channel_release_cq(channel, cq);
  return ev.type == GRPC_OP_COMPLETE && ev.success;
}

const char *grpc_c_channel_target(const grpc_c_channel *channel) {
  return channel ? channel->target : NULL;
}

static size_t slot_of(const grpc_c_method *method, size_t capacity) {
  uintptr_t h = (uintptr_t)method;
  h ^= h >> 17;
  h *= (uintptr_t)0x9E3779B97F4A7C15ull;
  return (size_t)(h >> 7) & (capacity - 1);
}

/* Finds or registers `method`; called with the lock held. */
static void *registered_handle(grpc_c_channel *channel,
                               const grpc_c_method *method) {
  if (channel->registered_capacity) {
    size_t i = slot_of(method, channel->registered_capacity);
    for (;;) {
      struct gc_registered_method *entry = &channel->registered[i];
      if (entry->method == method) return entry->handle;
      if (!entry->method) break;
      i = (i + 1) & (channel->registered_capacity - 1);
    }
  }
  if ((channel->registered_count + 1) * 2 > channel->registered_capacity) {
    size_t capacity =
        channel->registered_capacity ? channel->registered_capacity * 2 : 16;
    struct gc_registered_method *table = calloc(capacity, sizeof *table);
    if (!table) return NULL;
    for (size_t j = 0; j < channel->registered_capacity; j++) {
      struct gc_registered_method *old = &channel->registered[j];
      if (!old->method) continue;
      size_t k = slot_of(old->method, capacity);
      while (table[k].method) k = (k + 1) & (capacity - 1);
      table[k] = *old;
    }
    free(channel->registered);
    channel->registered = table;
    channel->registered_capacity = capacity;
  }
  void *handle =
      grpc_channel_register_call(channel->core, method->path, NULL, NULL);
  size_t i = slot_of(method, channel->registered_capacity);
  while (channel->registered[i].method)
    i = (i + 1) & (channel->registered_capacity - 1);
  channel->registered[i].method = method;
  channel->registered[i].handle = handle;
  channel->registered_count++;
  return handle;
}

bool gc_channel_acquire(grpc_c_channel *channel, const grpc_c_method *method,
                        void **handle, grpc_completion_queue **cq) {
  pthread_mutex_lock(&channel->mu);
  *handle = registered_handle(channel, method);
  if (!cq) {
    pthread_mutex_unlock(&channel->mu);
    return *handle != NULL;
  }
  *cq = pop_idle_cq(channel);
  pthread_mutex_unlock(&channel->mu);
  if (!*cq) *cq = grpc_completion_queue_create_for_pluck(NULL);
  if (!*handle && *cq) {
    gc_channel_release_cq(channel, *cq);
    *cq = NULL;
  }
  return *handle != NULL && *cq != NULL;
}

void gc_channel_release_cq(grpc_c_channel *channel, grpc_completion_queue *cq) {
  pthread_mutex_lock(&channel->mu);
  if (channel->idle_count == channel->idle_capacity) {
    size_t capacity = channel->idle_capacity ? channel->idle_capacity * 2 : 8;
    grpc_completion_queue **cqs =
        realloc(channel->idle_cqs, capacity * sizeof *cqs);
    if (!cqs) {
      pthread_mutex_unlock(&channel->mu);
      destroy_pluck_cq(cq);
      return;
    }
    channel->idle_cqs = cqs;
    channel->idle_capacity = capacity;
  }
  channel->idle_cqs[channel->idle_count++] = cq;
  pthread_mutex_unlock(&channel->mu);
}
