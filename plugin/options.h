// The plugin's parameter string: `--grpc-c_out=<options>:<dir>` or
// `--grpc-c_opt=<options>`, a comma-separated list.
#ifndef GRPC_C_PLUGIN_OPTIONS_H
#define GRPC_C_PLUGIN_OPTIONS_H

#include <string>

namespace grpc_c::plugin {

struct Options {
  // Also write <base>.grpc-c.skel.c, a handler skeleton with a main().
  bool skeleton = false;
};

// Parses `parameter` into `*options`. Strict, like gRPC's own generators:
// an unknown option, a value given to a flag (`skeleton=1`) or an empty
// item (`skeleton,`) is an error, so a typo never silently changes the
// output. Repeating a flag is allowed. Returns false and sets `*error` to a
// message that names the offending option.
bool ParseOptions(const std::string& parameter, Options* options,
                  std::string* error);

}  // namespace grpc_c::plugin

#endif  // GRPC_C_PLUGIN_OPTIONS_H
