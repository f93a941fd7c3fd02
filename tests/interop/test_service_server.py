#!/usr/bin/python3
"""The standard gRPC interop test server (grpc.testing.TestService) on
python3-grpcio, a peer for interop_client.

Usage: test_service_server.py --stubs DIR [--port=N] [--bind_host=ADDR] [--use_tls=true
           --tls_cert_file=PEM --tls_key_file=PEM]

DIR holds the stubs made by make_testing_stubs.py. Prints "listening on port
N" once serving and stops on SIGTERM or SIGINT, exiting 0.

python3-grpcio does not tell a handler whether a request arrived compressed,
so this server cannot check expect_compressed (CompressedRequest); it serves
those requests like any other.
"""
import argparse
import os
import signal
import socket
import sys
import threading
import time
from concurrent import futures

from peer_util import boolean

HERE = os.path.dirname(os.path.abspath(__file__))
CERTS = os.path.join(HERE, "..", "certs")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stubs", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--bind_host", default="[::]")
    parser.add_argument("--use_tls", type=boolean, default=False)
    parser.add_argument("--tls_cert_file", default=os.path.join(CERTS, "server.pem"))
    parser.add_argument("--tls_key_file", default=os.path.join(CERTS, "server.key"))
    return parser.parse_args()


ARGS = parse_args()
sys.path.insert(0, ARGS.stubs)

import grpc  # noqa: E402
import empty_pb2  # noqa: E402
import messages_pb2  # noqa: E402
import test_pb2_grpc  # noqa: E402

CODES = {code.value[0]: code for code in grpc.StatusCode}
ECHO_INITIAL = "x-grpc-test-echo-initial"
ECHO_TRAILING = "x-grpc-test-echo-trailing-bin"
SERVER_ID = "grpc-python-interop-%s-%d" % (socket.gethostname(), os.getpid())


def echo_metadata(context):
    initial, trailing = [], []
    for key, value in context.invocation_metadata():
        if key == ECHO_INITIAL:
            initial.append((key, value))
        elif key == ECHO_TRAILING:
            trailing.append((key, value))
    if initial:
        context.send_initial_metadata(initial)
    if trailing:
        context.set_trailing_metadata(trailing)


def abort_on_echo_status(status, context):
    if status is not None and status.code != 0:
        context.abort(CODES.get(status.code, grpc.StatusCode.UNKNOWN), status.message)


def check_response_type(response_type, context):
    if response_type != messages_pb2.COMPRESSABLE:
        context.abort(grpc.StatusCode.INVALID_ARGUMENT,
                      "unsupported response_type %d" % response_type)


def responses(request, context):
    """One response per parameter: the interval first, then the payload,
    compressed only when the parameter asks."""
    abort_on_echo_status(request.response_status
                         if request.HasField("response_status") else None, context)
    check_response_type(request.response_type, context)
    for param in request.response_parameters:
        if param.interval_us > 0:
            time.sleep(param.interval_us / 1e6)
        if not (param.HasField("compressed") and param.compressed.value):
            context.disable_next_message_compression()
        yield messages_pb2.StreamingOutputCallResponse(
            payload=messages_pb2.Payload(body=bytes(param.size)))


class TestService(test_pb2_grpc.TestServiceServicer):
    def EmptyCall(self, request, context):
        echo_metadata(context)
        return empty_pb2.Empty()

    def UnaryCall(self, request, context):
        echo_metadata(context)
        if request.HasField("response_compressed"):
            context.set_compression(grpc.Compression.Gzip
                                    if request.response_compressed.value
                                    else grpc.Compression.NoCompression)
        abort_on_echo_status(request.response_status
                             if request.HasField("response_status") else None, context)
        check_response_type(request.response_type, context)
        if request.response_size < 0:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "negative response_size")
        response = messages_pb2.SimpleResponse()
        if request.response_size > 0:
            response.payload.body = bytes(request.response_size)
        if request.fill_server_id:
            response.server_id = SERVER_ID
        return response

    def CacheableUnaryCall(self, request, context):
        context.send_initial_metadata([("cache-control", "max-age=60")])
        stamp = str(time.time_ns()).encode()
        return messages_pb2.SimpleResponse(payload=messages_pb2.Payload(body=stamp))

    def StreamingOutputCall(self, request, context):
        echo_metadata(context)
        context.set_compression(grpc.Compression.Gzip)
        yield from responses(request, context)

    def StreamingInputCall(self, request_iterator, context):
        echo_metadata(context)
        total = sum(len(request.payload.body) for request in request_iterator)
        return messages_pb2.StreamingInputCallResponse(aggregated_payload_size=total)

    def FullDuplexCall(self, request_iterator, context):
        echo_metadata(context)
        context.set_compression(grpc.Compression.Gzip)
        for request in request_iterator:
            yield from responses(request, context)

    def HalfDuplexCall(self, request_iterator, context):
        echo_metadata(context)
        context.set_compression(grpc.Compression.Gzip)
        held = list(request_iterator)
        for request in held:
            yield from responses(request, context)


def main():
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16))
    test_pb2_grpc.add_TestServiceServicer_to_server(TestService(), server)
    address = "%s:%d" % (ARGS.bind_host, ARGS.port)
    if ARGS.use_tls:
        with open(ARGS.tls_key_file, "rb") as f:
            key = f.read()
        with open(ARGS.tls_cert_file, "rb") as f:
            cert = f.read()
        port = server.add_secure_port(address, grpc.ssl_server_credentials([(key, cert)]))
    else:
        port = server.add_insecure_port(address)
    if port == 0:
        print("test_service_server.py: cannot listen on %s" % address, file=sys.stderr)
        return 1
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    server.start()
    print("test_service_server.py listening on port %d" % port, flush=True)
    while not stop.wait(0.5):
        pass
    server.stop(grace=2).wait(timeout=5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
