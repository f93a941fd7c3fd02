/* Reading /proc/PID/status for the memory probes. */
#ifndef BENCH_PROC_STATUS_H
#define BENCH_PROC_STATUS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A field of /proc/PID/status in kB (or a count), -1 if unreadable.
 * `pid` is a number or "self". */
static inline long proc_status(const char *pid, const char *field) {
  char path[64], line[256];
  snprintf(path, sizeof path, "/proc/%s/status", pid);
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  long v = -1;
  size_t len = strlen(field);
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, field, len) == 0 && line[len] == ':') {
      v = strtol(line + len + 1, NULL, 10);
      break;
    }
  }
  fclose(f);
  return v;
}

#endif
