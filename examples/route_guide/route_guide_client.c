/*
 * route_guide_client: the RouteGuide client of the gRPC basics tutorial,
 * written with grpc-c.
 *
 *   route_guide_client [TARGET]
 *
 * Runs one call of each kind against TARGET (default "localhost:50051"):
 * GetFeature for a known and an unknown point, ListFeatures over a
 * rectangle, RecordRoute over ten places picked with a fixed seed, and
 * RouteChat with four notes, reading replies on a second thread while the
 * main thread writes. Exits 0 only when every call ended OK and every result
 * is what the feature database predicts.
 */
#define _POSIX_C_SOURCE 200809L

#include <grpc-c/grpc-c.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "route_guide.grpc-c.h"
#include "route_guide_db.h"

static const char *target = "localhost:50051";

/* Prints why a call failed and returns false. */
static bool report_failure(const char *what, grpc_c_code code,
                           const grpc_c_status *status) {
  fprintf(stderr, "%s failed: %s: %s\n", what, grpc_c_code_name(code),
          status->message ? status->message : "");
  return false;
}

static bool check(bool ok, const char *what) {
  if (!ok) fprintf(stderr, "unexpected result: %s\n", what);
  return ok;
}

/* ---- unary: GetFeature -------------------------------------------------- */

/* Asks for the feature at (lat, lng); `expected` is the name the database
 * holds there, "" for none. */
static bool get_feature(grpc_c_channel *channel,
                        const grpc_c_call_options *opts, int32_t lat,
                        int32_t lng, const char *expected) {
  Routeguide__Point point = ROUTEGUIDE__POINT__INIT;
  point.latitude = lat;
  point.longitude = lng;
  Routeguide__Feature *feature = NULL;
  grpc_c_status status = GRPC_C_STATUS_INIT;
  grpc_c_code code = routeguide__route_guide__get_feature__call(
      channel, &point, &feature, opts, &status);
  bool ok;
  if (code != GRPC_C_OK) {
    ok = report_failure("GetFeature", code, &status);
  } else {
    const char *name = feature->name ? feature->name : "";
    if (*name) {
      printf("Found feature called \"%s\" at %.7f, %.7f\n", name, lat / 1e7,
             lng / 1e7);
    } else {
      printf("Found no feature at %.7f, %.7f\n", lat / 1e7, lng / 1e7);
    }
    ok = check(strcmp(name, expected) == 0, "GetFeature name") &&
         check(feature->location && feature->location->latitude == lat &&
                   feature->location->longitude == lng,
               "GetFeature location");
    routeguide__feature__free_unpacked(feature, NULL); /* the reply is ours */
  }
  grpc_c_status_clear(&status);
  return ok;
}

/* ---- server streaming: ListFeatures ------------------------------------- */

static bool list_features(grpc_c_channel *channel,
                          const grpc_c_call_options *opts) {
  Routeguide__Point lo = ROUTEGUIDE__POINT__INIT;
  Routeguide__Point hi = ROUTEGUIDE__POINT__INIT;
  lo.latitude = 400000000;
  lo.longitude = -750000000;
  hi.latitude = 420000000;
  hi.longitude = -730000000;
  Routeguide__Rectangle rect = ROUTEGUIDE__RECTANGLE__INIT;
  rect.lo = &lo;
  rect.hi = &hi;
  printf("Looking for features between 40, -75 and 42, -73\n");

  size_t expected = 0;
  for (size_t i = 0; i < route_guide_db_count; i++) {
    const route_guide_place *p = &route_guide_db[i];
    if (p->latitude >= lo.latitude && p->latitude <= hi.latitude &&
        p->longitude >= lo.longitude && p->longitude <= hi.longitude) {
      expected++;
    }
  }

  Routeguide__RouteGuide__ListFeatures_Stream *stream = NULL;
  int rc = routeguide__route_guide__list_features__start(channel, &rect, opts,
                                                         &stream);
  if (rc != 0) {
    fprintf(stderr, "ListFeatures: cannot start: %s\n", grpc_c_strerror(rc));
    return false;
  }
  size_t received = 0;
  bool inside = true;
  Routeguide__Feature *feature; /* lent until the next read */
  while (routeguide__route_guide__list_features__read(stream, &feature)) {
    received++;
    int32_t lat = feature->location ? feature->location->latitude : 0;
    int32_t lng = feature->location ? feature->location->longitude : 0;
    printf("  %s at %.7f, %.7f\n", feature->name, lat / 1e7, lng / 1e7);
    inside = inside && lat >= lo.latitude && lat <= hi.latitude &&
             lng >= lo.longitude && lng <= hi.longitude;
  }
  grpc_c_status status = GRPC_C_STATUS_INIT;
  grpc_c_code code =
      routeguide__route_guide__list_features__finish(stream, &status);
  bool ok;
  if (code != GRPC_C_OK) {
    ok = report_failure("ListFeatures", code, &status);
  } else {
    printf("ListFeatures returned %zu features\n", received);
    ok = check(received > 0 && received == expected,
               "ListFeatures count (expected every database entry inside)") &&
         check(inside, "ListFeatures feature outside the rectangle");
  }
  grpc_c_status_clear(&status);
  return ok;
}

/* ---- client streaming: RecordRoute -------------------------------------- */

/* A tiny deterministic generator, so every run records the same route. */
static uint32_t next_random(uint32_t *state) {
  *state = *state * 1664525u + 1013904223u;
  return *state >> 8;
}

static bool record_route(grpc_c_channel *channel,
                         const grpc_c_call_options *opts) {
  enum { POINTS = 10 };
  uint32_t seed = 2024;

  Routeguide__RouteGuide__RecordRoute_Stream *stream = NULL;
  int rc = routeguide__route_guide__record_route__start(channel, opts, &stream);
  if (rc != 0) {
    fprintf(stderr, "RecordRoute: cannot start: %s\n", grpc_c_strerror(rc));
    return false;
  }
  int sent = 0;
  for (int i = 0; i < POINTS; i++) {
    const route_guide_place *place =
        &route_guide_db[next_random(&seed) % route_guide_db_count];
    Routeguide__Point point = ROUTEGUIDE__POINT__INIT;
    point.latitude = place->latitude;
    point.longitude = place->longitude;
    printf("Visiting point %.7f, %.7f\n", point.latitude / 1e7,
           point.longitude / 1e7);
    if (!routeguide__route_guide__record_route__write(stream, &point)) {
      break; /* the call is over; finish tells why */
    }
    sent++;
  }
  Routeguide__RouteSummary *summary = NULL;
  grpc_c_status status = GRPC_C_STATUS_INIT;
  grpc_c_code code =
      routeguide__route_guide__record_route__finish(stream, &summary, &status);
  bool ok;
  if (code != GRPC_C_OK) {
    ok = report_failure("RecordRoute", code, &status);
  } else {
    printf(
        "Finished trip with %d points\n"
        "Passed %d features\n"
        "Travelled %d meters\n"
        "It took %d seconds\n",
        summary->point_count, summary->feature_count, summary->distance,
        summary->elapsed_time);
    ok = check(sent == POINTS && summary->point_count == POINTS,
               "RecordRoute point count") &&
         check(summary->feature_count == POINTS,
               "RecordRoute feature count (every point is a feature)") &&
         check(summary->distance > 0, "RecordRoute distance");
    routeguide__route_summary__free_unpacked(summary, NULL); /* ours */
  }
  grpc_c_status_clear(&status);
  return ok;
}

/* ---- bidirectional streaming: RouteChat --------------------------------- */

/* The notes RouteChat sends. */
static const struct {
  int32_t latitude, longitude;
  const char *message;
} chat_notes[] = {
    {0, 0, "First message"},
    {0, 1, "Second message"},
    {1, 0, "Third message"},
    {0, 0, "Fourth message"},
};
enum { CHAT_NOTES = sizeof chat_notes / sizeof chat_notes[0] };

typedef struct chat_reader {
  Routeguide__RouteGuide__RouteChat_Stream *stream;
  int received;
  bool sane;
} chat_reader;

/* The server only answers with notes left at a point we just sent. */
static bool is_chat_point(int32_t lat, int32_t lng) {
  for (size_t i = 0; i < CHAT_NOTES; i++) {
    if (chat_notes[i].latitude == lat && chat_notes[i].longitude == lng) {
      return true;
    }
  }
  return false;
}

/* The reading half of RouteChat, on its own thread: a stream may be read by
 * one thread while another writes. */
static void *read_chat(void *arg) {
  chat_reader *reader = arg;
  Routeguide__RouteNote *note; /* lent until the next read */
  while (routeguide__route_guide__route_chat__read(reader->stream, &note)) {
    int32_t lat = note->location ? note->location->latitude : 0;
    int32_t lng = note->location ? note->location->longitude : 0;
    printf("Got message \"%s\" at point(%d, %d)\n", note->message, lat, lng);
    reader->sane = reader->sane && is_chat_point(lat, lng);
    reader->received++;
  }
  return NULL;
}

static bool route_chat(grpc_c_channel *channel,
                       const grpc_c_call_options *opts) {
  chat_reader reader = {.stream = NULL, .received = 0, .sane = true};
  int rc =
      routeguide__route_guide__route_chat__start(channel, opts, &reader.stream);
  if (rc != 0) {
    fprintf(stderr, "RouteChat: cannot start: %s\n", grpc_c_strerror(rc));
    return false;
  }
  pthread_t thread;
  if (pthread_create(&thread, NULL, read_chat, &reader) != 0) {
    fprintf(stderr, "RouteChat: cannot start the reader thread\n");
    routeguide__route_guide__route_chat__cancel(reader.stream);
    routeguide__route_guide__route_chat__finish(reader.stream, NULL);
    return false;
  }
  for (size_t i = 0; i < CHAT_NOTES; i++) {
    Routeguide__Point location = ROUTEGUIDE__POINT__INIT;
    location.latitude = chat_notes[i].latitude;
    location.longitude = chat_notes[i].longitude;
    Routeguide__RouteNote note = ROUTEGUIDE__ROUTE_NOTE__INIT;
    note.location = &location;
    note.message = (char *)chat_notes[i].message; /* borrowed, never written */
    printf("Sending message \"%s\" at point(%d, %d)\n", chat_notes[i].message,
           chat_notes[i].latitude, chat_notes[i].longitude);
    if (!routeguide__route_guide__route_chat__write(reader.stream, &note)) {
      break; /* the call is over; finish tells why */
    }
  }
  routeguide__route_guide__route_chat__writes_done(reader.stream);
  pthread_join(thread, NULL); /* the reader stops at the end of the stream */

  grpc_c_status status = GRPC_C_STATUS_INIT;
  grpc_c_code code =
      routeguide__route_guide__route_chat__finish(reader.stream, &status);
  bool ok;
  if (code != GRPC_C_OK) {
    ok = report_failure("RouteChat", code, &status);
  } else {
    /* At least "First message" comes back, for the fourth note; a server
     * that other clients talk to (or talked to) answers more. */
    printf("RouteChat received %d notes\n", reader.received);
    ok = check(reader.received >= 1, "RouteChat received no note") &&
         check(reader.sane, "RouteChat note from a point not sent");
  }
  grpc_c_status_clear(&status);
  return ok;
}

/* ---- main --------------------------------------------------------------- */

int main(int argc, char **argv) {
  if (argc > 1) target = argv[1];

  grpc_c_channel *channel = NULL;
  int rc = grpc_c_channel_create(&channel, target, NULL);
  if (rc != 0) {
    fprintf(stderr, "route_guide_client: cannot create a channel to %s: %s\n",
            target, grpc_c_strerror(rc));
    return 1;
  }
  /* One options object for every call: read when a call starts, so sharing
   * it is fine. Each call gets 10 s. */
  grpc_c_call_options *opts = NULL;
  rc = grpc_c_call_options_new(&opts);
  if (rc == 0) rc = grpc_c_call_options_set_timeout_ms(opts, 10000);
  if (rc != 0) {
    fprintf(stderr, "route_guide_client: call options: %s\n",
            grpc_c_strerror(rc));
    grpc_c_call_options_free(opts);
    grpc_c_channel_destroy(channel);
    return 1;
  }

  const route_guide_place *known = &route_guide_db[0];
  bool ok = true;
  printf("-------------- GetFeature --------------\n");
  ok &= get_feature(channel, opts, known->latitude, known->longitude,
                    known->name);
  ok &= get_feature(channel, opts, 0, 0, "");
  printf("-------------- ListFeatures --------------\n");
  ok &= list_features(channel, opts);
  printf("-------------- RecordRoute --------------\n");
  ok &= record_route(channel, opts);
  printf("-------------- RouteChat --------------\n");
  ok &= route_chat(channel, opts);

  grpc_c_call_options_free(opts);
  grpc_c_channel_destroy(channel);
  printf("%s\n", ok ? "all calls OK" : "some calls FAILED");
  return ok ? 0 : 1;
}
