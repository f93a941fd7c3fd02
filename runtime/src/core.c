/* Process-wide set-up of the gRPC core: init reference counting, the core's
 * log, and abseil's mutex deadlock detector (each of the last two an effect
 * the application may opt out of, grpc-c/process.h). */
#include <dlfcn.h>
#include <grpc/grpc.h>
#include <grpc/support/log.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The core logs errors to stderr on its own; route its lines through our
 * sink so an application hears nothing unless it asked to. */
static void forward_core_log(gpr_log_func_args *args) {
  grpc_c_log_level level = GRPC_C_LOG_INFO;
  if (args->severity == GPR_LOG_SEVERITY_DEBUG) level = GRPC_C_LOG_DEBUG;
  if (args->severity == GPR_LOG_SEVERITY_ERROR) level = GRPC_C_LOG_ERROR;
  gc_log(level, "core: %s (%s:%d)", args->message, args->file, args->line);
}

/* abseil built without NDEBUG (Debian's build is) runs a deadlock detector
 * on every absl::Mutex lock of the core: a global graph of lock orders
 * behind a global lock, about 8% of a busy server's CPU. A release build
 * of abseil has it off; so do we, through the C++ entry point
 * absl::SetMutexDeadlockDetectionMode(OnDeadlockCycle::kIgnore), looked up
 * under the inline namespaces abseil releases use. Where none is found the
 * detector stays as abseil was built. GRPC_C_CORE_DEADLOCK_CHECKS=1 keeps
 * it on. */
typedef void (*gc_set_deadlock_mode_fn)(int mode);

static gc_set_deadlock_mode_fn find_deadlock_mode_setter(void) {
  static const char *const namespaces[] = {"",
                                           "debian1",
                                           "debian2",
                                           "debian3",
                                           "debian4",
                                           "debian5",
                                           "debian6",
                                           "debian7",
                                           "debian8",
                                           "debian9",
                                           "lts_20210324",
                                           "lts_20211102",
                                           "lts_20220623",
                                           "lts_20230125",
                                           "lts_20230802",
                                           "lts_20240116",
                                           "lts_20240722",
                                           "lts_20250127",
                                           "lts_20250512",
                                           "lts_20250814"};
  for (size_t i = 0; i < sizeof namespaces / sizeof *namespaces; i++) {
    const char *ns = namespaces[i];
    char name[128];
    if (*ns)
      snprintf(name, sizeof name,
               "_ZN4absl%zu%s29SetMutexDeadlockDetectionModeENS0_"
               "15OnDeadlockCycleE",
               strlen(ns), ns);
    else
      snprintf(name, sizeof name,
               "_ZN4absl29SetMutexDeadlockDetectionModeENS_15OnDeadlockCycleE");
    void *symbol = dlsym(RTLD_DEFAULT, name);
    if (symbol) {
      gc_set_deadlock_mode_fn fn;
      memcpy(&fn, &symbol, sizeof fn);
      return fn;
    }
  }
  return NULL;
}

static void quiet_deadlock_detector(void) {
  const char *keep = getenv("GRPC_C_CORE_DEADLOCK_CHECKS");
  if (keep && strcmp(keep, "1") == 0) return;
  gc_set_deadlock_mode_fn set_mode = find_deadlock_mode_setter();
  if (set_mode) set_mode(0 /* OnDeadlockCycle::kIgnore */);
  gc_log(GRPC_C_LOG_DEBUG, "abseil deadlock detection %s",
         set_mode ? "turned off" : "not found; left as built");
}

/* The effects chosen with grpc_c_set_process_effects(), and whether the
 * set-up that applies them has begun (after which they are fixed). */
static pthread_mutex_t effects_mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned chosen_effects = GRPC_C_EFFECTS_DEFAULT;
static bool set_up;

int grpc_c_set_process_effects(unsigned effects) {
  if (effects & ~(unsigned)GRPC_C_EFFECTS_DEFAULT) return GRPC_C_EINVAL;
  pthread_mutex_lock(&effects_mu);
  int rc = set_up ? GRPC_C_ESTATE : 0;
  if (!set_up) chosen_effects = effects;
  pthread_mutex_unlock(&effects_mu);
  return rc;
}

static void setup_once(void) {
  pthread_mutex_lock(&effects_mu);
  set_up = true;
  unsigned effects = chosen_effects;
  pthread_mutex_unlock(&effects_mu);
  if (effects & GRPC_C_EFFECT_CORE_LOG) gpr_set_log_function(forward_core_log);
  if (effects & GRPC_C_EFFECT_QUIET_DEADLOCK_DETECTOR)
    quiet_deadlock_detector();
  else
    gc_log(GRPC_C_LOG_DEBUG, "abseil deadlock detection left as built");
}

void gc_core_ref(void) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, setup_once);
  grpc_init();
}

void gc_core_unref(void) { grpc_shutdown(); }
