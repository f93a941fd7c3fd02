#!/usr/bin/python3
"""Checks edges of grpc-c's interop programs that the standard cases do not
reach. Each check is one ctest test:

  run_edges.py --bin DIR --stubs DIR response_size
      interop_server refuses, with RESOURCE_EXHAUSTED and before allocating
      anything, a response payload larger than --max_response_size (default
      4 MiB), in UnaryCall and in the streaming calls; a python3-grpcio
      client asks.
  run_edges.py --bin DIR ipv6
      interop_client reaches a server on ::1 whether --server_host is given
      as ::1 or as [::1] (and interop_server listens on --bind_host=::1).

--bin holds interop_server and interop_client; --stubs the Python stubs of
make_testing_stubs.py. Every wait is bounded. Exit status 0 when every check
passed.
"""
import argparse
import os
import subprocess
import sys

from run_matrix import CLIENT_TIMEOUT, start_server, stop_server

CALL_TIMEOUT = 30.0
DEFAULT_LIMIT = 4 * 1024 * 1024


def refusal(size, limit):
    return ("response size %d exceeds this server's limit of %d bytes "
            "(--max_response_size)" % (size, limit))


class CheckFailed(Exception):
    """The first unmet expectation; it ends the run, so no later step (such
    as asking for a 1 GiB response) runs against a server that is wrong."""


def expect(what, got, want):
    if got != want:
        raise CheckFailed("%s: got %r, want %r" % (what, got, want))


def with_server(args, extra_flags, bind_host, body):
    proc, port, seen = start_server(
        [os.path.join(args.bin, "interop_server")] + extra_flags, bind_host)
    try:
        if port is None:
            raise SystemExit("interop_server did not start: " +
                             seen.decode("utf-8", "replace")[-300:])
        body(port)
    finally:
        code = stop_server(proc)
        if code != 0:
            raise SystemExit("interop_server exited with %s after SIGTERM" % code)


def check_response_size(args):
    sys.path.insert(0, args.stubs)
    import grpc
    import messages_pb2 as pb
    import test_pb2_grpc

    def unary(stub, size):
        try:
            response = stub.UnaryCall(pb.SimpleRequest(response_size=size),
                                      timeout=CALL_TIMEOUT)
            return grpc.StatusCode.OK, len(response.payload.body)
        except grpc.RpcError as err:
            return err.code(), err.details()

    def streaming(stub, sizes):
        request = pb.StreamingOutputCallRequest(response_parameters=[
            pb.ResponseParameters(size=size) for size in sizes])
        received = []
        try:
            for response in stub.StreamingOutputCall(request, timeout=CALL_TIMEOUT):
                received.append(len(response.payload.body))
            return grpc.StatusCode.OK, None, received
        except grpc.RpcError as err:
            return err.code(), err.details(), received

    def duplex(stub, sizes):
        request = pb.StreamingOutputCallRequest(response_parameters=[
            pb.ResponseParameters(size=size) for size in sizes])
        try:
            received = [len(r.payload.body) for r in
                        stub.FullDuplexCall(iter([request]), timeout=CALL_TIMEOUT)]
            return grpc.StatusCode.OK, None, received
        except grpc.RpcError as err:
            return err.code(), err.details(), None

    def default_limit(port):
        # No receive limit on this client: the server's limit is what counts.
        with grpc.insecure_channel("127.0.0.1:%d" % port, options=[
                ("grpc.max_receive_message_length", -1)]) as channel:
            stub = test_pb2_grpc.TestServiceStub(channel)
            expect("unary at the limit", unary(stub, DEFAULT_LIMIT),
                          (grpc.StatusCode.OK, DEFAULT_LIMIT))
            for size in (DEFAULT_LIMIT + 1, 1 << 30):
                expect("unary of %d bytes" % size, unary(stub, size),
                              (grpc.StatusCode.RESOURCE_EXHAUSTED,
                               refusal(size, DEFAULT_LIMIT)))
            # Refused before the first response is sent.
            expect("server streaming", streaming(stub, [10, 1 << 30]),
                          (grpc.StatusCode.RESOURCE_EXHAUSTED,
                           refusal(1 << 30, DEFAULT_LIMIT), []))
            expect("full duplex", duplex(stub, [1 << 30]),
                          (grpc.StatusCode.RESOURCE_EXHAUSTED,
                           refusal(1 << 30, DEFAULT_LIMIT), None))

    def flag_limit(port):
        with grpc.insecure_channel("127.0.0.1:%d" % port) as channel:
            stub = test_pb2_grpc.TestServiceStub(channel)
            expect("unary at --max_response_size=1000", unary(stub, 1000),
                          (grpc.StatusCode.OK, 1000))
            expect("unary over --max_response_size=1000", unary(stub, 1001),
                          (grpc.StatusCode.RESOURCE_EXHAUSTED, refusal(1001, 1000)))
            expect("server streaming under --max_response_size=1000",
                          streaming(stub, [1000, 10]),
                          (grpc.StatusCode.OK, None, [1000, 10]))

    with_server(args, [], "127.0.0.1", default_limit)
    with_server(args, ["--max_response_size=1000"], "127.0.0.1", flag_limit)


def check_ipv6(args):
    def run_clients(port):
        for host in ("::1", "[::1]"):
            cmd = [os.path.join(args.bin, "interop_client"), "--server_host=" + host,
                   "--server_port=%d" % port, "--test_case=large_unary"]
            try:
                done = subprocess.run(cmd, stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT, timeout=CLIENT_TIMEOUT)
                out = done.stdout.decode("utf-8", "replace").strip()
                expect("interop_client --server_host=%s" % host,
                              (done.returncode, out.splitlines()[-1] if out else ""),
                              (0, "large_unary: passed"))
            except subprocess.TimeoutExpired:
                raise CheckFailed("interop_client --server_host=%s timed out" % host)

    with_server(args, [], "::1", run_clients)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True)
    parser.add_argument("--stubs")
    parser.add_argument("check", choices=["response_size", "ipv6"])
    args = parser.parse_args()
    try:
        if args.check == "response_size":
            if not args.stubs:
                parser.error("response_size needs --stubs")
            check_response_size(args)
        else:
            check_ipv6(args)
    except CheckFailed as failure:
        print("FAIL: %s" % failure, file=sys.stderr)
        print("%s: FAILED" % args.check)
        return 1
    print("%s: passed" % args.check)
    return 0

if __name__ == "__main__":
    sys.exit(main())
