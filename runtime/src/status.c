/* Status codes, local error codes, status objects and time. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

const char *grpc_c_code_name(grpc_c_code code) {
  switch (code) {
#define GC_CODE_CASE_(name, value) \
  case GRPC_C_##name:              \
    return #name;
    GRPC_C_CODES(GC_CODE_CASE_)
#undef GC_CODE_CASE_
  }
  return "UNKNOWN_CODE";
}

const char *grpc_c_strerror(int err) {
  if (err == 0) return "success";
  switch (err) {
#define GC_ERR_TEXT_(name, value, text) \
  case value:                           \
    return text;
    GRPC_C_ERRORS(GC_ERR_TEXT_)
#undef GC_ERR_TEXT_
  }
  return "unknown error";
}

const char *grpc_c_err_name(int err) {
  if (err == 0) return "GRPC_C_OK";
  switch (err) {
#define GC_ERR_NAME_(name, value, text) \
  case value:                           \
    return "GRPC_C_" #name;
    GRPC_C_ERRORS(GC_ERR_NAME_)
#undef GC_ERR_NAME_
  }
  return "GRPC_C_EUNKNOWN";
}

const char *grpc_c_version(void) { return GRPC_C_VERSION_STRING; }

void grpc_c_status_clear(grpc_c_status *status) {
  if (!status) return;
  free(status->message);
  free(status->details);
  status->code = GRPC_C_OK;
  status->message = NULL;
  status->details = NULL;
  status->details_len = 0;
}

void gc_status_fill(grpc_c_status *status, grpc_c_code code,
                    const char *message, size_t len) {
  if (!status) return;
  grpc_c_status_clear(status);
  status->code = code;
  if (message && len > 0) {
    status->message = malloc(len + 1);
    if (status->message) {
      memcpy(status->message, message, len);
      status->message[len] = '\0';
    }
  }
}

grpc_c_code gc_misuse(grpc_c_status *status, const char *what) {
  static const char prefix[] = "grpc-c: ";
  size_t what_len = strlen(what);
  char buf[256];
  size_t n = sizeof prefix - 1;
  memcpy(buf, prefix, n);
  if (what_len > sizeof buf - n - 1) what_len = sizeof buf - n - 1;
  memcpy(buf + n, what, what_len);
  gc_status_fill(status, GRPC_C_INVALID_ARGUMENT, buf, n + what_len);
  gc_log(GRPC_C_LOG_WARNING, "%s%s", prefix, what);
  return GRPC_C_INVALID_ARGUMENT;
}

void gc_status_take_details(grpc_c_status *status,
                            const grpc_metadata_array *trailing) {
  if (!status) return;
  const grpc_slice *value = gc_md_find(trailing, "grpc-status-details-bin", 0);
  if (!value) return;
  size_t len = GRPC_SLICE_LENGTH(*value);
  status->details = malloc(len ? len : 1);
  if (!status->details) return;
  memcpy(status->details, GRPC_SLICE_START_PTR(*value), len);
  status->details_len = len;
}

gpr_timespec gc_deadline_after_ms(int64_t timeout_ms) {
  if (timeout_ms < 0) return gpr_inf_future(GPR_CLOCK_MONOTONIC);
  return gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
                      gpr_time_from_millis(timeout_ms, GPR_TIMESPAN));
}

int64_t gc_ms_until(gpr_timespec deadline) {
  if (gpr_time_cmp(deadline, gpr_inf_future(deadline.clock_type)) == 0)
    return INT64_MAX;
  gpr_timespec now = gpr_now(deadline.clock_type);
  if (gpr_time_cmp(deadline, now) <= 0) return 0;
  gpr_timespec left = gpr_time_sub(deadline, now);
  /* Round up: "0 ms left" must mean the deadline has passed. */
  return (int64_t)left.tv_sec * 1000 + (left.tv_nsec + 999999) / 1000000;
}
