/* Command-line flags of the interop programs, in the form the gRPC interop
 * descriptions use: --name=value. */
#ifndef INTEROP_FLAGS_H
#define INTEROP_FLAGS_H

#include <stdbool.h>
#include <stddef.h>

typedef enum interop_flag_kind {
  INTEROP_FLAG_STRING,
  INTEROP_FLAG_INT,
  INTEROP_FLAG_BOOL
} interop_flag_kind;

typedef struct interop_flag {
  const char *name; /* without the leading "--" */
  interop_flag_kind kind;
  void *value; /* const char **, int * or bool * */
  const char *help;
} interop_flag;

/* Parses argv against `flags`; prints a message and returns false for an
 * unknown flag, a value of the wrong kind, or --help (usage printed). */
bool interop_flags_parse(int argc, char **argv, const interop_flag *flags,
                         int flag_count, const char *program);

/* Writes the target "host:port" into `out`. An IPv6 literal goes in brackets
 * ("::1" becomes "[::1]:PORT"), as gRPC targets need; a host already in
 * brackets, a name or an IPv4 address is used as given. Returns false when
 * the result does not fit in `size` bytes. */
bool interop_host_port(char *out, size_t size, const char *host, int port);

#endif
