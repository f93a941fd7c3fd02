#!/bin/sh
# Fails when a public function declared in a header under the given
# directories has no "Threads:" line in its doc comment (/** ... */ right
# before it), so every function says which thread may call it and which
# thread runs its callbacks. A declaration is a line at column 0 that names
# a function, `name(`, and is not a typedef or preprocessor line.
# Usage: threads_lines.sh DIR...
set -eu
[ "$#" -gt 0 ] || { echo "usage: $0 DIR..." >&2; exit 2; }
files=$(find "$@" -name '*.h' | LC_ALL=C sort)
[ -n "$files" ] || { echo "no headers under $*" >&2; exit 1; }
# shellcheck disable=SC2086 # one header path per word
awk '
  FNR == 1 { doc = ""; in_comment = 0 }
  in_comment {
    if (is_doc) doc = doc "\n" $0
    if ($0 ~ /\*\//) in_comment = 0
    next
  }
  /^[ \t]*\/\*/ {
    # A doc comment is kept for the next declaration; a plain comment in
    # between detaches it.
    is_doc = ($0 ~ /^[ \t]*\/\*\*/)
    doc = is_doc ? $0 : ""
    in_comment = ($0 !~ /\*\//)
    next
  }
  /^[ \t]*$/ { next }
  /^[A-Za-z_]/ && !/^(typedef|extern|#)/ &&
      match($0, /[A-Za-z_][A-Za-z0-9_]*\(/) {
    declared++
    if (doc !~ /Threads:/) {
      printf "%s:%d: %s) has no Threads: line\n", FILENAME, FNR,
             substr($0, RSTART, RLENGTH)
      missing++
    }
  }
  { doc = "" }
  END {
    if (declared == 0) { print "no function declarations found"; exit 1 }
    printf "%d function declarations, %d without a Threads: line\n",
           declared, missing
    exit missing > 0
  }
' $files
