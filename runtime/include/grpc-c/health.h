/**
 * @file grpc-c/health.h
 * @brief The standard health service, `grpc.health.v1.Health`, served by a
 *        grpc-c server: what Kubernetes gRPC probes, Cloud Run and Knative
 *        probes, load balancers and client-side health checking ask.
 *
 * grpc_c_server_enable_health() adds the service to a server before it
 * starts. From start on, the whole server ("") and every service registered
 * on it report SERVING, unless the application set another status for that
 * name first; the application changes any name's status from any thread
 * with grpc_c_server_set_health(). `Check` answers the current status, or
 * ::GRPC_C_NOT_FOUND for a name nobody set. `Watch` streams send the current
 * status (SERVICE_UNKNOWN for an unknown name, keeping the stream open) and
 * then every change, in order; they hold no thread.
 *
 * Shutting the server down (grpc_c_server_shutdown(), a signal handled by
 * grpc_c_server_handle_signals()) first sets every name to NOT_SERVING, so
 * that open `Watch` streams see it, then ends those streams with
 * ::GRPC_C_UNAVAILABLE, and only then drains the other calls.
 */
#ifndef GRPC_C_HEALTH_H
#define GRPC_C_HEALTH_H

#include <grpc-c/server.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A serving status, with the numbers of
 *  `grpc.health.v1.HealthCheckResponse.ServingStatus`. */
typedef enum grpc_c_health_status {
  GRPC_C_HEALTH_UNKNOWN = 0,
  GRPC_C_HEALTH_SERVING = 1,
  GRPC_C_HEALTH_NOT_SERVING = 2,
  /** Only `Watch` sends it: nobody set a status for the name. */
  GRPC_C_HEALTH_SERVICE_UNKNOWN = 3
} grpc_c_health_status;

/**
 * Serves `grpc.health.v1.Health` (`Check` and `Watch`) on `server`.
 * Threads: one thread at a time with the other set-up calls, before start.
 * @return 0 (also when enabled already), ::GRPC_C_EINVAL, ::GRPC_C_ESTATE
 *         (started already), ::GRPC_C_EEXIST (the application registered a
 *         service named grpc.health.v1.Health itself), ::GRPC_C_ENOMEM.
 */
int grpc_c_server_enable_health(grpc_c_server *server);

/**
 * Sets the status of `service` ("" for the whole server) and sends it to
 * the name's open `Watch` streams. Works before start too (the status is
 * then kept: start does not turn it into SERVING). Once the server drains,
 * every name is NOT_SERVING for good and the call returns ::GRPC_C_ESTATE.
 * Threads: any thread, handlers included.
 * @param service a service name, copied; any string.
 * @param status  SERVING, NOT_SERVING or UNKNOWN.
 * @return 0, ::GRPC_C_EINVAL (NULL argument, or SERVICE_UNKNOWN or another
 *         value outside the three), ::GRPC_C_ESTATE (health not enabled, or
 *         the server is draining or stopped), ::GRPC_C_ENOMEM.
 */
int grpc_c_server_set_health(grpc_c_server *server, const char *service,
                             grpc_c_health_status status);

/**
 * Forgets `service`: `Check` answers ::GRPC_C_NOT_FOUND for it again and its
 * `Watch` streams receive SERVICE_UNKNOWN.
 * Threads: any thread, handlers included.
 * @return 0 (also when the name was unknown), ::GRPC_C_EINVAL,
 *         ::GRPC_C_ESTATE (health not enabled, or draining or stopped).
 */
int grpc_c_server_clear_health(grpc_c_server *server, const char *service);

/**
 * The status `Check` would answer for `service` now.
 * Threads: any thread.
 * @return the status; ::GRPC_C_HEALTH_SERVICE_UNKNOWN for a name nobody set,
 *         when health is not enabled, or for a NULL argument.
 */
grpc_c_health_status grpc_c_server_health(grpc_c_server *server,
                                          const char *service);

#ifdef __cplusplus
}
#endif

#endif /* GRPC_C_HEALTH_H */
