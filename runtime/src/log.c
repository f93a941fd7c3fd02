/* The settable log sink; silent by default. */
#include <stdarg.h>
#include <stdio.h>

#include "internal.h"

/* Written once by the application before use, read by every thread. */
static _Atomic(grpc_c_log_fn) log_fn;
static _Atomic int log_min_level = GRPC_C_LOG_WARNING;
static void *_Atomic log_user_data;

void grpc_c_set_log(grpc_c_log_fn fn, grpc_c_log_level min_level,
                    void *user_data) {
  atomic_store(&log_user_data, user_data);
  atomic_store(&log_min_level, (int)min_level);
  atomic_store(&log_fn, fn);
}

void grpc_c_log_to_stderr(grpc_c_log_level level, const char *message,
                          void *user_data) {
  static const char *const names[] = {"DEBUG", "INFO", "WARNING", "ERROR"};
  (void)user_data;
  const char *name = (unsigned)level < 4 ? names[level] : "?";
  fprintf(stderr, "grpc-c %s: %s\n", name, message);
}

void gc_log(grpc_c_log_level level, const char *fmt, ...) {
  grpc_c_log_fn fn = atomic_load(&log_fn);
  if (!fn || (int)level < atomic_load(&log_min_level)) return;
  char line[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  fn(level, line, atomic_load(&log_user_data));
}
