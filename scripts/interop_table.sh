#!/usr/bin/env bash
# Regenerates the case x pairing table in docs/interop.md: builds
# interop_server, interop_client and the Python stubs into BUILD_DIR (default:
# build), runs every standard interop case for every pairing of grpc-c and
# python3-grpcio, plaintext and TLS, and rewrites the table. Exits non-zero
# when a result differs from what the page documents.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
JOBS="${JOBS:-2}"
if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
  cmake -S "$ROOT" -B "$BUILD_DIR" >/dev/null
fi
cmake --build "$BUILD_DIR" -j "$JOBS" \
  --target interop_server interop_client interop_testing_py_stubs
exec /usr/bin/python3 "$ROOT/tests/interop/run_matrix.py" \
  --bin "$BUILD_DIR/interop" --stubs "$BUILD_DIR/tests/interop/testing_stubs" \
  --markdown "$ROOT/docs/interop.md"
