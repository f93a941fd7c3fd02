/* grpc.health.v1.Health: a status table (name -> status) behind one mutex,
 * the Watch streams of each name, and the steps the server's life cycle
 * calls (internal.h: start, drain, free).
 *
 * Watch streams are reactor calls (the method is non-blocking): no thread
 * waits for them. Every status change is written to the name's watchers
 * while the table's mutex is held, so two changes made at once reach every
 * watcher in the same order, the table's. That nests the stream's own
 * mutex inside the table's; the reactor calls on_cancel and on_done without
 * its mutex held, and they take the table's, so the order is never
 * reversed. Finishing a call can run its on_done on the finishing thread,
 * so calls are finished only after the table's mutex is released.
 *
 * Who finishes a watcher's call is decided under the table's mutex
 * (`claimed`): the drain, on_cancel, or the handler itself. Only on_done
 * frees a watcher, after it has left its name's list. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "grpc/health/v1/health.grpc-c.h"
#include "internal.h"

typedef struct watcher watcher;

/* A name with a status, or with watchers waiting for one (or both). */
typedef struct entry {
  struct entry *next; /* bucket chain */
  watcher *watchers;  /* doubly linked through prev/next */
  grpc_c_health_status status;
  bool set;      /* a status is set; else only watched (SERVICE_UNKNOWN) */
  bool by_start; /* set by start, not by the application */
  char name[];
} entry;

struct watcher {
  grpc_c_server_ctx *ctx;
  gc_health *health;
  entry *entry; /* NULL when not in a name's list */
  watcher *prev, *next;
  int last_sent; /* the status last written, -1 for none */
  bool claimed;  /* a thread has taken on finishing the call */
};

struct gc_health {
  pthread_mutex_t mu;
  pthread_cond_t drain_cv;
  entry **buckets; /* power-of-two count */
  size_t bucket_count;
  size_t entry_count;
  bool draining;   /* for good: every name NOT_SERVING, set/clear refused */
  bool drain_done; /* the drain's writes and finishes have been made */
};

/* ---- the table; mu held ---- */

static size_t hash_name(const char *name) {
  uint64_t h = 1469598103934665603u; /* FNV-1a */
  for (const unsigned char *p = (const unsigned char *)name; *p; p++)
    h = (h ^ *p) * 1099511628211u;
  return (size_t)h;
}

static entry **bucket_of(gc_health *h, const char *name) {
  return &h->buckets[hash_name(name) & (h->bucket_count - 1)];
}

static entry *find_locked(gc_health *h, const char *name) {
  for (entry *e = *bucket_of(h, name); e; e = e->next)
    if (strcmp(e->name, name) == 0) return e;
  return NULL;
}

/* Doubles the buckets once entries outnumber them; keeps the table as it is
 * when out of memory (chains just grow). */
static void grow_locked(gc_health *h) {
  size_t count = h->bucket_count * 2;
  entry **buckets = calloc(count, sizeof *buckets);
  if (!buckets) return;
  for (size_t i = 0; i < h->bucket_count; i++) {
    for (entry *e = h->buckets[i], *next; e; e = next) {
      next = e->next;
      entry **b = &buckets[hash_name(e->name) & (count - 1)];
      e->next = *b;
      *b = e;
    }
  }
  free(h->buckets);
  h->buckets = buckets;
  h->bucket_count = count;
}

/* The entry of `name`, made (neither set nor watched) if there is none.
 * NULL when out of memory. */
static entry *find_or_add_locked(gc_health *h, const char *name) {
  entry *e = find_locked(h, name);
  if (e) return e;
  size_t len = strlen(name);
  e = calloc(1, sizeof *e + len + 1);
  if (!e) return NULL;
  memcpy(e->name, name, len + 1);
  if (h->entry_count >= h->bucket_count) grow_locked(h);
  entry **b = bucket_of(h, name);
  e->next = *b;
  *b = e;
  h->entry_count++;
  return e;
}

/* Frees `e` when it is neither set nor watched. */
static void prune_locked(gc_health *h, entry *e) {
  if (e->set || e->watchers) return;
  for (entry **p = bucket_of(h, e->name); *p; p = &(*p)->next) {
    if (*p == e) {
      *p = e->next;
      h->entry_count--;
      free(e);
      return;
    }
  }
}

static grpc_c_health_status visible_status(const entry *e) {
  return e && e->set ? e->status : GRPC_C_HEALTH_SERVICE_UNKNOWN;
}

/* ---- watchers; mu held ---- */

/* Queues `status` on the watcher's stream unless it was the last one sent.
 * Never blocks (the method is non-blocking); a call that is over refuses
 * the message, and its on_cancel follows. */
static void send_locked(watcher *w, grpc_c_health_status status) {
  if (w->last_sent == (int)status) return;
  w->last_sent = (int)status;
  Grpc__Health__V1__HealthCheckResponse response =
      GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__INIT;
  response.status =
      (Grpc__Health__V1__HealthCheckResponse__ServingStatus)status;
  grpc__health__v1__health__watch__server_write(
      (Grpc__Health__V1__Health__Watch_ServerStream *)w->ctx, &response);
}

static void notify_locked(entry *e) {
  for (watcher *w = e->watchers; w; w = w->next)
    send_locked(w, visible_status(e));
}

static void link_locked(entry *e, watcher *w) {
  w->entry = e;
  w->prev = NULL;
  w->next = e->watchers;
  if (e->watchers) e->watchers->prev = w;
  e->watchers = w;
}

/* Takes `w` out of its name's list (if in one), freeing the name's entry
 * when nothing keeps it. */
static void unlink_locked(gc_health *h, watcher *w) {
  entry *e = w->entry;
  if (!e) return;
  if (w->prev)
    w->prev->next = w->next;
  else
    e->watchers = w->next;
  if (w->next) w->next->prev = w->prev;
  w->entry = NULL;
  w->prev = w->next = NULL;
  prune_locked(h, e);
}

/* Ends a watcher's call; mu not held (on_done may run right here). The
 * caller has claimed it, so nothing else finishes it or frees `w` before
 * this: `w` may be gone once the call returns. */
static void finish_call(grpc_c_server_ctx *ctx, grpc_c_code code,
                        const char *message) {
  if (message) grpc_c_server_ctx_fail(ctx, code, "%s", message);
  grpc_c_server_ctx_finish(ctx, code);
}

/* ---- the service ---- */

static grpc_c_code check(void *self, grpc_c_server_ctx *ctx,
                         const Grpc__Health__V1__HealthCheckRequest *request,
                         Grpc__Health__V1__HealthCheckResponse *response) {
  gc_health *h = self;
  const char *name = request->service ? request->service : "";
  pthread_mutex_lock(&h->mu);
  entry *e = find_locked(h, name);
  grpc_c_health_status status = visible_status(e);
  pthread_mutex_unlock(&h->mu);
  if (status == GRPC_C_HEALTH_SERVICE_UNKNOWN)
    return grpc_c_server_ctx_fail(ctx, GRPC_C_NOT_FOUND,
                                  "unknown service: \"%s\"", name);
  response->status =
      (Grpc__Health__V1__HealthCheckResponse__ServingStatus)status;
  return GRPC_C_OK;
}

static void watch_on_cancel(
    grpc_c_server_ctx *ctx,
    Grpc__Health__V1__Health__Watch_ServerStream *stream, void *user_data) {
  (void)stream;
  watcher *w = user_data;
  gc_health *h = w->health;
  pthread_mutex_lock(&h->mu);
  bool mine = !w->claimed;
  w->claimed = true;
  unlink_locked(h, w);
  pthread_mutex_unlock(&h->mu);
  if (mine) finish_call(ctx, GRPC_C_CANCELLED, NULL);
}

static void watch_on_done(grpc_c_server_ctx *ctx,
                          Grpc__Health__V1__Health__Watch_ServerStream *stream,
                          void *user_data) {
  (void)ctx;
  (void)stream;
  watcher *w = user_data;
  gc_health *h = w->health;
  pthread_mutex_lock(&h->mu);
  unlink_locked(h, w);
  pthread_mutex_unlock(&h->mu);
  free(w);
}

static const Grpc__Health__V1__Health__Watch_Reactor watch_reactor = {
    .on_cancel = watch_on_cancel,
    .on_done = watch_on_done,
};

/* Runs on a poller: sends the current status and joins the name's
 * watchers; the call then lives on without a thread. */
static grpc_c_code watch(void *self, grpc_c_server_ctx *ctx,
                         const Grpc__Health__V1__HealthCheckRequest *request,
                         Grpc__Health__V1__Health__Watch_ServerStream *stream) {
  gc_health *h = self;
  const char *name = request->service ? request->service : "";
  watcher *w = calloc(1, sizeof *w);
  if (!w)
    return grpc_c_server_ctx_fail(ctx, GRPC_C_RESOURCE_EXHAUSTED,
                                  "grpc-c: out of memory");
  w->ctx = ctx;
  w->health = h;
  w->last_sent = -1;
  int rc =
      grpc__health__v1__health__watch__server_react(stream, &watch_reactor, w);
  if (rc != 0) {
    free(w);
    return grpc_c_server_ctx_fail(
        ctx, GRPC_C_INTERNAL, "grpc-c: cannot keep the stream open (%d)", rc);
  }
  /* From here on_cancel may run on another poller, and on_done after this
   * handler returns. A cancellation that came before the reactor was in
   * place has no on_cancel: grpc_c_server_ctx_is_cancelled() sees it. */
  pthread_mutex_lock(&h->mu);
  if (w->claimed) { /* on_cancel finishes the call */
    pthread_mutex_unlock(&h->mu);
    return GRPC_C_OK;
  }
  grpc_c_code end = GRPC_C_OK;
  const char *message = NULL;
  entry *e = NULL;
  if (grpc_c_server_ctx_is_cancelled(ctx)) {
    end = GRPC_C_CANCELLED;
  } else if (h->draining) {
    send_locked(w, visible_status(find_locked(h, name)));
    end = GRPC_C_UNAVAILABLE;
    message = "server is shutting down";
  } else if (!(e = find_or_add_locked(h, name))) {
    end = GRPC_C_RESOURCE_EXHAUSTED;
    message = "grpc-c: out of memory";
  } else {
    send_locked(w, visible_status(e));
    link_locked(e, w);
  }
  if (end != GRPC_C_OK) w->claimed = true;
  pthread_mutex_unlock(&h->mu);
  if (end != GRPC_C_OK) finish_call(ctx, end, message);
  return GRPC_C_OK; /* ignored: the call has a reactor */
}

static const Grpc__Health__V1__Health_Servicer health_servicer = {
    .check = check,
    .watch = watch,
};

/* ---- the server's life cycle (internal.h) ---- */

static void health_free(gc_health *h) {
  for (size_t i = 0; i < h->bucket_count; i++) {
    for (entry *e = h->buckets[i], *next; e; e = next) {
      next = e->next;
      free(e);
    }
  }
  free(h->buckets);
  pthread_mutex_destroy(&h->mu);
  pthread_cond_destroy(&h->drain_cv);
  free(h);
}

void gc_health_free(gc_health *h) {
  if (h) health_free(h);
}

/* The service name of a method path "/<service>/<method>"; false for a path
 * of another shape. */
static bool service_of_path(const char *path, char *out, size_t size) {
  const char *last = strrchr(path, '/');
  if (path[0] != '/' || !last || last == path) return false;
  size_t len = (size_t)(last - path - 1);
  if (len >= size) return false;
  memcpy(out, path + 1, len);
  out[len] = '\0';
  return true;
}

/* Marks `name` SERVING unless a status is set. */
static int serve_name_locked(gc_health *h, const char *name) {
  entry *e = find_or_add_locked(h, name);
  if (!e) return GRPC_C_ENOMEM;
  if (e->set) return 0;
  e->set = true;
  e->by_start = true;
  e->status = GRPC_C_HEALTH_SERVING;
  notify_locked(e);
  return 0;
}

int gc_health_start(gc_health *h, const gc_server_method *methods,
                    size_t count) {
  pthread_mutex_lock(&h->mu);
  int rc = h->draining ? GRPC_C_ESTATE : serve_name_locked(h, "");
  for (size_t i = 0; rc == 0 && i < count; i++) {
    const char *path = methods[i].method->path;
    char *name = malloc(strlen(path) + 1);
    if (!name) {
      rc = GRPC_C_ENOMEM;
    } else {
      if (service_of_path(path, name, strlen(path) + 1))
        rc = serve_name_locked(h, name);
      free(name);
    }
  }
  pthread_mutex_unlock(&h->mu);
  if (rc != 0) gc_health_unstart(h);
  return rc;
}

void gc_health_unstart(gc_health *h) {
  pthread_mutex_lock(&h->mu);
  for (size_t i = 0; i < h->bucket_count; i++) {
    for (entry *e = h->buckets[i], *next; e; e = next) {
      next = e->next;
      if (!e->by_start) continue;
      e->set = e->by_start = false;
      notify_locked(e);
      prune_locked(h, e);
    }
  }
  pthread_mutex_unlock(&h->mu);
}

void gc_health_drain(gc_health *h) {
  pthread_mutex_lock(&h->mu);
  if (h->draining) {
    /* Another thread drains: its writes and finishes take no waiting. */
    while (!h->drain_done) pthread_cond_wait(&h->drain_cv, &h->mu);
    pthread_mutex_unlock(&h->mu);
    return;
  }
  h->draining = true;
  /* Every name NOT_SERVING, written to its watchers, who then leave the
   * table (threaded through `next`) to be finished outside the lock. */
  watcher *leaving = NULL;
  for (size_t i = 0; i < h->bucket_count; i++) {
    for (entry *e = h->buckets[i], *next; e; e = next) {
      next = e->next;
      if (e->set) e->status = GRPC_C_HEALTH_NOT_SERVING;
      e->by_start = false;
      notify_locked(e);
      for (watcher *w = e->watchers, *after; w; w = after) {
        after = w->next;
        w->entry = NULL;
        w->prev = w->next = NULL;
        if (w->claimed) continue; /* on_cancel finishes it */
        w->claimed = true;
        w->next = leaving;
        leaving = w;
      }
      e->watchers = NULL;
      prune_locked(h, e);
    }
  }
  pthread_mutex_unlock(&h->mu);
  while (leaving) {
    watcher *w = leaving;
    leaving = w->next;
    finish_call(w->ctx, GRPC_C_UNAVAILABLE, "server is shutting down");
  }
  pthread_mutex_lock(&h->mu);
  h->drain_done = true;
  pthread_cond_broadcast(&h->drain_cv);
  pthread_mutex_unlock(&h->mu);
}

/* ---- the public API ---- */

int grpc_c_server_enable_health(grpc_c_server *server) {
  if (!server) return GRPC_C_EINVAL;
  if (gc_server_health(server)) return 0;
  gc_health *h = calloc(1, sizeof *h);
  if (!h) return GRPC_C_ENOMEM;
  h->bucket_count = 16;
  h->buckets = calloc(h->bucket_count, sizeof *h->buckets);
  if (!h->buckets) {
    free(h);
    return GRPC_C_ENOMEM;
  }
  pthread_mutex_init(&h->mu, NULL);
  pthread_cond_init(&h->drain_cv, NULL);
  int rc =
      grpc__health__v1__health__servicer__register(server, &health_servicer, h);
  if (rc != 0) {
    health_free(h);
    return rc;
  }
  /* Registered: the server holds `h` from now on, whatever follows. */
  gc_server_attach_health(server, h);
  return grpc_c_server_set_nonblocking(
      server, &grpc__health__v1__health__watch__method);
}

static bool settable(grpc_c_health_status status) {
  return status == GRPC_C_HEALTH_UNKNOWN || status == GRPC_C_HEALTH_SERVING ||
         status == GRPC_C_HEALTH_NOT_SERVING;
}

int grpc_c_server_set_health(grpc_c_server *server, const char *service,
                             grpc_c_health_status status) {
  if (!server || !service || !settable(status)) return GRPC_C_EINVAL;
  gc_health *h = gc_server_health(server);
  if (!h) return GRPC_C_ESTATE;
  pthread_mutex_lock(&h->mu);
  int rc = 0;
  entry *e = NULL;
  if (h->draining)
    rc = GRPC_C_ESTATE;
  else if (!(e = find_or_add_locked(h, service)))
    rc = GRPC_C_ENOMEM;
  else {
    e->set = true;
    e->by_start = false;
    e->status = status;
    notify_locked(e);
  }
  pthread_mutex_unlock(&h->mu);
  return rc;
}

int grpc_c_server_clear_health(grpc_c_server *server, const char *service) {
  if (!server || !service) return GRPC_C_EINVAL;
  gc_health *h = gc_server_health(server);
  if (!h) return GRPC_C_ESTATE;
  pthread_mutex_lock(&h->mu);
  int rc = 0;
  entry *e;
  if (h->draining) {
    rc = GRPC_C_ESTATE;
  } else if ((e = find_locked(h, service)) && e->set) {
    e->set = e->by_start = false;
    notify_locked(e);
    prune_locked(h, e);
  }
  pthread_mutex_unlock(&h->mu);
  return rc;
}

grpc_c_health_status grpc_c_server_health(grpc_c_server *server,
                                          const char *service) {
  if (!server || !service) return GRPC_C_HEALTH_SERVICE_UNKNOWN;
  gc_health *h = gc_server_health(server);
  if (!h) return GRPC_C_HEALTH_SERVICE_UNKNOWN;
  pthread_mutex_lock(&h->mu);
  grpc_c_health_status status = visible_status(find_locked(h, service));
  pthread_mutex_unlock(&h->mu);
  return status;
}
