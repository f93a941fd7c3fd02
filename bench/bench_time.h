/* Clock and latency helpers shared by the bench clients. */
#ifndef BENCH_TIME_H
#define BENCH_TIME_H

#include <stddef.h>
#include <stdlib.h>
#include <time.h>

/* Seconds on the monotonic clock. */
static inline double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline int bench_cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Sorts the `n` latencies and returns their mean (0 when n is 0). */
static inline double sort_latencies(double *lat, size_t n) {
  if (n == 0) return 0;
  double sum = 0;
  for (size_t i = 0; i < n; i++) sum += lat[i];
  qsort(lat, n, sizeof *lat, bench_cmp_double);
  return sum / (double)n;
}

/* The `p` quantile (0..1) of `n` sorted latencies (0 when n is 0). */
static inline double quantile(const double *lat, size_t n, double p) {
  if (n == 0) return 0;
  size_t i = (size_t)(p * (double)n);
  return lat[i < n ? i : n - 1];
}

#endif
