#include "options.h"

#include <string_view>

namespace grpc_c::plugin {

bool ParseOptions(const std::string& parameter, Options* options,
                  std::string* error) {
  *options = Options();
  if (parameter.empty()) return true;

  std::string_view rest = parameter;
  while (true) {
    size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    std::string quoted = "'" + std::string(item) + "'";
    size_t equals = item.find('=');
    std::string_view key = item.substr(0, equals);

    if (item.empty()) {
      *error = "empty option in '" + parameter +
               "' (options are separated by single commas)";
      return false;
    }
    if (key == "skeleton") {
      if (equals != std::string_view::npos) {
        *error = "option 'skeleton' takes no value, got " + quoted;
        return false;
      }
      options->skeleton = true;
    } else if (key == "reflection") {
      std::string_view value = equals == std::string_view::npos
                                   ? std::string_view()
                                   : item.substr(equals + 1);
      if (equals == std::string_view::npos ||
          (value != "on" && value != "off")) {
        *error = "option 'reflection' takes 'on' or 'off', got " + quoted;
        return false;
      }
      options->reflection = value == "on";
    } else {
      *error = "unknown option " + quoted +
               " (known options: skeleton, reflection=on|off)";
      return false;
    }

    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  return true;
}

}  // namespace grpc_c::plugin
