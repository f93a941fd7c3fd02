#include "interop_flags.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(const char *program, const interop_flag *flags,
                  int flag_count) {
  fprintf(stderr, "usage: %s [--flag=value ...]\n", program);
  for (int i = 0; i < flag_count; i++)
    fprintf(stderr, "  --%s  %s\n", flags[i].name, flags[i].help);
}

static bool set_value(const interop_flag *flag, const char *text) {
  switch (flag->kind) {
    case INTEROP_FLAG_STRING:
      *(const char **)flag->value = text;
      return true;
    case INTEROP_FLAG_INT: {
      char *end;
      errno = 0;
      long v = strtol(text, &end, 10);
      if (errno || end == text || *end || v < -2147483647L || v > 2147483647L)
        return false;
      *(int *)flag->value = (int)v;
      return true;
    }
    case INTEROP_FLAG_BOOL:
      if (strcmp(text, "true") == 0 || strcmp(text, "1") == 0)
        *(bool *)flag->value = true;
      else if (strcmp(text, "false") == 0 || strcmp(text, "0") == 0)
        *(bool *)flag->value = false;
      else
        return false;
      return true;
  }
  return false;
}

bool interop_flags_parse(int argc, char **argv, const interop_flag *flags,
                         int flag_count, const char *program) {
  for (int a = 1; a < argc; a++) {
    const char *arg = argv[a];
    if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
      usage(program, flags, flag_count);
      return false;
    }
    if (strncmp(arg, "--", 2) != 0) {
      fprintf(stderr, "%s: unexpected argument '%s'\n", program, arg);
      return false;
    }
    const char *name = arg + 2;
    const char *eq = strchr(name, '=');
    size_t name_len = eq ? (size_t)(eq - name) : strlen(name);
    const interop_flag *flag = NULL;
    for (int i = 0; i < flag_count && !flag; i++)
      if (strlen(flags[i].name) == name_len &&
          strncmp(flags[i].name, name, name_len) == 0)
        flag = &flags[i];
    if (!flag) {
      fprintf(stderr, "%s: unknown flag '%s'\n", program, arg);
      usage(program, flags, flag_count);
      return false;
    }
    /* A bare boolean flag means true. */
    const char *text =
        eq ? eq + 1 : (flag->kind == INTEROP_FLAG_BOOL ? "true" : NULL);
    if (!text || !set_value(flag, text)) {
      fprintf(stderr, "%s: bad value in '%s'\n", program, arg);
      return false;
    }
  }
  return true;
}

bool interop_host_port(char *out, size_t size, const char *host, int port) {
  /* Only an IPv6 literal holds a ':'. */
  bool bracket = host[0] != '[' && strchr(host, ':') != NULL;
  int n = snprintf(out, size, bracket ? "[%s]:%d" : "%s:%d", host, port);
  return n >= 0 && (size_t)n < size;
}
