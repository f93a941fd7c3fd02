#!/usr/bin/env bash
# Builds ping_server and ping_client from a grpc-c source tree and stages
# them, with the grpc-c shared libraries they link, under a prefix:
#
#   examples/ping/deploy/build.sh SOURCE_DIR BUILD_DIR PREFIX
#
#   PREFIX/bin/ping_server, PREFIX/bin/ping_client
#   PREFIX/lib/libgrpc-c.so.0 (each grpc-c library under its soname)
#
# The container image's build stage (examples/ping/Dockerfile) runs this
# script, and so does the ctest deploy_build, so what the image ships is what
# the tests run. Only what ping needs is configured (no tests, benchmarks or
# interop programs) and only its two programs are built. The binaries carry
# no run path into BUILD_DIR: at run time PREFIX/lib must be on
# LD_LIBRARY_PATH, as the image's ENV sets it. The system libraries come from
# Debian packages (the image's final stage installs them).
#
# JOBS (default: the number of CPUs) sets the build's parallelism;
# BUILD_TYPE (default: Release) the CMake build type.
set -euo pipefail

if (($# != 3)); then
  echo "usage: $0 SOURCE_DIR BUILD_DIR PREFIX" >&2
  exit 2
fi
source_dir=$(cd "$1" && pwd)
mkdir -p "$2" "$3"
build_dir=$(cd "$2" && pwd)
prefix=$(cd "$3" && pwd)
jobs=${JOBS:-$(nproc)}

cmake -S "$source_dir" -B "$build_dir" \
  -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" \
  -DGRPC_C_BUILD_TESTS=OFF -DGRPC_C_BUILD_BENCH=OFF \
  -DGRPC_C_BUILD_INTEROP=OFF -DGRPC_C_BUILD_EXAMPLES=ON \
  -DCMAKE_SKIP_BUILD_RPATH=ON >/dev/null
cmake --build "$build_dir" --target ping_server ping_client -j "$jobs"

mkdir -p "$prefix/bin" "$prefix/lib"
programs=("$build_dir/examples/ping/ping_server" "$build_dir/examples/ping/ping_client")
install -m 0755 "${programs[@]}" "$prefix/bin/"

# The grpc-c libraries: whatever the programs load from the build tree, found
# by ldd with the tree's library directories on the path, and copied under
# the name the loader asks for (the soname).
lib_dirs=$(find "$build_dir" -name '*.so.*' -type f -printf '%h\n' | sort -u | paste -sd:)
LD_LIBRARY_PATH=$lib_dirs ldd "${programs[@]}" |
  awk -v tree="$build_dir/" '$2 == "=>" && index($3, tree) == 1 { print $1, $3 }' |
  sort -u |
  while read -r soname path; do
    install -m 0644 "$path" "$prefix/lib/$soname"
  done

# Everything staged must load from PREFIX/lib and the system alone.
if LD_LIBRARY_PATH=$prefix/lib ldd "$prefix"/bin/* "$prefix"/lib/* | grep -F 'not found'; then
  echo "$0: a staged file needs a library that is neither staged nor installed" >&2
  exit 1
fi
echo "staged in $prefix:"
(cd "$prefix" && find . -type f | sort)
