#!/usr/bin/env bash
# bench/run.sh: the benchmark in one command. Writes docs/performance.md.
#
#   bench/run.sh                 # about 9 min with REPS=3
#   REPS=1 AB_ROUNDS=3 bench/run.sh   # about 4 min, noisier
#   KEEPWARM=1 bench/run.sh      # keep the vCPUs out of idle (latency rows)
#
# 1. builds bench_server and our clients (RelWithDebInfo) into build-bench/;
# 2. runs ../shared/bench/setup.sh (peer servers and load tools, idempotent);
# 3. runs ../shared/bench/peers.sh with our bench_server as peer "grpc-c"
#    beside PEERS (default: c-core grpc-c go cpp-callback);
# 4. measures the rows the targets name again, servers interleaved round by
#    round; runs our blocking clients and the grpc++ clients, interleaved,
#    against the same c-core floor server (pinned like peers.sh);
# 5. measures server RSS per idle bidi stream and per idle connection
#    (c-core floor and grpc-c);
# 6. writes the report: docs/performance.md (OUT=path to write elsewhere).
#
# env (besides everything peers.sh understands: REPS DURATION WARMUP MATRIX
# CXX_SECS SECS MODES WINDOW KEEPWARM SERVER_CPU LOAD_CPU):
#   PEERS         peers.sh peers                 (c-core grpc-c go cpp-callback)
#   PORT          port for peers.sh              (first free of 50151..50199)
#   CLIENT_SECS   measured s per unary client run (CXX_SECS or 3)
#   STREAM_SECS   measured s per stream client run (SECS or 2)
#   AB_ROUNDS     interleaved rounds of the target rows (5; 0 skips)
#   AB_DURATION   h2load seconds per 4x32 run in those rounds (3)
#   IDLE_STREAMS  stream counts for the idle-memory runs ("64 1000 10000"; "" skips)
#   IDLE_CONNECTIONS connection counts for the idle-memory runs ("500"; "" skips)
#   QUIET_WAIT    max s to wait for an idle machine before starting (600)
#   BUILD_DIR     build directory                (build-bench)
#   SHARED_BENCH  the peer scripts               (../shared/bench)
# Scratch and raw logs go to /tmp/perf/results/grpc-c-<stamp>/.
# Only 127.0.0.1 is used; every wait and every run is bounded.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="${SHARED_BENCH:-$ROOT/../shared/bench}"
for f in setup.sh peers.sh lib.sh; do
  if [[ ! -f $SHARED/$f ]]; then
    echo "bench/run.sh: $SHARED/$f not found." >&2
    echo "The benchmark needs the shared peer scripts (../shared/bench beside the" >&2
    echo "project checkout, or SHARED_BENCH=/path/to/bench). Nothing was run." >&2
    exit 2
  fi
done
COMMAND="$(printf '%q ' "$0" "$@")"
ENVNOTE=""
for v in REPS PEERS PORT KEEPWARM DURATION WARMUP MATRIX CXX_SECS SECS MODES WINDOW \
  SERVER_CPU LOAD_CPU CLIENT_SECS STREAM_SECS IDLE_STREAMS IDLE_CONNECTIONS AB_ROUNDS AB_DURATION; do
  [[ -n ${!v+x} ]] && ENVNOTE+="$v=$(printf '%q' "${!v}") "
done
SHARED="$(cd "$SHARED" && pwd)"
# shellcheck source=/dev/null
source "$SHARED/lib.sh" # P BIN SERVER_CPU LOAD_CPU, port_busy wait_port port_pid median ...

export REPS=${REPS:-3}
PEERS=${PEERS:-c-core grpc-c go cpp-callback}
KEEPWARM=${KEEPWARM:-0}
CLIENT_SECS=${CLIENT_SECS:-${CXX_SECS:-3}}
STREAM_SECS=${STREAM_SECS:-${SECS:-2}}
WINDOW=${WINDOW:-1024}
IDLE_STREAMS=${IDLE_STREAMS-64 1000 10000}
IDLE_CONNECTIONS=${IDLE_CONNECTIONS-500}
AB_ROUNDS=${AB_ROUNDS:-5}
AB_DURATION=${AB_DURATION:-3}
QUIET_WAIT=${QUIET_WAIT:-600}
BUILD=${BUILD_DIR:-$ROOT/build-bench}
OUT=${OUT:-$ROOT/docs/performance.md}
STAMP=$(date +%Y%m%d-%H%M%S)
LOGDIR=$P/results/grpc-c-$STAMP
mkdir -p "$LOGDIR"
T0=$(date +%s)
say() { echo "== $*" >&2; }

# ---- 1. build ----
say "build ($BUILD, RelWithDebInfo)"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGRPC_C_BUILD_TESTS=OFF \
  -DGRPC_C_BUILD_EXAMPLES=OFF -DGRPC_C_BUILD_BENCH=ON -DGRPC_C_SANITIZE=OFF >"$LOGDIR/build.log" 2>&1 ||
  { cat "$LOGDIR/build.log" >&2; echo "bench/run.sh: cmake configure failed" >&2; exit 1; }
cmake --build "$BUILD" -j "$(nproc)" --target bench_server bench_unary_client \
  bench_stream_client bench_idle_streams bench_idle_connections >>"$LOGDIR/build.log" 2>&1 ||
  { tail -40 "$LOGDIR/build.log" >&2; echo "bench/run.sh: build failed" >&2; exit 1; }
OURS=$BUILD/bench

# ---- 2. peers and load tools ----
say "setup: $SHARED/setup.sh"
"$SHARED/setup.sh" >"$LOGDIR/setup.log" 2>&1 ||
  { cat "$LOGDIR/setup.log" >&2; echo "bench/run.sh: setup.sh failed" >&2; exit 1; }

free_port() { # free_port FIRST LAST [EXCEPT]
  local p
  for ((p = $1; p <= $2; p++)); do
    [[ $p == "${3:-}" ]] && continue
    port_busy "$p" || { echo "$p"; return 0; }
  done
  echo "bench/run.sh: no free port in $1..$2" >&2
  return 1
}
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# wait (bounded) for the machine to be idle: other builds skew everything
say "waiting up to ${QUIET_WAIT}s for an idle machine (busy <= 10%)"
waited=0
while ((waited < QUIET_WAIT)); do
  b=$(busy_pct 2)
  ((b <= 10)) && break
  ((waited == 0)) && { echo "machine ${b}% busy; top CPU users:" >&2; ps -eo pid,pcpu,comm --sort=-pcpu | head -4 >&2; }
  sleep 8
  waited=$((waited + 10))
done
BUSY_START=$(busy_pct 1)
LOAD_START=$(loadavg)
((BUSY_START <= 10)) || echo "warning: machine still ${BUSY_START}% busy; numbers will be noisy" >&2

SPID=
SPINNERS=()
stop_server() {
  [[ -n $SPID ]] || return 0
  kill -TERM "$SPID" 2>/dev/null || true
  local i
  for ((i = 0; i < 50; i++)); do kill -0 "$SPID" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$SPID" 2>/dev/null && { echo "pid $SPID ignored SIGTERM, killing" >&2; kill -KILL "$SPID" 2>/dev/null || true; }
  wait "$SPID" 2>/dev/null || true
  SPID=
}
stop_spinners() {
  local s
  for s in "${SPINNERS[@]}"; do kill "$s" 2>/dev/null || true; wait "$s" 2>/dev/null || true; done
  SPINNERS=()
}
trap 'stop_server; stop_spinners' EXIT
trap 'exit 130' INT TERM

# start_server LABEL PORT: the server pinned to SERVER_CPU, listener checked
start_server() {
  local bin
  case $1 in
    c-core) bin=$BIN/c_core_server ;;
    grpc-c) bin=$OURS/bench_server ;;
    go) bin=$BIN/go_server ;;
    cpp-callback) bin=$BIN/cpp_callback_server ;;
    *) echo "unknown server $1" >&2; return 1 ;;
  esac
  if port_busy "$2"; then echo "port $2 busy" >&2; return 1; fi
  PORT=$2 taskset -c "$SERVER_CPU" "$bin" >>"$LOGDIR/servers.log" 2>&1 & # taskset execs: $! is the server
  SPID=$!
  wait_port "$2" 20 || { echo "$1 did not start on port $2" >&2; stop_server; return 1; }
  local lp
  lp=$(port_pid "$2")
  [[ $lp == "$SPID" ]] || { echo "listener pid '$lp' != started pid $SPID" >&2; stop_server; return 1; }
  sleep 0.3
}

# ---- 3. peers.sh ----
PORT=${PORT:-$(free_port 50151 50199)}
say "peers.sh: PEERS=\"$PEERS\" REPS=$REPS PORT=$PORT (several minutes)"
GRPC_C_SERVER=$OURS/bench_server PEERS="$PEERS" PORT=$PORT KEEPWARM=$KEEPWARM \
  "$SHARED/peers.sh" 2>"$LOGDIR/peers.err" | tee "$LOGDIR/peers.out" >&2 ||
  { tail -20 "$LOGDIR/peers.err" >&2; echo "bench/run.sh: peers.sh failed (its log: the newest $P/results/peers-*.log)" >&2; exit 1; }
TSV=$(sed -n 's/^raw: \([^ ]*\).*/\1/p' "$LOGDIR/peers.out" | tail -1)
[[ -s $TSV ]] || { echo "bench/run.sh: peers.sh wrote no results" >&2; exit 1; }
PEERS_LOG=${TSV%.tsv}.log

# ---- 4. our clients vs the grpc++ clients, same c-core server ----
if [[ $KEEPWARM == 1 ]]; then
  for c in $SERVER_CPU $LOAD_CPU; do
    chrt -i 0 taskset -c "$c" sh -c 'while :; do :; done' & # chrt/taskset exec: $! is the loop
    SPINNERS+=($!)
  done
fi
CPORT=$(free_port 50200 50299 "$PORT")

# ---- 4a. the target rows again, servers interleaved round by round ----
# peers.sh measures one peer after the other, so a machine that drifts over
# its minutes shows up as a difference between peers. Here each round runs
# every server once, in a rotating order, and the ratios are medians of
# per-round ratios.
AB=$LOGDIR/interleaved.tsv # peers.sh TSV format, one row per round
: >"$AB"
# server:unary cfgs:stream modes (modes separated by +)
AB_ROWS=(c-core:4x32:h2ping grpc-c:4x32:h2ping+h2pipe cpp-callback:4x32: go::h2pipe)
if ((AB_ROUNDS > 0)); then
  say "interleaved rounds: $AB_ROUNDS x (c-core grpc-c cpp-callback go) on 127.0.0.1:$CPORT"
  for ((r = 0; r < AB_ROUNDS; r++)); do
    printf 'round\t%d\n' "$r" >>"$AB"
    for ((i = 0; i < ${#AB_ROWS[@]}; i++)); do
      IFS=: read -r srv ucfg smodes <<<"${AB_ROWS[(i + r) % ${#AB_ROWS[@]}]}"
      start_server "$srv" "$CPORT" || { echo "$srv: not measured" >&2; continue; }
      if [[ -n $ucfg ]]; then
        LABEL=$srv SERVER_PID=$SPID MATRIX=$ucfg DURATION=$AB_DURATION CXX_CLIENT=0 REPS=1 RESULTS=$AB \
          "$SHARED/bench-unary.sh" "$CPORT" >>"$LOGDIR/interleaved.log" 2>&1 ||
          echo "$srv $ucfg failed (see $LOGDIR/interleaved.log)" >&2
      fi
      if [[ -n $smodes ]]; then
        LABEL=$srv SERVER_PID=$SPID MODES=${smodes//+/ } REPS=1 RESULTS=$AB \
          "$SHARED/bench-stream.sh" "$CPORT" >>"$LOGDIR/interleaved.log" 2>&1 ||
          echo "$srv $smodes failed (see $LOGDIR/interleaved.log)" >&2
      fi
      stop_server
      for ((k = 0; k < 50; k++)); do port_busy "$CPORT" || break; sleep 0.1; done
    done
  done
fi

say "clients: ours vs grpc++ against the c-core floor on 127.0.0.1:$CPORT, REPS=$REPS"
start_server c-core "$CPORT"
CLI=$LOGDIR/clients.tsv # kind who rate mean p99 client_cpu_us_per_call
: >"$CLI"
# run_client KIND WHO: one run, appends a row; the client is pinned to LOAD_CPU
run_client() {
  local kind=$1 who=$2 bin out n rate mean p99 cpu
  case $who in ours) bin=$OURS/bench_ ;; grpcxx) bin=$BIN/ ;; esac
  case $kind in
    unary) cmd=("${bin}unary_client" "127.0.0.1:$CPORT" "$CLIENT_SECS" 0.5) ;;
    ping | pipe) cmd=("${bin}stream_client" "127.0.0.1:$CPORT" "$kind" "$STREAM_SECS" 2000 "$WINDOW") ;;
  esac
  if ! timeout 120 /usr/bin/time -f 'cpu_s=%U+%S' -o "$LOGDIR/time" taskset -c "$LOAD_CPU" "${cmd[@]}" \
    >"$LOGDIR/out" 2>&1; then
    { echo "client failed: ${cmd[*]}"; cat "$LOGDIR/out"; } | tee -a "$LOGDIR/failures" >&2
    return 0
  fi
  out=$(grep -E '^(warm_calls|mode)=' "$LOGDIR/out")
  echo "  $kind $who: $out" >>"$LOGDIR/clients.log"
  if [[ $kind == unary ]]; then
    n=$(($(kv warm_calls "$out") + $(kv calls "$out")))
    rate=$(kv calls_per_s "$out") mean=$(kv mean_us "$out") p99=$(kv p99_us "$out")
  else
    n=$(($(kv msgs "$out") + 2000))
    rate=$(kv msgs_per_s "$out") mean=$(kv mean_rtt_us "$out") p99=$(kv p99_rtt_us "$out")
  fi
  cpu=$(sed -n 's/^cpu_s=\(.*\)/\1/p' "$LOGDIR/time" | awk -F+ -v n="$n" '{printf "%.2f", ($1+$2)*1e6/n}')
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$kind" "$who" "$rate" "$mean" "$p99" "$cpu" >>"$CLI"
}
for kind in unary ping pipe; do
  for ((r = 1; r <= REPS; r++)); do # interleaved, alternating who goes first
    if ((r % 2)); then run_client "$kind" grpcxx; run_client "$kind" ours
    else run_client "$kind" ours; run_client "$kind" grpcxx; fi
  done
done
stop_server
stop_spinners

# ---- 5. idle streams and connections: server RSS per open one ----
# idle_runs PROGRAM WHAT "COUNTS" OUTFILE: a fresh server per count and server
idle_runs() {
  local prog=$1 what=$2 counts=$3 out=$4 srv n o
  : >"$out"
  [[ -n $counts ]] || return 0
  say "idle $what: $counts on c-core and grpc-c"
  for srv in c-core grpc-c; do
    for n in $counts; do
      start_server "$srv" "$CPORT"
      if o=$(timeout 120 taskset -c "$LOAD_CPU" "$OURS/$prog" "127.0.0.1:$CPORT" "$n" "$SPID" 2>>"$LOGDIR/idle.err"); then
        echo "$srv $o" >>"$out"
      else
        echo "$srv $what=$n FAILED" >>"$out"
      fi
      stop_server
      for ((i = 0; i < 50; i++)); do port_busy "$CPORT" || break; sleep 0.1; done
    done
  done
}
IDLE=$LOGDIR/idle.txt
IDLE_CONN=$LOGDIR/idle_connections.txt
idle_runs bench_idle_streams streams "$IDLE_STREAMS" "$IDLE"
idle_runs bench_idle_connections connections "$IDLE_CONNECTIONS" "$IDLE_CONN"
LOAD_END=$(loadavg)
ELAPSED=$(($(date +%s) - T0))

# ---- 6. the report ----
say "writing $OUT"
# get KIND PEER CFG FIELD from the peers.sh TSV (fields as in peers.sh)
get() {
  local col
  case $4 in rate) col=4 ;; spread) col=6 ;; mean) col=7 ;; p99) [[ $1 == unary ]] && col=9 || col=8 ;;
    cpu) [[ $1 == unary ]] && col=10 || col=9 ;; esac
  awk -F'\t' -v k="$1" -v p="$2" -v c="$3" -v col="$col" '$1==k && $2==p && $3==c {print $col; exit}' "$TSV"
}
num() { [[ -n ${1:-} ]] && printf '%.0f' "$1" || printf -- '-'; } # a rate, or - when not measured
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (a=="" || b=="" || b+0==0) print "-"; else printf "%.2f", a/b }'; }
# client medians: cmed KIND WHO FIELD(3 rate, 4 mean, 5 p99, 6 cpu)
cmed() { local v; mapfile -t v < <(awk -F'\t' -v k="$1" -v w="$2" -v c="$3" '$1==k && $2==w {print $c}' "$CLI"); ((${#v[@]})) && median "${v[@]}"; }
cspread() { local v; mapfile -t v < <(awk -F'\t' -v k="$1" -v w="$2" '$1==k && $2==w {print $3}' "$CLI"); ((${#v[@]})) && spread "${v[@]}"; }
# ab_list KIND CFG PEER rate|cpu: per-round ratios of the interleaved rounds,
# grpc-c/peer for rates, peer/grpc-c for CPU per request (above 1: we spend less)
ab_list() {
  awk -F'\t' -v k="$1" -v c="$2" -v p="$3" -v f="$4" '
    $1 == "round" { r = $2; next }
    $1 == k && $3 == c { col = (f == "rate") ? 4 : (k == "unary" ? 10 : 9); v[r, $2] = $col; seen[r] = 1 }
    END { for (r in seen) { a = v[r, "grpc-c"]; b = v[r, p]
            if (a + 0 > 0 && b + 0 > 0) print (f == "rate") ? a / b : b / a } }' "$AB"
}
# ab_best KIND CFG PEER: best grpc-c rate / best peer rate over the rounds
ab_best() {
  awk -F'\t' -v k="$1" -v c="$2" -v p="$3" '
    $1 == k && $3 == c && $2 == "grpc-c" && $4 + 0 > a { a = $4 + 0 }
    $1 == k && $3 == c && $2 == p && $4 + 0 > b { b = $4 + 0 }
    END { if (a > 0 && b > 0) printf "%.2f", a / b; else print "-" }' "$AB"
}
# cbest KIND: best of our client runs / best of the grpc++ client runs
cbest() {
  awk -F'\t' -v k="$1" '
    $1 == k && $2 == "ours" && $3 + 0 > a { a = $3 + 0 }
    $1 == k && $2 == "grpcxx" && $3 + 0 > b { b = $3 + 0 }
    END { if (a > 0 && b > 0) printf "%.2f", a / b; else print "-" }' "$CLI"
}
# cpairs KIND FIELD: per-rep ratios ours/grpc++ (FIELD 3 rate) or grpc++/ours (6 CPU)
cpairs() {
  awk -F'\t' -v k="$1" -v c="$2" '
    $1 == k && $2 == "ours" { o[++no] = $c } $1 == k && $2 == "grpcxx" { g[++ng] = $c }
    END { for (i = 1; i <= no && i <= ng; i++) if (o[i] + 0 > 0 && g[i] + 0 > 0)
            print (c == 3) ? o[i] / g[i] : g[i] / o[i] }' "$CLI"
}
# verdict RATIO TARGET NOISE%: met / not met (+ "within noise" when the gap is smaller than the spread)
verdict() {
  awk -v r="$1" -v t="$2" -v s="$3" 'BEGIN{
    if (r == "-") { print "n/a"; exit }
    v = (r + 0 >= t + 0) ? "**met**" : "**not met**"
    gap = (r - t) / t * 100; if (gap < 0) gap = -gap
    if (s != "" && gap < s + 0) v = v " (within noise)"
    print v }'
}
maxnum() { printf '%s\n' "$@" | grep -E '^[0-9.]+$' | sort -g | tail -1; }

git_rev=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
[[ -n $(git -C "$ROOT" status --porcelain -- runtime plugin bench 2>/dev/null) ]] && git_rev+=" (with uncommitted changes)"
{
  cat <<'EOF'
# Performance

Numbers from `bench/run.sh`: our runtime measured beside other gRPC
implementations on the same machine, in the same run, reported as ratios.
This file is written by that script; rerun it to refresh the numbers.

## How to run

```sh
bench/run.sh              # REPS=3 medians, about 9 minutes
REPS=1 AB_ROUNDS=3 bench/run.sh   # about 4 minutes, noisier
KEEPWARM=1 bench/run.sh   # latency rows with the vCPUs kept out of idle
```

It needs the shared peer scripts in `../shared/bench` beside the checkout
(`SHARED_BENCH=` to point elsewhere) and stops with a message if they are
missing. It builds `bench_server`, `bench_unary_client`,
`bench_stream_client` and `bench_idle_streams` into `build-bench/`
(RelWithDebInfo), runs `../shared/bench/setup.sh` (installs and builds the
peers into `/tmp/perf/bin`), runs `../shared/bench/peers.sh` with our
`bench_server` as the peer `grpc-c`, measures the rows the targets name
again in interleaved rounds (every server once per round), runs our blocking
clients and the grpc++ clients, interleaved, against the same C-core floor
server, measures server memory per idle stream, and rewrites this file.
Every server listens on a free loopback port and is pinned to cpu
`SERVER_CPU` (0); every load generator and client to `LOAD_CPU` (1). Raw logs: `/tmp/perf/results/`.
Knobs: see the header of `bench/run.sh` and of `../shared/bench/peers.sh`.

What the programs do:
* `bench_server`: `helloworld.Greeter` served through generated code:
  `SayHello` (unary handler, runs on the poller) and `SayHelloStream` (bidi,
  a non-blocking reactor on the pollers: one reply per request, finish at
  half-close; `STREAM_STYLE=blocking` runs the blocking worker-thread
  handler instead).
* `bench_unary_client HOST:PORT SECS WARMUP`: a loop of blocking
  `helloworld__greeter__say_hello__call()`, one call outstanding, every reply
  checked. Same arguments, loop and output line as grpc++'s
  `../shared/bench/src/unary_client.cc`.
* `bench_stream_client HOST:PORT ping|pipe SECS N WINDOW`: one bidi stream;
  `ping` writes then reads; `pipe` runs a writer and a reader thread with at
  most WINDOW messages in flight. Same as `../shared/bench/src/stream_client.cc`.
* `bench_idle_streams HOST:PORT N SERVER_PID`: opens N bidi streams on one
  connection, exchanges one message on each, keeps them open and reads the
  server's VmRSS before and after.
* `bench_idle_connections HOST:PORT N SERVER_PID`: opens N connections,
  one unary call on each, keeps them open and reads the server's VmRSS.

## Pitfalls (read before comparing)

Read `../shared/bench/README.md` ("Noise and pitfalls") first. In short:
* The machine has 2 vCPUs: the server gets one and the load the other.
  Anything else running (a compile, a test suite, apt's man-db trigger)
  skews the numbers. The script waits up to `QUIET_WAIT` seconds for an idle
  machine and records the load average below. Numbers from a busy machine
  are not worth comparing.
* Latency-bound rows (1x1, cxx1, ping, h2ping, and our unary and ping
  clients) depend on how fast the KVM vCPU wakes from idle. A server that
  burns more CPU per request can look *faster* there because it keeps its
  vCPU awake. `KEEPWARM=1` runs a SCHED_IDLE busy loop on both cores, which
  removes that effect. The stable anchors are the throughput rows (4x32 and
  h2pipe) and the CPU-per-request figures.
* The C-core floor's h2pipe row is bimodal from run to run (about 150k or
  about 200k msgs/s). The `pipe` row of the shared table is bound by the
  grpc++ client, not by the server.
* Even on an idle guest the host's speed drifts: while this script was
  written (November 2026), the same server's CPU per request at 4x32 moved
  by up to 40% between runs a minute apart, with the server at 100% of its
  core and nothing else running in the guest.
  peers.sh measures one peer after the other, so drift shows up as a
  difference between peers. That is why the target rows are measured again
  in interleaved rounds (every server once per round, rotating order) and
  judged by the median of the per-round ratios. Compare only numbers from
  the same run.
* "(within noise)" marks a gap to the target smaller than the spread
  (max-min)/median of the per-round ratios: run again before acting on it.
* Use medians of 3 or more runs (`REPS`). One run (`REPS=1`) has no spread
  to judge it by.
EOF

  echo
  echo "## Last run"
  echo
  echo "* Date: $(date -u '+%Y-%m-%d %H:%M UTC'), took $((ELAPSED / 60)) min $((ELAPSED % 60)) s."
  echo "* Command: \`${ENVNOTE}${COMMAND% }\` (REPS=$REPS, KEEPWARM=$KEEPWARM, PEERS=\"$PEERS\")."
  echo "* Machine: $(nproc) CPUs, $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), Linux $(uname -r)."
  echo "* gRPC $(pkg-config --modversion grpc++ 2>/dev/null || echo '?') (C core $(pkg-config --modversion grpc)), protobuf-c $(pkg-config --modversion libprotobuf-c), $(cc --version | head -1)."
  echo "* grpc-c $git_rev, built RelWithDebInfo in \`$(basename "$BUILD")/\`."
  echo "* Load average (1/5/15 min): $LOAD_START at the start, $LOAD_END at the end; CPU busy before the start: ${BUSY_START}%."
  # 4x32 saturates every server: a server below 90% of its core shared it with something else
  low=$(awk -F'\t' '$1=="unary" && $3=="4x32" && $11+0 < 90 {printf "%s %s%%, ", $2, $11}' "$TSV" "$AB")
  [[ -n $low ]] &&
    echo "* **Noisy run:** at 4x32 the server should use ~100% of its core; here ${low%, }. Another process shared the server's core; do not trust this run's ratios."
  [[ -s $LOGDIR/failures ]] &&
    echo "* **Client failures:** $(grep -c '^client failed' "$LOGDIR/failures") (see \`$LOGDIR/failures\`); those runs are left out."
  echo "* Raw results: \`$TSV\`, \`$PEERS_LOG\`, \`$LOGDIR/\`."

  echo
  echo "### Targets"
  echo
  echo "| target | needed | ratio, peers.sh table | ratio, interleaved | spread of the interleaved ratios % | verdict | best runs ratio | CPU ratio |"
  echo "|---|---:|---:|---:|---:|---|---:|---:|"
  # one ratio per list line -> "median spread" (or "- -")
  medspread() { local v; mapfile -t v; if ((${#v[@]})); then echo "$(printf '%.2f' "$(median "${v[@]}")") $(spread "${v[@]}")"; else echo "- -"; fi; }
  target_row() { # LABEL KIND CFG PEER NEEDED
    local p r sp c v s1 s2
    p=$(ratio "$(get "$2" grpc-c "$3" rate)" "$(get "$2" "$4" "$3" rate)")
    read -r r sp < <(ab_list "$2" "$3" "$4" rate | medspread)
    read -r c _ < <(ab_list "$2" "$3" "$4" cpu | medspread)
    if [[ $r == - ]]; then # no interleaved rounds: judge the peers.sh ratio by its spreads
      s1=$(get "$2" grpc-c "$3" spread) s2=$(get "$2" "$4" "$3" spread)
      v=$(verdict "$p" "$5" "$(maxnum "$s1" "$s2")")
      c=$(ratio "$(get "$2" "$4" "$3" cpu)" "$(get "$2" grpc-c "$3" cpu)")
    else
      v=$(verdict "$r" "$5" "$sp")
    fi
    printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$1" "$5" "$p" "$r" "$sp" "$v" "$(ab_best "$2" "$3" "$4")" "$c"
  }
  target_row "unary server, h2load 4x32, vs c-core" unary 4x32 c-core 0.95
  target_row "unary server, h2load 4x32, vs cpp-callback" unary 4x32 cpp-callback 1.2
  target_row "stream server, h2pipe, vs go" stream h2pipe go 1.0
  target_row "stream server, h2ping, vs c-core" stream h2ping c-core 1.0
  client_row() { # LABEL KIND
    local r sp c
    read -r r sp < <(cpairs "$2" 3 | medspread)
    read -r c _ < <(cpairs "$2" 6 | medspread)
    printf '| %s | 1.0 | - | %s | %s | %s | %s | %s |\n' "$1" "$r" "$sp" "$(verdict "$r" 1.0 "$sp")" "$(cbest "$2")" "$c"
  }
  # shellcheck disable=SC2016 # backquotes are markdown
  client_row 'blocking unary client vs grpc++ sync (`unary_client`)' unary
  # shellcheck disable=SC2016
  client_row 'stream client, ping, vs grpc++ sync (`stream_client`)' ping
  # shellcheck disable=SC2016
  client_row 'stream client, pipe, vs grpc++ sync (`stream_client`)' pipe
  echo
  echo "How to read it: *ratio, peers.sh table* is grpc-c / peer of the medians in"
  echo "the peers.sh table below, where each peer is measured in turn over several"
  echo "minutes. *Ratio, interleaved* is the median of per-round ratios from"
  echo "$AB_ROUNDS rounds in which every server (or client) runs once, back to back, so"
  echo "a machine that drifts affects both sides of each ratio alike; the verdict"
  echo "uses it. \"(within noise)\" marks a gap to the target smaller than the spread"
  echo "(max-min)/median of the per-round ratios. *Best runs ratio*: our fastest"
  echo "run / the peer's fastest run; on a noisy host the fastest run is the least"
  echo "disturbed one, so when it agrees with the median the verdict is solid."
  echo "Server rows: h2load (unary, ${AB_DURATION} s per run in the rounds) and"
  echo "raw nghttp2 \`h2stream\` (streams) against each server. Client rows: our"
  echo "client / the grpc++ client, both against the C-core floor server (table"
  echo "further down). *CPU ratio*: the peer's CPU time per request or message /"
  echo "ours (server CPU for server rows, client CPU for client rows), median of"
  echo "the rounds; above 1 means we spend less. It is what the rate ratio would"
  echo "be if both sides were CPU-bound, and it moves less than the rates when the"
  echo "machine is noisy."

  if [[ -s $AB ]]; then
    echo
    echo "### Interleaved rounds"
    echo
    echo "| row | server | rate in each round (req/s or msgs/s) | median | server CPU µs per req/msg, median |"
    echo "|---|---|---|---:|---:|"
    for kc in "unary 4x32" "stream h2ping" "stream h2pipe"; do
      # shellcheck disable=SC2086 # split on purpose
      set -- $kc
      for srv in grpc-c c-core cpp-callback go; do
        mapfile -t rates < <(awk -F'\t' -v k="$1" -v c="$2" -v p="$srv" '$1==k && $3==c && $2==p {printf "%.0f\n", $4}' "$AB")
        ((${#rates[@]})) || continue
        mapfile -t cpus < <(awk -F'\t' -v k="$1" -v c="$2" -v p="$srv" -v col="$([[ $1 == unary ]] && echo 10 || echo 9)" \
          '$1==k && $3==c && $2==p {print $col}' "$AB")
        printf '| %s | %s | %s | %.0f | %s |\n' "$2" "$srv" "$(IFS=' '; echo "${rates[*]}")" "$(median "${rates[@]}")" "$(median "${cpus[@]}")"
      done
    done
  fi

  echo
  echo "### Ratios grpc-c / peer, every row of the shared table"
  echo
  echo "| row | grpc-c | / c-core | / cpp-callback | / go |"
  echo "|---|---:|---:|---:|---:|"
  for kc in "unary 1x1" "unary 4x32" "unary cxx1" "stream ping" "stream pipe" "stream h2ping" "stream h2pipe"; do
    # shellcheck disable=SC2086 # split on purpose
    set -- $kc
    a=$(get "$1" grpc-c "$2" rate)
    printf '| %s | %s | %s | %s | %s |\n' "$2" "$(num "$a")" "$(ratio "$a" "$(get "$1" c-core "$2" rate)")" \
      "$(ratio "$a" "$(get "$1" cpp-callback "$2" rate)")" "$(ratio "$a" "$(get "$1" go "$2" rate)")"
  done
  for kc in "unary 4x32 cpu/req" "stream h2pipe cpu/msg"; do
    # shellcheck disable=SC2086 # split on purpose
    set -- $kc
    a=$(get "$1" grpc-c "$2" cpu)
    printf '| server %s at %s (lower is better) | %s µs | %s | %s | %s |\n' "$3" "$2" "${a:--}" \
      "$(ratio "$a" "$(get "$1" c-core "$2" cpu)")" "$(ratio "$a" "$(get "$1" cpp-callback "$2" cpu)")" \
      "$(ratio "$a" "$(get "$1" go "$2" cpu)")"
  done
  echo
  echo "Rows: \`1x1\`, \`4x32\`: h2load unary (connections x streams); \`cxx1\`: the"
  echo "grpc++ sync unary client; \`ping\`, \`pipe\`: the grpc++ bidi stream client;"
  echo "\`h2ping\`, \`h2pipe\`: raw nghttp2 bidi stream, 1 or $WINDOW messages in flight."

  echo
  echo "### peers.sh output"
  echo
  echo '```'
  sed -n '/^# peers.sh/,/^# h2load/p' "$LOGDIR/peers.out"
  sed -n '/^COMBINED/,/^raw:/p' "$LOGDIR/peers.out" | grep -v '^raw:'
  echo '```'

  echo
  echo "### Our clients vs the grpc++ clients (server: C-core floor)"
  echo
  echo "| client | calls or msgs/s | spread % | mean µs | p99 µs | client CPU µs per call/msg |"
  echo "|---|---:|---:|---:|---:|---:|"
  for kind in unary ping pipe; do
    for who in ours grpcxx; do
      case $kind/$who in
        unary/ours) name="grpc-c bench_unary_client" ;;
        unary/grpcxx) name="grpc++ unary_client (sync)" ;;
        */ours) name="grpc-c bench_stream_client $kind" ;;
        */grpcxx) name="grpc++ stream_client $kind (sync)" ;;
      esac
      printf '| %s | %s | %s | %s | %s | %s |\n' "$name" "$(num "$(cmed $kind $who 3)")" "$(cspread $kind $who)" \
        "$(cmed $kind $who 4)" "$(cmed $kind $who 5)" "$(cmed $kind $who 6)"
    done
  done
  echo
  echo "Unary: \`unary_client 127.0.0.1:PORT $CLIENT_SECS 0.5\`; streams:"
  echo "\`stream_client 127.0.0.1:PORT ping|pipe $STREAM_SECS 2000 $WINDOW\`. Mean and p99 are"
  echo "per call (unary) or per round trip (ping). Client CPU is user+system time of"
  echo "the whole client process (connect and warm-up included) over all its calls"
  echo "or messages."

  echo
  echo "### Server memory per idle stream"
  echo
  if [[ -s $IDLE ]]; then
    echo "| server | streams open | answered | server RSS before..after (KiB) | KiB per stream | server threads | client KiB per stream |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    while read -r srv rest; do
      if [[ $rest == *FAILED* ]]; then echo "| $srv | $(kv streams "$rest") | failed | | | | |"; continue; fi
      printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$srv" "$(kv streams "$rest")" "$(kv answered "$rest")" \
        "$(kv server_rss_kb "$rest")" "$(kv server_kb_per_stream "$rest")" "$(kv server_threads "$rest")" \
        "$(kv client_kb_per_stream "$rest")"
    done <"$IDLE"
    echo
    echo "\`bench_idle_streams\` opens the streams on one connection after one unary"
    echo "call, writes one request on each, reads the replies in order (a reply"
    echo "later than 2 s counts as unanswered and stops the reading), waits 0.5 s,"
    echo "and reads the server's VmRSS. KiB per stream = RSS growth / streams open."
    echo "A fresh server for each row. grpc-c's \`SayHelloStream\` is a non-blocking"
    echo "reactor ([nonblocking-streams.md](nonblocking-streams.md)): no thread per stream."
  else
    echo "Not measured in this run (IDLE_STREAMS was empty)."
  fi
  echo
  echo "### Server memory per idle connection"
  echo
  if [[ -s $IDLE_CONN ]]; then
    echo "| server | connections | answered | server RSS before..after (KiB) | KiB per connection | server threads |"
    echo "|---|---:|---:|---:|---:|---:|"
    while read -r srv rest; do
      if [[ $rest == *FAILED* ]]; then echo "| $srv | $(kv connections "$rest") | failed | | | |"; continue; fi
      printf '| %s | %s | %s | %s | %s | %s |\n' "$srv" "$(kv connections "$rest")" "$(kv answered "$rest")" \
        "$(kv server_rss_kb "$rest")" "$(kv server_kb_per_connection "$rest")" "$(kv server_threads "$rest")"
    done <"$IDLE_CONN"
    echo
    echo "\`bench_idle_connections\` opens the connections one by one (one channel"
    echo "each, with its own subchannel pool), makes one unary call on each, waits"
    echo "0.5 s and reads the server's VmRSS. KiB per connection = RSS growth /"
    echo "connections. A fresh server for each row."
  else
    echo "Not measured in this run (IDLE_CONNECTIONS was empty)."
  fi
} >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
say "done in ${ELAPSED}s: $OUT"
