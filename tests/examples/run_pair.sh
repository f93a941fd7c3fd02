#!/bin/bash
# Smoke test of an example pair:
#
#   run_pair.sh [--expect TEXT] SERVER_BIN CLIENT_BIN [CLIENT_ARGS...]
#   run_pair.sh --term-at-once SERVER_BIN
#
# Picks a free port on 127.0.0.1, starts SERVER_BIN with PORT set, waits (at
# most 10 s) until it prints "listening on port N", runs
# `CLIENT_BIN 127.0.0.1:N CLIENT_ARGS...` (at most 30 s), then sends SIGTERM
# to the server and expects it to exit 0 within 10 s. With --expect, the
# client's output must also contain TEXT. Any failure exits non-zero.
#
# With --term-at-once there is no client: the server gets SIGTERM the moment
# it reports listening (output polled every 5 ms), before it can have reached
# its wait call, and must still drain and exit 0 within 10 s.
set -u

expect=
term_at_once=
if [ "${1:-}" = --expect ]; then
  expect=$2
  shift 2
elif [ "${1:-}" = --term-at-once ]; then
  term_at_once=1
  shift
fi
if [ -z "$term_at_once" ] && [ $# -lt 2 ] || [ $# -lt 1 ]; then
  echo "usage: $0 [--expect TEXT] SERVER_BIN CLIENT_BIN [CLIENT_ARGS...]" >&2
  echo "       $0 --term-at-once SERVER_BIN" >&2
  exit 2
fi
server_bin=$1
client_bin=${2:-}
shift $(( $# < 2 ? $# : 2 ))

python=${PYTHON3:-/usr/bin/python3}
server_pid=
workdir=$(mktemp -d)
server_log=$workdir/server.log
client_log=$workdir/client.log

fail() {
  echo "run_pair: FAIL: $*" >&2
  echo "---- server output ----" >&2
  cat "$server_log" >&2 2>/dev/null
  if [ -s "$client_log" ]; then
    echo "---- client output ----" >&2
    cat "$client_log" >&2
  fi
  exit 1
}
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -KILL "$server_pid" 2>/dev/null
  fi
  rm -rf "$workdir"
}
trap cleanup EXIT

# Bind port 0 to let the kernel choose a free port; the server binds it again
# a moment later (a small race, acceptable for a smoke test).
port=$("$python" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()') || fail "cannot pick a free port with $python"

BIND_HOST=127.0.0.1 PORT=$port "$server_bin" >"$server_log" 2>&1 &
server_pid=$!

# Wait for the listening line, bounded to 10 s.
ready=
step=0.1 steps=100
[ -n "$term_at_once" ] && step=0.005 steps=2000
for _ in $(seq $steps); do
  if grep -qE "listening on port ${port}([^0-9]|\$)" "$server_log"; then
    ready=1
    break
  fi
  kill -0 "$server_pid" 2>/dev/null || fail "the server exited before listening"
  sleep $step
done
[ -n "$ready" ] || fail "the server did not report listening on port $port within 10 s"

if [ -z "$term_at_once" ]; then
  timeout 30 "$client_bin" "127.0.0.1:$port" "$@" >"$client_log" 2>&1
  client_rc=$?
  cat "$client_log"
  [ "$client_rc" -eq 0 ] || fail "the client exited with status $client_rc"
  if [ -n "$expect" ] && ! grep -qF -- "$expect" "$client_log"; then
    fail "the client's output lacks: $expect"
  fi
fi

# Graceful stop: SIGTERM, then the server must exit 0 within 10 s. (bash
# reaps a finished child at once, so kill -0 fails as soon as it has exited;
# `wait` still returns its status.)
kill -TERM "$server_pid"
for _ in $(seq 100); do
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
if kill -0 "$server_pid" 2>/dev/null; then
  fail "the server did not stop within 10 s of SIGTERM"
fi
wait "$server_pid"
server_rc=$?
server_pid=
[ "$server_rc" -eq 0 ] || fail "the server exited with status $server_rc after SIGTERM"
echo "run_pair: OK (port $port)"
