// The plugin's parameter string: `--grpc-c_out=<options>:<dir>` or
// `--grpc-c_opt=<options>`, a comma-separated list.
#ifndef GRPC_C_PLUGIN_OPTIONS_H
#define GRPC_C_PLUGIN_OPTIONS_H

#include <string>

namespace grpc_c::plugin {

struct Options {
  // Also write <base>.grpc-c.skel.c, a handler skeleton with a main().
  bool skeleton = false;
  // Embed each file's serialized descriptor, symbols and extensions in its
  // grpc_c_file__<escaped path> structure, for server reflection
  // (`reflection=on`, the default). `reflection=off` still emits the
  // structure, with its imports only.
  bool reflection = true;
};

// Parses `parameter` into `*options`. Strict, like gRPC's own generators:
// an unknown option, a value given to a flag (`skeleton=1`), a switch
// without `=on` or `=off` (`reflection`, `reflection=no`) or an empty item
// (`skeleton,`) is an error, so a typo never silently changes the output.
// Repeating an option is allowed; the last value of a switch wins. Returns
// false and sets `*error` to a message that names the offending option.
bool ParseOptions(const std::string& parameter, Options* options,
                  std::string* error);

}  // namespace grpc_c::plugin

#endif  // GRPC_C_PLUGIN_OPTIONS_H
