/**
 * @file grpc-c/process.h
 * @brief What the runtime changes for the whole process, and how to opt out.
 *
 * When the first channel, server or call credentials is created, the runtime
 * sets up the gRPC core for the process. Besides grpc_init(), it does two
 * things by default that reach beyond grpc-c:
 *  - ::GRPC_C_EFFECT_CORE_LOG: it replaces the core's log function
 *    (gpr_set_log_function()), so the core's lines go to the grpc-c sink
 *    (grpc_c_set_log(), silent by default) instead of stderr or a log
 *    function the host set.
 *  - ::GRPC_C_EFFECT_QUIET_DEADLOCK_DETECTOR: it turns off abseil's mutex
 *    deadlock detector, which a build of abseil without NDEBUG (Debian's)
 *    runs on every lock of every absl::Mutex in the process, the core's and
 *    the host's (about 8% of a busy server's CPU). The environment variable
 *    GRPC_C_CORE_DEADLOCK_CHECKS=1 keeps the detector on whatever is chosen
 *    here.
 *
 * A host that uses gRPC or abseil itself (a C++ program with grpc++, for
 * example) and wants neither changed calls grpc_c_set_process_effects()
 * first. Neither effect is undone when the last runtime object goes.
 */
#ifndef GRPC_C_PROCESS_H
#define GRPC_C_PROCESS_H

#ifdef __cplusplus
extern "C" {
#endif

/** Process-wide effects of the runtime, for grpc_c_set_process_effects(). */
enum grpc_c_process_effect {
  /** Route the gRPC core's log lines to the grpc-c log sink. */
  GRPC_C_EFFECT_CORE_LOG = 1u << 0,
  /** Turn off abseil's mutex deadlock detector. */
  GRPC_C_EFFECT_QUIET_DEADLOCK_DETECTOR = 1u << 1
};

/** The effects the runtime has unless told otherwise: all of them. */
#define GRPC_C_EFFECTS_DEFAULT \
  (GRPC_C_EFFECT_CORE_LOG | GRPC_C_EFFECT_QUIET_DEADLOCK_DETECTOR)

/**
 * Chooses the process-wide effects the runtime has when it sets up the gRPC
 * core: a bitwise OR of ::grpc_c_process_effect values,
 * ::GRPC_C_EFFECTS_DEFAULT (the default) or 0 for none. The last call before
 * the first channel, server or call credentials is created wins.
 * Threads: any thread, before the first channel, server or call credentials.
 * @return 0, ::GRPC_C_EINVAL (unknown bits), ::GRPC_C_ESTATE (the runtime
 *         has set up the core already; nothing changes).
 */
int grpc_c_set_process_effects(unsigned effects);

#ifdef __cplusplus
}
#endif

#endif /* GRPC_C_PROCESS_H */
