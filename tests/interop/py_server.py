#!/usr/bin/python3
"""Interop server on python3-grpcio with the semantics of protos/interop.proto.

Usage: py_server.py [--stubs DIR] [PORT]
The port comes from the argument, else $PORT, else 0 (any free port); the
server binds 127.0.0.1, prints "listening on port N" and stops on SIGTERM or
SIGINT, exiting 0. DIR holds interop_pb2.py and interop_pb2_grpc.py (made by
protoc --python_out --grpc_python_out); default: $INTEROP_PY_STUBS.
"""
import argparse
import os
import signal
import sys
import threading
import time
from concurrent import futures


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stubs", default=os.environ.get("INTEROP_PY_STUBS"))
    parser.add_argument("port", nargs="?", default=os.environ.get("PORT", "0"))
    return parser.parse_args()


ARGS = parse_args()
if ARGS.stubs:
    sys.path.insert(0, ARGS.stubs)

import grpc  # noqa: E402
import interop_pb2 as pb  # noqa: E402
import interop_pb2_grpc as pb_grpc  # noqa: E402

CODES = {code.value[0]: code for code in grpc.StatusCode}


def status_code(value):
    return CODES.get(value, grpc.StatusCode.UNKNOWN)


def request_metadata(context):
    """The first "x-echo" (text) and "x-echo-bin" (bytes) values sent."""
    text, binary = None, None
    for key, value in context.invocation_metadata():
        if key == "x-echo" and text is None:
            text = value
        elif key == "x-echo-bin" and binary is None:
            binary = value
    return text, binary


def announce(context, text):
    """Echoes x-echo as initial metadata "x-echo" and trailing "x-echo-trailer"."""
    if text is not None:
        context.send_initial_metadata((("x-echo", text),))
        context.set_trailing_metadata((("x-echo-trailer", text),))


def echo(request, text, binary, index=0):
    response = pb.EchoResponse(
        message=request.message,
        payload=request.payload,
        count=request.count,
        numbers=request.numbers,
        tags=request.tags,
        color=request.color,
        big=request.big,
        ratio=request.ratio,
        flag=request.flag,
        index=index,
        echo_metadata=text or "",
        echo_metadata_bin=binary or b"",
    )
    if request.HasField("shape"):
        response.shape.CopyFrom(request.shape)
    return response


class Interop(pb_grpc.InteropServicer):
    # NotImplementedByServer is deliberately not overridden: the generated
    # base class answers UNIMPLEMENTED.

    def UnaryEcho(self, request, context):
        text, binary = request_metadata(context)
        announce(context, text)
        if request.sleep_ms > 0:
            end = time.monotonic() + request.sleep_ms / 1000.0
            while time.monotonic() < end and context.is_active():
                time.sleep(0.005)
            if not context.is_active():
                remaining = context.time_remaining()
                if remaining is not None and remaining <= 0:
                    context.abort(grpc.StatusCode.DEADLINE_EXCEEDED, "deadline exceeded while sleeping")
                context.abort(grpc.StatusCode.CANCELLED, "cancelled while sleeping")
        if request.fail_with_code:
            context.abort(status_code(request.fail_with_code), request.fail_message)
        return echo(request, text, binary)

    def ServerStream(self, request, context):
        text, binary = request_metadata(context)
        announce(context, text)
        for i in range(request.count):
            yield pb.EchoResponse(
                message="%s%d" % (request.prefix, i),
                index=i,
                echo_metadata=text or "",
                echo_metadata_bin=binary or b"",
            )
        if request.fail_with_code:
            context.abort(status_code(request.fail_with_code), request.fail_message)

    def ClientStream(self, request_iterator, context):
        text, binary = request_metadata(context)
        announce(context, text)
        parts, numbers = [], []
        for request in request_iterator:
            if request.fail_with_code:
                context.abort(status_code(request.fail_with_code), request.fail_message)
            parts.append(request.message)
            numbers.append(request.count)
        return pb.EchoResponse(
            message="".join(parts),
            count=len(parts),
            numbers=numbers,
            echo_metadata=text or "",
            echo_metadata_bin=binary or b"",
        )

    def Bidi(self, request_iterator, context):
        text, binary = request_metadata(context)
        announce(context, text)
        for index, request in enumerate(request_iterator):
            if request.fail_with_code:
                context.abort(status_code(request.fail_with_code), request.fail_message)
            yield echo(request, text, binary, index)


def main():
    try:
        port = int(ARGS.port)
    except ValueError:
        print("py_server: bad port %r" % ARGS.port, file=sys.stderr)
        return 2
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16))
    pb_grpc.add_InteropServicer_to_server(Interop(), server)
    bound = server.add_insecure_port("127.0.0.1:%d" % port)
    if bound == 0:
        print("py_server: cannot listen on 127.0.0.1:%d" % port, file=sys.stderr)
        return 1
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    signal.signal(signal.SIGINT, lambda signum, frame: stop.set())
    server.start()
    print("listening on port %d" % bound, flush=True)
    while not stop.wait(0.1):
        pass
    server.stop(grace=2).wait(10)
    print("py_server: stopped", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
