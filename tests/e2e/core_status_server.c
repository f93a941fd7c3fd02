/* See core_status_server.h. One thread polls the server's queue: a new call
 * gets one batch (initial metadata, the status, wait for the close) and asks
 * the core for the next call. */
#include "core_status_server.h"

#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

/* What a tag on the queue stands for. */
typedef enum tag_kind { TAG_NEW_CALL, TAG_ANSWERED, TAG_SHUTDOWN } tag_kind;

typedef struct pending_call {
  tag_kind kind; /* first: tags point here */
  grpc_call *call;
  grpc_call_details details;
  grpc_metadata_array request_metadata;
  int cancelled;
} pending_call;

struct core_status_server {
  grpc_server *server;
  grpc_completion_queue *cq;
  pthread_t thread;
  grpc_status_code code;
  grpc_slice message;
  char target[64];
  tag_kind shutdown_tag;
};

static void pending_free(pending_call *p) {
  if (p->call) grpc_call_unref(p->call);
  grpc_call_details_destroy(&p->details);
  grpc_metadata_array_destroy(&p->request_metadata);
  free(p);
}

static bool request_next(core_status_server *s) {
  pending_call *p = calloc(1, sizeof *p);
  if (!p) return false;
  p->kind = TAG_NEW_CALL;
  grpc_call_details_init(&p->details);
  grpc_metadata_array_init(&p->request_metadata);
  if (grpc_server_request_call(s->server, &p->call, &p->details,
                               &p->request_metadata, s->cq, s->cq,
                               p) != GRPC_CALL_OK) {
    pending_free(p);
    return false;
  }
  return true;
}

static void answer(core_status_server *s, pending_call *p) {
  grpc_op ops[3] = {{0}};
  ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
  ops[1].op = GRPC_OP_RECV_CLOSE_ON_SERVER;
  ops[1].data.recv_close_on_server.cancelled = &p->cancelled;
  ops[2].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
  ops[2].data.send_status_from_server.status = s->code;
  ops[2].data.send_status_from_server.status_details = &s->message;
  p->kind = TAG_ANSWERED;
  if (grpc_call_start_batch(p->call, ops, 3, p, NULL) != GRPC_CALL_OK)
    pending_free(p);
}

static void *serve(void *arg) {
  core_status_server *s = arg;
  bool accepting = request_next(s);
  for (;;) {
    grpc_event ev = grpc_completion_queue_next(
        s->cq, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL);
    if (ev.type == GRPC_QUEUE_SHUTDOWN) break;
    tag_kind *kind = ev.tag;
    if (*kind == TAG_SHUTDOWN) {
      accepting = false;
      grpc_completion_queue_shutdown(s->cq);
    } else if (*kind == TAG_NEW_CALL) {
      pending_call *p = ev.tag;
      if (ev.success) {
        answer(s, p);
        if (accepting) accepting = request_next(s);
      } else {
        pending_free(p); /* the server is shutting down */
      }
    } else {
      pending_free(ev.tag);
    }
  }
  return NULL;
}

core_status_server *core_status_server_start(int code, const char *message) {
  core_status_server *s = calloc(1, sizeof *s);
  if (!s) return NULL;
  grpc_init();
  s->code = (grpc_status_code)code;
  s->message = grpc_slice_from_copied_string(message);
  s->shutdown_tag = TAG_SHUTDOWN;
  s->cq = grpc_completion_queue_create_for_next(NULL);
  s->server = grpc_server_create(NULL, NULL);
  grpc_server_register_completion_queue(s->server, s->cq, NULL);
  grpc_server_credentials *creds = grpc_insecure_server_credentials_create();
  int port = grpc_server_add_http2_port(s->server, "127.0.0.1:0", creds);
  grpc_server_credentials_release(creds);
  snprintf(s->target, sizeof s->target, "127.0.0.1:%d", port);
  grpc_server_start(s->server);
  if (port <= 0 || pthread_create(&s->thread, NULL, serve, s) != 0) {
    grpc_server_shutdown_and_notify(s->server, s->cq, &s->shutdown_tag);
    grpc_completion_queue_shutdown(s->cq);
    while (grpc_completion_queue_next(s->cq,
                                      gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL)
               .type != GRPC_QUEUE_SHUTDOWN) {
    }
    grpc_server_destroy(s->server);
    grpc_completion_queue_destroy(s->cq);
    grpc_slice_unref(s->message);
    grpc_shutdown();
    free(s);
    return NULL;
  }
  return s;
}

const char *core_status_server_target(const core_status_server *s) {
  return s->target;
}

void core_status_server_stop(core_status_server *s) {
  if (!s) return;
  grpc_server_shutdown_and_notify(s->server, s->cq, &s->shutdown_tag);
  grpc_server_cancel_all_calls(s->server);
  pthread_join(s->thread, NULL);
  grpc_server_destroy(s->server);
  grpc_completion_queue_destroy(s->cq);
  grpc_slice_unref(s->message);
  grpc_shutdown();
  free(s);
}
