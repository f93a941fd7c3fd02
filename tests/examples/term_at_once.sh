#!/bin/bash
# A server that gets SIGTERM the moment it reports listening, before it can
# have reached its wait call, must still drain and exit 0:
#
#   term_at_once.sh SERVER_BIN
#
# Starts SERVER_BIN on a free 127.0.0.1 port (PORT, BIND_HOST), polls its
# output every 5 ms for "listening on port N" (at most 10 s), sends SIGTERM
# at once, and expects exit status 0 within 10 s.
set -u
[ $# -eq 1 ] || { echo "usage: $0 SERVER_BIN" >&2; exit 2; }
server_bin=$1
python=${PYTHON3:-/usr/bin/python3}
workdir=$(mktemp -d)
log=$workdir/server.log
server_pid=
fail() {
  echo "term_at_once: FAIL: $*" >&2
  cat "$log" >&2 2>/dev/null
  exit 1
}
cleanup() {
  [ -n "$server_pid" ] && kill -KILL "$server_pid" 2>/dev/null
  rm -rf "$workdir"
}
trap cleanup EXIT

port=$("$python" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()') || fail "cannot pick a free port with $python"

BIND_HOST=127.0.0.1 PORT=$port "$server_bin" >"$log" 2>&1 &
server_pid=$!
for _ in $(seq 2000); do
  grep -qE "listening on port ${port}([^0-9]|\$)" "$log" && break
  kill -0 "$server_pid" 2>/dev/null || fail "the server exited before listening"
  sleep 0.005
done
kill -TERM "$server_pid" || fail "the server is gone"
for _ in $(seq 100); do
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
kill -0 "$server_pid" 2>/dev/null && fail "the server did not stop within 10 s"
wait "$server_pid"
rc=$?
server_pid=
[ "$rc" -eq 0 ] || fail "the server exited with status $rc after an early SIGTERM"
echo "term_at_once: OK ($(basename "$server_bin"))"
