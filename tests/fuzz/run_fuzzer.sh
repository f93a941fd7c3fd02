#!/usr/bin/env bash
# run_fuzzer.sh <fuzzer> <seed dir> <work dir> [libFuzzer options...]
#
# Runs a libFuzzer target for FUZZ_SECONDS (default 60) from the committed
# seeds plus what earlier runs kept in <work dir>/corpus, where new inputs
# go; a crash, leak, timeout or OOM input is written to <work dir>/artifacts
# (never into the source tree) and the exit status is non-zero. Extra
# options go to libFuzzer, e.g. -jobs=2 or -only_ascii=1.
set -euo pipefail
if (($# < 3)); then
  echo "usage: $0 <fuzzer> <seed dir> <work dir> [libFuzzer options...]" >&2
  exit 2
fi
fuzzer=$1 seeds=$2 work=$3
shift 3
seconds=${FUZZ_SECONDS:-60}
mkdir -p "$work/corpus" "$work/artifacts"
export ASAN_OPTIONS="detect_leaks=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
# -timeout: one input may take 10 s; -rss_limit_mb: 2 GiB. libFuzzer stops
# itself after -max_total_time; `timeout` is the last resort.
exec timeout --kill-after=30 "$((seconds + 120))" \
  "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 -artifact_prefix="$work/artifacts/" "$@" \
  "$work/corpus" "$seeds"
