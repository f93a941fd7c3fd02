#!/usr/bin/python3
"""Runs one interop pairing: starts a server, runs a client against it, stops
the server with SIGTERM, and checks both exit codes. Every wait is bounded.

Usage:
  run_pair.py [--timeout S] [--client-timeout S] --server CMD... --client CMD...

The server command runs with PORT=0 and must print "listening on port N" on
stdout. The client command gets "127.0.0.1:N" appended as its last argument
and must exit 0 only when all its cases pass. The pairing passes when the
server started, the client exited 0, and the server exited 0 after SIGTERM.
Uses only the Python standard library.
"""
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time

LISTENING = re.compile(r"listening on port (\d+)")


def usage(message):
    print("run_pair.py: %s" % message, file=sys.stderr)
    print(__doc__, file=sys.stderr)
    sys.exit(2)


def parse(argv):
    timeout, client_timeout = 20.0, 60.0
    args = list(argv)
    while args and args[0] != "--server":
        flag = args.pop(0)
        if flag in ("--timeout", "--client-timeout") and args:
            value = float(args.pop(0))
            if flag == "--timeout":
                timeout = value
            else:
                client_timeout = value
        else:
            usage("unknown argument %r" % flag)
    if not args:
        usage("--server is missing")
    args.pop(0)
    if "--client" not in args:
        usage("--client is missing")
    split = args.index("--client")
    server, client = args[:split], args[split + 1:]
    if not server or not client:
        usage("empty server or client command")
    return timeout, client_timeout, server, client


def pump(stream, prefix, lines):
    """Copies a child's output to ours with a prefix; queues each line."""
    for raw in iter(stream.readline, b""):
        line = raw.decode("utf-8", "replace").rstrip("\n")
        print("%s%s" % (prefix, line), flush=True)
        if lines is not None:
            lines.put(line)
    stream.close()
    if lines is not None:
        lines.put(None)


def stop(process, how, timeout):
    """Signals `process` and waits up to `timeout`; kills it if it hangs.
    Returns its exit code, or None when it had to be killed."""
    if process.poll() is not None:
        return process.returncode
    process.send_signal(how)
    try:
        return process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout)
        return None


def main():
    timeout, client_timeout, server_cmd, client_cmd = parse(sys.argv[1:])
    env = dict(os.environ, PORT="0")
    print("run_pair: server: %s" % " ".join(server_cmd), flush=True)
    server = subprocess.Popen(server_cmd, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    lines = queue.Queue()
    pumps = [threading.Thread(target=pump, args=(server.stdout, "[server] ", lines), daemon=True),
             threading.Thread(target=pump, args=(server.stderr, "[server:err] ", None), daemon=True)]
    for thread in pumps:
        thread.start()

    port = None
    deadline = time.monotonic() + timeout
    while port is None:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        try:
            line = lines.get(timeout=left)
        except queue.Empty:
            break
        if line is None:  # the server closed stdout: it exited
            break
        match = LISTENING.search(line)
        if match:
            port = int(match.group(1))
    if port is None:
        exited = server.poll() is not None
        code = stop(server, signal.SIGKILL, timeout)
        if exited:
            print("run_pair: FAIL: the server exited with code %s before printing "
                  "'listening on port N'" % code, flush=True)
        else:
            print("run_pair: FAIL: the server did not print 'listening on port N' within %.0f s "
                  "(killed)" % timeout, flush=True)
        return 1

    target = "127.0.0.1:%d" % port
    client_cmd = client_cmd + [target]
    print("run_pair: client: %s" % " ".join(client_cmd), flush=True)
    client_code = None
    try:
        client = subprocess.run(client_cmd, stdin=subprocess.DEVNULL, timeout=client_timeout)
        client_code = client.returncode
    except subprocess.TimeoutExpired:
        print("run_pair: FAIL: the client did not finish within %.0f s" % client_timeout, flush=True)

    server_alive = server.poll() is None
    if not server_alive:
        print("run_pair: FAIL: the server died during the client run (exit code %s)"
              % server.returncode, flush=True)
    started = time.monotonic()
    server_code = stop(server, signal.SIGTERM, timeout)
    took = time.monotonic() - started
    for thread in pumps:
        thread.join(timeout)

    ok = True
    if client_code != 0:
        if client_code is not None:
            print("run_pair: FAIL: client exit code %s" % client_code, flush=True)
        ok = False
    if server_code is None:
        print("run_pair: FAIL: the server did not exit within %.0f s of SIGTERM (killed)" % timeout,
              flush=True)
        ok = False
    elif server_code != 0 or not server_alive:
        print("run_pair: FAIL: server exit code %s" % server_code, flush=True)
        ok = False
    else:
        print("run_pair: server stopped %.2f s after SIGTERM with exit code 0" % took, flush=True)
    print("run_pair: %s" % ("PASS" if ok else "FAIL"), flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
