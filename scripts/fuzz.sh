#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang, ASan and UBSan into
# BUILD_DIR (default: build-fuzz) and runs each for FUZZ_SECONDS (default
# 60), one after the other. A failing target leaves its input under
# BUILD_DIR/tests/fuzz/work/<target>/artifacts. Extra arguments go to
# ctest, e.g. -R fuzz_plugin.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build-fuzz}"
JOBS="${JOBS:-$(nproc)}"
export FUZZ_SECONDS="${FUZZ_SECONDS:-60}"
CC="${FUZZ_CC:-clang-14}" CXX="${FUZZ_CXX:-clang++-14}" \
  cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGRPC_C_FUZZ=ON \
  -DGRPC_C_BUILD_TESTS=OFF -DGRPC_C_BUILD_EXAMPLES=OFF -DGRPC_C_BUILD_BENCH=OFF \
  -DGRPC_C_BUILD_INTEROP=OFF >/dev/null
cmake --build "$BUILD_DIR" -j "$JOBS" --target fuzzers
cd "$BUILD_DIR"
ctest -L fuzz --output-on-failure --timeout "$((FUZZ_SECONDS + 300))" "$@"
