#!/usr/bin/env bash
# One command on a fresh Debian 12 machine: installs what is missing, builds,
# and runs every test twice: a normal build, then an ASan+UBSan build, then
# runs each libFuzzer target (tests/fuzz, clang) for FUZZ_SECONDS (default
# 60). Set SANITIZE=0 to skip the sanitizer pass, FUZZ=0 to skip fuzzing.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/deps.sh"

run_suite() {
  local dir=$1; shift
  BUILD_DIR="$dir" "$ROOT/scripts/build.sh" "$@"
  (cd "$dir" && ctest --output-on-failure --timeout 300 -j "${JOBS:-$(nproc)}")
}

echo "== build and test: $ROOT/build"
run_suite "$ROOT/build"

if [[ "${SANITIZE:-1}" != 0 ]]; then
  echo "== build and test under ASan+UBSan: $ROOT/build-asan"
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:${ASAN_OPTIONS:-}"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
  BUILD_TYPE=Debug run_suite "$ROOT/build-asan" -DGRPC_C_SANITIZE=ON
fi
if [[ "${FUZZ:-1}" != 0 ]]; then
  echo "== fuzz for ${FUZZ_SECONDS:-60} s per target: $ROOT/build-fuzz"
  BUILD_DIR="$ROOT/build-fuzz" "$ROOT/scripts/fuzz.sh"
fi
echo "== all tests passed"
