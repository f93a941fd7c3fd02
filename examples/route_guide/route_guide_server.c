/*
 * route_guide_server: the RouteGuide server of the gRPC basics tutorial,
 * written with grpc-c. One handler per kind of RPC:
 *
 *   GetFeature    unary             the feature at a point (or an unnamed one)
 *   ListFeatures  server streaming  the features inside a rectangle
 *   RecordRoute   client streaming  points, features, distance, time of a route
 *   RouteChat     bidi streaming    each note is answered with the earlier
 *                                   notes left at the same point
 *
 * Serves on 0.0.0.0:$PORT (50051 when PORT is unset; $BIND_HOST replaces
 * 0.0.0.0) until SIGTERM/SIGINT,
 * then exits 0.
 */
#define _POSIX_C_SOURCE 200809L

#include <grpc-c/grpc-c.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "route_guide.grpc-c.h"
#include "route_guide_db.h"

/* ---- the server's state: the notes of RouteChat ------------------------- */

/* A note kept by RouteChat. Never changed once stored, freed at exit. */
typedef struct stored_note {
  int32_t latitude;
  int32_t longitude;
  char *message;
} stored_note;

/* What every handler gets as `self`. Handlers run concurrently on the
 * server's threads, so the note store is guarded by a mutex. */
typedef struct route_guide {
  pthread_mutex_t notes_mu;
  stored_note **notes; /* guarded by notes_mu */
  size_t note_count;   /* guarded by notes_mu */
  size_t note_cap;     /* guarded by notes_mu */
} route_guide;

static void route_guide_free_notes(route_guide *guide) {
  for (size_t i = 0; i < guide->note_count; i++) {
    free(guide->notes[i]->message);
    free(guide->notes[i]);
  }
  free(guide->notes);
  guide->notes = NULL;
  guide->note_count = guide->note_cap = 0;
}

/* ---- geometry ----------------------------------------------------------- */

static double e7_to_radians(int32_t e7) {
  static const double pi = 3.14159265358979323846;
  return (double)e7 / 1e7 * pi / 180.0;
}

/* Great-circle distance between two points in metres (haversine formula). */
static double distance_m(int32_t lat1, int32_t lng1, int32_t lat2,
                         int32_t lng2) {
  static const double earth_radius_m = 6371000.0;
  double phi1 = e7_to_radians(lat1), phi2 = e7_to_radians(lat2);
  double dphi = e7_to_radians(lat2 - lat1);
  double dlambda = e7_to_radians(lng2 - lng1);
  double a = sin(dphi / 2) * sin(dphi / 2) +
             cos(phi1) * cos(phi2) * sin(dlambda / 2) * sin(dlambda / 2);
  return earth_radius_m * 2 * atan2(sqrt(a), sqrt(1 - a));
}

static bool in_rectangle(int32_t lat, int32_t lng, const Routeguide__Point *a,
                         const Routeguide__Point *b) {
  int32_t lat_lo = a->latitude < b->latitude ? a->latitude : b->latitude;
  int32_t lat_hi = a->latitude < b->latitude ? b->latitude : a->latitude;
  int32_t lng_lo = a->longitude < b->longitude ? a->longitude : b->longitude;
  int32_t lng_hi = a->longitude < b->longitude ? b->longitude : a->longitude;
  return lat >= lat_lo && lat <= lat_hi && lng >= lng_lo && lng <= lng_hi;
}

static double monotonic_seconds(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

/* ---- handlers ----------------------------------------------------------- */

/* Unary. The response belongs to the runtime: its name points at the static
 * database (or at ""), its location at memory of the call. */
static grpc_c_code get_feature(void *self, grpc_c_server_ctx *ctx,
                               const Routeguide__Point *point,
                               Routeguide__Feature *feature) {
  (void)self;
  Routeguide__Point *location = grpc_c_server_ctx_alloc(ctx, sizeof *location);
  if (!location) {
    return grpc_c_server_ctx_fail(ctx, GRPC_C_RESOURCE_EXHAUSTED,
                                  "out of memory");
  }
  routeguide__point__init(location);
  location->latitude = point->latitude;
  location->longitude = point->longitude;
  feature->location = location;

  const route_guide_place *place =
      route_guide_db_find(point->latitude, point->longitude);
  /* protobuf-c string fields are `char *` but are only read when sending. */
  feature->name = place ? (char *)place->name : "";
  return GRPC_C_OK;
}

/* Server streaming: one message per feature inside the rectangle. */
static grpc_c_code list_features(
    void *self, grpc_c_server_ctx *ctx, const Routeguide__Rectangle *rect,
    Routeguide__RouteGuide__ListFeatures_ServerStream *stream) {
  (void)self;
  if (!rect->lo || !rect->hi) {
    return grpc_c_server_ctx_fail(ctx, GRPC_C_INVALID_ARGUMENT,
                                  "the rectangle needs both lo and hi");
  }
  for (size_t i = 0; i < route_guide_db_count; i++) {
    const route_guide_place *place = &route_guide_db[i];
    if (!in_rectangle(place->latitude, place->longitude, rect->lo, rect->hi)) {
      continue;
    }
    Routeguide__Point location = ROUTEGUIDE__POINT__INIT;
    location.latitude = place->latitude;
    location.longitude = place->longitude;
    Routeguide__Feature feature = ROUTEGUIDE__FEATURE__INIT;
    feature.name = (char *)place->name;
    feature.location = &location;
    /* Borrowed for the write only, so stack memory is fine. */
    if (!routeguide__route_guide__list_features__server_write(stream,
                                                              &feature)) {
      return GRPC_C_CANCELLED; /* the client is gone; the status is moot */
    }
  }
  return GRPC_C_OK;
}

/* Client streaming: read points until the client half-closes. */
static grpc_c_code record_route(
    void *self, grpc_c_server_ctx *ctx,
    Routeguide__RouteGuide__RecordRoute_ServerStream *stream,
    Routeguide__RouteSummary *summary) {
  (void)self;
  int32_t point_count = 0, feature_count = 0;
  double distance = 0;
  int32_t last_lat = 0, last_lng = 0;
  double start = monotonic_seconds();

  Routeguide__Point *point; /* lent until the next read */
  while (routeguide__route_guide__record_route__server_read(stream, &point)) {
    point_count++;
    if (route_guide_db_find(point->latitude, point->longitude)) {
      feature_count++;
    }
    if (point_count > 1) {
      distance +=
          distance_m(last_lat, last_lng, point->latitude, point->longitude);
    }
    last_lat = point->latitude;
    last_lng = point->longitude;
  }
  if (grpc_c_server_ctx_is_cancelled(ctx)) {
    return GRPC_C_CANCELLED;
  }
  summary->point_count = point_count;
  summary->feature_count = feature_count;
  summary->distance = (int32_t)(distance + 0.5);
  summary->elapsed_time = (int32_t)(monotonic_seconds() - start);
  return GRPC_C_OK;
}

/* Stores a copy of a note. Returns false when out of memory. Called with
 * notes_mu held. */
static bool store_note_locked(route_guide *guide, int32_t lat, int32_t lng,
                              const char *message) {
  if (guide->note_count == guide->note_cap) {
    size_t cap = guide->note_cap ? 2 * guide->note_cap : 16;
    stored_note **notes = realloc(guide->notes, cap * sizeof *notes);
    if (!notes) return false;
    guide->notes = notes;
    guide->note_cap = cap;
  }
  stored_note *note = malloc(sizeof *note);
  char *copy = strdup(message ? message : "");
  if (!note || !copy) {
    free(note);
    free(copy);
    return false;
  }
  note->latitude = lat;
  note->longitude = lng;
  note->message = copy;
  guide->notes[guide->note_count++] = note;
  return true;
}

/* Bidirectional streaming: answer each note with the notes stored earlier
 * at the same point, then store it. */
static grpc_c_code route_chat(
    void *self, grpc_c_server_ctx *ctx,
    Routeguide__RouteGuide__RouteChat_ServerStream *stream) {
  route_guide *guide = self;
  const stored_note **earlier = NULL; /* this call's scratch list */
  grpc_c_code code = GRPC_C_OK;

  Routeguide__RouteNote *in; /* lent until the next read */
  while (routeguide__route_guide__route_chat__server_read(stream, &in)) {
    int32_t lat = in->location ? in->location->latitude : 0;
    int32_t lng = in->location ? in->location->longitude : 0;

    /* Collect the earlier notes under the lock, write them without it:
     * stored notes are never changed or freed while the server runs, so
     * the pointers stay valid, and a slow client cannot stall the others. */
    pthread_mutex_lock(&guide->notes_mu);
    size_t matches = 0;
    const stored_note **grown =
        realloc(earlier, (guide->note_count + 1) * sizeof *earlier);
    bool stored = false;
    if (grown) {
      earlier = grown;
      for (size_t i = 0; i < guide->note_count; i++) {
        if (guide->notes[i]->latitude == lat &&
            guide->notes[i]->longitude == lng) {
          earlier[matches++] = guide->notes[i];
        }
      }
      stored = store_note_locked(guide, lat, lng, in->message);
    }
    pthread_mutex_unlock(&guide->notes_mu);
    if (!stored) {
      code = grpc_c_server_ctx_fail(ctx, GRPC_C_RESOURCE_EXHAUSTED,
                                    "out of memory");
      break;
    }

    for (size_t i = 0; i < matches; i++) {
      Routeguide__Point location = ROUTEGUIDE__POINT__INIT;
      location.latitude = earlier[i]->latitude;
      location.longitude = earlier[i]->longitude;
      Routeguide__RouteNote out = ROUTEGUIDE__ROUTE_NOTE__INIT;
      out.location = &location;
      out.message = earlier[i]->message;
      if (!routeguide__route_guide__route_chat__server_write(stream, &out)) {
        code = GRPC_C_CANCELLED; /* the client is gone */
        break;
      }
    }
    if (code != GRPC_C_OK) break;
  }
  free(earlier);
  return code;
}

static const Routeguide__RouteGuide_Servicer servicer = {
    .get_feature = get_feature,
    .list_features = list_features,
    .record_route = record_route,
    .route_chat = route_chat,
};

/* ---- main --------------------------------------------------------------- */

int main(void) {
  route_guide guide = {.notes = NULL};
  if (pthread_mutex_init(&guide.notes_mu, NULL) != 0) {
    fprintf(stderr, "route_guide_server: cannot create a mutex\n");
    return 1;
  }

  int port = grpc_c_port_from_env(50051);
  /* All addresses unless BIND_HOST says otherwise (tests: 127.0.0.1). */
  const char *host = getenv("BIND_HOST");
  char address[300];
  snprintf(address, sizeof address, "%s:%d", host && *host ? host : "0.0.0.0",
           port);

  grpc_c_server *server = NULL;
  int bound_port = 0;
  int rc = grpc_c_server_create(&server, NULL);
  if (rc == 0) rc = grpc_c_server_add_listener(server, address, &bound_port);
  if (rc == 0) {
    rc = routeguide__route_guide__servicer__register(server, &servicer, &guide);
  }
  /* SIGTERM/SIGINT drain for up to 5 s from here on. */
  if (rc == 0) rc = grpc_c_server_handle_signals(server, 5000);
  if (rc == 0) rc = grpc_c_server_start(server);
  if (rc != 0) {
    fprintf(stderr, "route_guide_server: cannot serve on %s: %s\n", address,
            grpc_c_strerror(rc));
    grpc_c_server_destroy(server);
    pthread_mutex_destroy(&guide.notes_mu);
    return 1;
  }
  printf("route_guide_server listening on port %d (%zu features)\n", bound_port,
         route_guide_db_count);
  fflush(stdout);

  grpc_c_server_wait(server); /* until a signal has drained it */
  /* Every handler has returned once the server is destroyed: only then is
   * it safe to free what they share. */
  grpc_c_server_destroy(server);
  route_guide_free_notes(&guide);
  pthread_mutex_destroy(&guide.notes_mu);
  return rc == 0 ? 0 : 1;
}
