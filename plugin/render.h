// Fills the templates of templates/ from a FileModel. All choices (which
// variant of a construct, in which order) are made here; the templates only
// hold text with $variable$ holes.
#ifndef GRPC_C_PLUGIN_RENDER_H
#define GRPC_C_PLUGIN_RENDER_H

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "model.h"

namespace grpc_c::plugin {

using TemplateVars = std::map<std::string, std::string>;

// Appends `text` with every $name$ replaced by vars[name] to `*out`
// (through libprotoc's io::Printer). Strict: a hole with no variable or an
// unpaired '$' is an error naming `template_name`, because it is a bug in
// the plugin that must not produce half-filled code. Returns false and sets
// `*error` then.
bool FillTemplate(std::string_view template_name, std::string_view text,
                  const TemplateVars& vars, std::string* out,
                  std::string* error);

// Makes one line of text safe inside a C block comment: "*/" and "/*" are
// split, "??" is split (a trigraph such as "??/" would otherwise turn into a
// backslash and draw -Wtrigraphs in C99/C11), and a trailing backslash gets
// a '.' after it so it never splices lines.
std::string CommentSafe(std::string_view line);

// Turns a proto leading comment into doc comment lines for a /** block:
// "" for an empty comment, else `prefix` + "\n" (a separating line) and one
// line per comment line, each `prefix` + " " + the comment-safe text.
// `prefix` is " *" at file level, "   *" inside a struct.
std::string DocCommentLines(std::string_view comment, std::string_view prefix);

// Escapes `text` for use between the quotes of a C string literal.
std::string CStringContents(std::string_view text);

struct OutputFile {
  std::string name;  // relative to the output directory
  std::string content;
};

// Renders the header, the source and (when the model has a skeleton file
// name) the skeleton of `model`. Returns false and sets `*error` on a
// template bug.
bool RenderFile(const FileModel& model, std::vector<OutputFile>* files,
                std::string* error);

}  // namespace grpc_c::plugin

#endif  // GRPC_C_PLUGIN_RENDER_H
