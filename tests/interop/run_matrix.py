#!/usr/bin/python3
"""Runs the standard gRPC interop test cases for pairings of servers and
clients (grpc-c's interop_server/interop_client and the python3-grpcio
peers), plaintext and TLS, and prints a table of results.

Usage:
  run_matrix.py --bin DIR --stubs DIR [--servers c,python] [--clients c,python]
                [--security plaintext,tls] [--cases a,b] [--markdown FILE]

--bin holds interop_server and interop_client; --stubs the Python stubs of
make_testing_stubs.py. Each pairing starts its server on 127.0.0.1 port 0
(the server prints "listening on port N"), runs one client process per case,
then stops the server with SIGTERM. Every wait is bounded.

Exit status: 0 when every result is as expected, that is passed, or failed
where KNOWN_FAILURES below says why (a known failure that passes is reported
too, so the list stays true). With --markdown, the table in FILE between the
"interop-table" markers is replaced.
"""
import argparse
import os
import re
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CERTS = os.path.join(HERE, "..", "certs")

CASES = (
    "empty_unary", "large_unary", "client_streaming", "server_streaming",
    "ping_pong", "empty_stream", "timeout_on_sleeping_server",
    "cancel_after_begin", "cancel_after_first_response",
    "status_code_and_message", "special_status_message", "custom_metadata",
    "unimplemented_method", "unimplemented_service", "client_compressed_unary",
    "client_compressed_streaming", "server_compressed_unary",
    "server_compressed_streaming", "pick_first_unary")

PYTHON_SERVER_NO_PROBE = (
    "python3-grpcio does not tell a handler whether a request arrived "
    "compressed, so the Python server cannot check expect_compressed and "
    "answers the probe with OK instead of INVALID_ARGUMENT")
PYTHON_CLIENT_NO_OPT_OUT = (
    "python3-grpcio compresses every message of a call made with "
    "compression=grpc.Compression.Gzip: the Python client cannot send the "
    "second message uncompressed, and the server rightly refuses it with "
    "INVALID_ARGUMENT")

# (server, client, case) -> why it fails, in every security mode.
KNOWN_FAILURES = {
    ("python", "c", "client_compressed_unary"): PYTHON_SERVER_NO_PROBE,
    ("python", "python", "client_compressed_unary"): PYTHON_SERVER_NO_PROBE,
    ("python", "c", "client_compressed_streaming"): PYTHON_SERVER_NO_PROBE,
    ("python", "python", "client_compressed_streaming"): PYTHON_SERVER_NO_PROBE,
    ("c", "python", "client_compressed_streaming"): PYTHON_CLIENT_NO_OPT_OUT,
}

LISTENING = re.compile(rb"listening on port (\d+)")
SERVER_START_TIMEOUT = 20.0
CLIENT_TIMEOUT = 60.0
SERVER_STOP_TIMEOUT = 10.0


def security_flags(security, side):
    if security == "plaintext":
        return ["--use_tls=false"]
    if side == "server":
        return ["--use_tls=true", "--tls_cert_file=" + os.path.join(CERTS, "server.pem"),
                "--tls_key_file=" + os.path.join(CERTS, "server.key")]
    return ["--use_tls=true", "--use_test_ca=true",
            "--ca_file=" + os.path.join(CERTS, "ca.pem"),
            "--server_host_override=foo.test.google.fr"]


def command(args, kind, side):
    if kind == "c":
        return [os.path.join(args.bin, "interop_" + side)]
    script = "test_service_%s.py" % side
    return [sys.executable, os.path.join(HERE, script), "--stubs", args.stubs]


def start_server(cmd, bind_host="127.0.0.1"):
    """Starts a server; returns (process, port, output so far), port None
    when it did not start."""
    proc = subprocess.Popen(cmd + ["--port=0", "--bind_host=" + bind_host],
                            stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    os.set_blocking(proc.stdout.fileno(), False)
    seen = b""
    while time.monotonic() < deadline:
        exited = proc.poll() is not None
        seen += proc.stdout.read() or b""
        match = LISTENING.search(seen)
        if match:
            return proc, int(match.group(1)), seen
        if exited:
            return proc, None, seen + b"[exited with %d]" % proc.returncode
        time.sleep(0.05)
    return proc, None, seen + b"[no port after %ds]" % SERVER_START_TIMEOUT


def stop_server(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=SERVER_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=SERVER_STOP_TIMEOUT)
    return proc.returncode


def run_pairing(args, server, client, security, cases):
    """Returns {case: (passed, detail)}."""
    proc, port, seen = start_server(command(args, server, "server") +
                                    security_flags(security, "server"))
    results = {}
    try:
        if port is None:
            detail = "server did not start: " + seen.decode("utf-8", "replace")[-300:]
            return {case: (False, detail) for case in cases}
        for case in cases:
            cmd = command(args, client, "client") + [
                "--server_host=127.0.0.1", "--server_port=%d" % port,
                "--test_case=" + case] + security_flags(security, "client")
            try:
                done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                      timeout=CLIENT_TIMEOUT)
                out = done.stdout.decode("utf-8", "replace").strip()
                results[case] = (done.returncode == 0, out.splitlines()[-1] if out else "")
            except subprocess.TimeoutExpired:
                results[case] = (False, "client timed out after %ds" % CLIENT_TIMEOUT)
    finally:
        code = stop_server(proc)
        if code != 0 and port is not None:
            # A server that crashes, leaks (sanitizers) or hangs at shutdown
            # fails every case it served.
            for case in results:
                results[case] = (False, "server exited with %s after SIGTERM; %s"
                                 % (code, results[case][1]))
    return results


def column_name(server, client, security):
    return "%s client → %s server, %s" % (client, server, security)


def markdown(table, columns, cases):
    lines = ["| case | " + " | ".join(column_name(*c) for c in columns) + " |",
             "|---|" + "---|" * len(columns)]
    notes = []
    for case in cases:
        cells = []
        for col in columns:
            passed, _ = table[col][case]
            cell = "pass" if passed else "**fail**"
            why = KNOWN_FAILURES.get((col[0], col[1], case))
            if why and not passed:
                if why not in notes:
                    notes.append(why)
                cell += " [%d]" % (notes.index(why) + 1)
            cells.append(cell)
        lines.append("| %s | %s |" % (case, " | ".join(cells)))
    lines.append("")
    for i, why in enumerate(notes):
        lines.append("[%d] %s." % (i + 1, why))
    return "\n".join(lines) + "\n"


def replace_table(path, text):
    with open(path) as f:
        page = f.read()
    begin, end = "<!-- interop-table begin -->\n", "<!-- interop-table end -->"
    start, stop = page.index(begin) + len(begin), page.index(end)
    with open(path, "w") as f:
        f.write(page[:start] + text + page[stop:])


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True)
    parser.add_argument("--stubs", required=True)
    parser.add_argument("--servers", default="c,python")
    parser.add_argument("--clients", default="c,python")
    parser.add_argument("--security", default="plaintext,tls")
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--markdown")
    args = parser.parse_args()
    cases = args.cases.split(",")
    unknown = [c for c in cases if c not in CASES]
    if unknown:
        parser.error("unknown cases: %s" % ", ".join(unknown))
    columns = [(s, c, sec) for sec in args.security.split(",")
               for s in args.servers.split(",") for c in args.clients.split(",")]
    table, unexpected = {}, []
    for col in columns:
        table[col] = run_pairing(args, *col, cases)
        for case in cases:
            passed, detail = table[col][case]
            known = (col[0], col[1], case) in KNOWN_FAILURES
            mark = "pass" if passed else ("known failure" if known else "FAIL")
            print("%-28s %-40s %s  %s" % (case, column_name(*col), mark,
                                          "" if passed else detail), flush=True)
            if passed == known:
                unexpected.append((case, col, "passed though listed as a known failure"
                                   if passed else detail))
    text = markdown(table, columns, cases)
    print()
    print(text)
    if args.markdown:
        replace_table(args.markdown, text)
    for case, col, detail in unexpected:
        print("UNEXPECTED: %s, %s: %s" % (case, column_name(*col), detail), file=sys.stderr)
    return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
