/* Core channel and server arguments kept by options objects. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static gc_arg *args_find(const gc_args *args, const char *key) {
  for (size_t i = 0; args && i < args->count; i++)
    if (strcmp(args->items[i].key, key) == 0) return &args->items[i];
  return NULL;
}

int gc_args_set(gc_args *args, const char *key, const char *string_value,
                int int_value) {
  if (!args || !key || !*key) return GRPC_C_EINVAL;
  char *value_copy = NULL;
  if (string_value && !(value_copy = strdup(string_value)))
    return GRPC_C_ENOMEM;
  gc_arg *existing = args_find(args, key);
  if (existing) {
    free(existing->string_value);
    existing->string_value = value_copy;
    existing->int_value = int_value;
    return 0;
  }
  char *key_copy = strdup(key);
  gc_arg *items =
      key_copy ? realloc(args->items, (args->count + 1) * sizeof *items) : NULL;
  if (!items) {
    free(key_copy);
    free(value_copy);
    return GRPC_C_ENOMEM;
  }
  args->items = items;
  args->items[args->count++] = (gc_arg){
      .key = key_copy, .string_value = value_copy, .int_value = int_value};
  return 0;
}

int gc_args_get_int(const gc_args *args, const char *key, int fallback) {
  const gc_arg *arg = args_find(args, key);
  return arg && !arg->string_value ? arg->int_value : fallback;
}

static bool core_args_have(const grpc_arg *list, size_t count,
                           const char *key) {
  for (size_t i = 0; i < count; i++)
    if (strcmp(list[i].key, key) == 0) return true;
  return false;
}

int gc_args_to_core(const gc_args *args, const grpc_arg *defaults,
                    size_t default_count, const grpc_arg *forced,
                    size_t forced_count, grpc_channel_args *out) {
  size_t count = (args ? args->count : 0) + default_count + forced_count;
  out->num_args = 0;
  out->args = NULL;
  if (count == 0) return 0;
  out->args = calloc(count, sizeof *out->args);
  if (!out->args) return GRPC_C_ENOMEM;
  for (size_t i = 0; args && i < args->count; i++) {
    if (core_args_have(forced, forced_count, args->items[i].key)) continue;
    grpc_arg *arg = &out->args[out->num_args++];
    arg->key = args->items[i].key;
    if (args->items[i].string_value) {
      arg->type = GRPC_ARG_STRING;
      arg->value.string = args->items[i].string_value;
    } else {
      arg->type = GRPC_ARG_INTEGER;
      arg->value.integer = args->items[i].int_value;
    }
  }
  for (size_t i = 0; i < default_count; i++)
    if (!args_find(args, defaults[i].key) &&
        !core_args_have(forced, forced_count, defaults[i].key))
      out->args[out->num_args++] = defaults[i];
  for (size_t i = 0; i < forced_count; i++)
    out->args[out->num_args++] = forced[i];
  return 0;
}

void gc_args_free(gc_args *args) {
  if (!args) return;
  for (size_t i = 0; i < args->count; i++) {
    free(args->items[i].key);
    free(args->items[i].string_value);
  }
  free(args->items);
  args->items = NULL;
  args->count = 0;
}
