#!/usr/bin/env bash
# One command on a fresh Debian 12 machine: installs what is missing, builds,
# starts the route_guide server on 127.0.0.1 and runs its client against it
# (all four RPC kinds), then stops the server with SIGTERM.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
"$ROOT/scripts/deps.sh"
BUILD_DIR="$BUILD_DIR" "$ROOT/scripts/build.sh"

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
server="$BUILD_DIR/examples/route_guide/route_guide_server"
client="$BUILD_DIR/examples/route_guide/route_guide_client"
BIND_HOST=127.0.0.1 PORT=$port "$server" &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.1
done
echo "== route_guide_client 127.0.0.1:$port"
timeout 60 "$client" "127.0.0.1:$port"
kill -TERM "$server_pid"
wait "$server_pid"
trap - EXIT
echo "== demo finished: server stopped cleanly"
