#!/usr/bin/python3
"""Interop client on python3-grpcio: runs every case of the interop suite
against TARGET (host:port) and prints "PASS name" or "FAIL name: why" per case.
Exits 0 only when every case passes.

Usage: py_client.py [--stubs DIR] [--only NAME[,NAME...]] TARGET
The cases and their names are the same as in c_client.c.
"""
import argparse
import os
import sys
import time


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stubs", default=os.environ.get("INTEROP_PY_STUBS"))
    parser.add_argument("--only", default="", help="comma-separated case names")
    parser.add_argument("target")
    return parser.parse_args()


ARGS = parse_args()
if ARGS.stubs:
    sys.path.insert(0, ARGS.stubs)

import grpc  # noqa: E402
from google.protobuf import text_format  # noqa: E402
import interop_pb2 as pb  # noqa: E402
import interop_pb2_grpc as pb_grpc  # noqa: E402
from peer_util import Outbox  # noqa: E402

CALL_TIMEOUT = 10.0  # seconds; every call is bounded
UTF8_MESSAGE = "fehlgeschlagen: \u00fc \u2713"


class Fail(Exception):
    pass


def check(condition, why):
    if not condition:
        raise Fail(why)


def short(message):
    """A protobuf message on one line, for failure reasons."""
    return "{%s}" % text_format.MessageToString(message, as_one_line=True, as_utf8=True)


def expect_error(call, code, message=None):
    """Runs call(); it must raise an RpcError with `code` (and `message`)."""
    try:
        result = call()
    except grpc.RpcError as err:
        check(err.code() == code, "expected %s, got %s %r" % (code.name, err.code().name, err.details()))
        if message is not None:
            check(err.details() == message, "expected message %r, got %r" % (message, err.details()))
        return err
    shown = short(result) if hasattr(result, "ListFields") else repr(result)
    raise Fail("expected %s, got OK (%s)" % (code.name, shown))


def full_request():
    request = pb.EchoRequest(
        message="h\u00e9llo, w\u00f6rld \u2713",
        payload=bytes(range(256)),
        count=42,
        numbers=[1, -2, 2147483647, -2147483648, 0],
        tags=["alpha", "", "gamma \u2713"],
        color=pb.COLOR_BLUE,
        big=-9007199254740993,
        ratio=0.1,
        flag=True,
    )
    request.shape.kind = pb.Shape.KIND_CIRCLE
    for x, y in ((1, 2), (-3, -4), (0, 0)):
        request.shape.points.add(x=x, y=y)
    request.shape.label.text = "unit circle"
    return request


def check_echo(response, request):
    for field in ("message", "payload", "count", "color", "big", "ratio", "flag"):
        check(getattr(response, field) == getattr(request, field),
              "%s: sent %r, got %r" % (field, getattr(request, field), getattr(response, field)))
    check(list(response.numbers) == list(request.numbers),
          "numbers: sent %r, got %r" % (list(request.numbers), list(response.numbers)))
    check(list(response.tags) == list(request.tags),
          "tags: sent %r, got %r" % (list(request.tags), list(response.tags)))
    check(response.HasField("shape") == request.HasField("shape"), "shape presence differs")
    check(response.shape == request.shape, "shape: sent %s, got %s" % (short(request.shape), short(response.shape)))


# ---- cases: each takes the stub and the channel and raises Fail ----

def unary_echo(stub, channel):
    request = full_request()
    check_echo(stub.UnaryEcho(request, timeout=CALL_TIMEOUT), request)


def unary_empty_message(stub, channel):
    response = stub.UnaryEcho(pb.EchoRequest(), timeout=CALL_TIMEOUT)
    check(response == pb.EchoResponse(), "expected an empty response, got %s" % short(response))


def unary_status_error(stub, channel):
    request = pb.EchoRequest(fail_with_code=grpc.StatusCode.NOT_FOUND.value[0],
                             fail_message="no such thing: 42")
    expect_error(lambda: stub.UnaryEcho(request, timeout=CALL_TIMEOUT),
                 grpc.StatusCode.NOT_FOUND, "no such thing: 42")


def unary_status_error_utf8(stub, channel):
    request = pb.EchoRequest(fail_with_code=grpc.StatusCode.FAILED_PRECONDITION.value[0],
                             fail_message=UTF8_MESSAGE)
    expect_error(lambda: stub.UnaryEcho(request, timeout=CALL_TIMEOUT),
                 grpc.StatusCode.FAILED_PRECONDITION, UTF8_MESSAGE)


def unary_large_payload_1mib(stub, channel):
    payload = bytes((i * 131 + 7) & 0xFF for i in range(1 << 20))
    response = stub.UnaryEcho(pb.EchoRequest(payload=payload), timeout=CALL_TIMEOUT)
    check(len(response.payload) == len(payload),
          "sent %d bytes, got %d" % (len(payload), len(response.payload)))
    check(response.payload == payload, "payload bytes differ")


def unary_async_20(stub, channel):
    futures = [stub.UnaryEcho.future(pb.EchoRequest(message="async-%d" % i, count=i),
                                     timeout=CALL_TIMEOUT) for i in range(20)]
    for i, future in enumerate(futures):
        response = future.result(timeout=CALL_TIMEOUT + 5)
        check(response.message == "async-%d" % i and response.count == i,
              "call %d: %r count %d" % (i, response.message, response.count))


def read_server_stream(stub, count, prefix, fail_code=0, fail_message="", metadata=None):
    request = pb.StreamRequest(count=count, prefix=prefix, fail_with_code=fail_code,
                               fail_message=fail_message)
    responses = stub.ServerStream(request, timeout=CALL_TIMEOUT, metadata=metadata)
    got = []
    try:
        for response in responses:
            got.append(response)
    except grpc.RpcError as err:
        return got, err
    return got, responses


def check_stream_items(got, count, prefix):
    check(len(got) == count, "expected %d messages, got %d" % (count, len(got)))
    for i, response in enumerate(got):
        check(response.message == "%s%d" % (prefix, i) and response.index == i,
              "message %d: got %r index %d" % (i, response.message, response.index))


def server_stream_100(stub, channel):
    got, call = read_server_stream(stub, 100, "item-", metadata=(("x-echo", "stream-md"),))
    check(call.code() == grpc.StatusCode.OK, "status %s %r" % (call.code().name, call.details()))
    check_stream_items(got, 100, "item-")
    check(all(r.echo_metadata == "stream-md" for r in got), "x-echo not seen by the server")
    check(("x-echo", "stream-md") in tuple(call.initial_metadata()),
          "initial metadata: %r" % (call.initial_metadata(),))


def server_stream_0(stub, channel):
    got, call = read_server_stream(stub, 0, "none-")
    check(call.code() == grpc.StatusCode.OK, "status %s %r" % (call.code().name, call.details()))
    check(len(got) == 0, "expected no messages, got %d" % len(got))


def server_stream_error_after_messages(stub, channel):
    got, call = read_server_stream(stub, 3, "x", grpc.StatusCode.ABORTED.value[0], "stopped after 3")
    check(call.code() == grpc.StatusCode.ABORTED,
          "expected ABORTED, got %s %r" % (call.code().name, call.details()))
    check(call.details() == "stopped after 3", "message %r" % call.details())
    check_stream_items(got, 3, "x")


def client_stream_100(stub, channel):
    requests = (pb.EchoRequest(message="m%d" % i, count=i) for i in range(100))
    response = stub.ClientStream(requests, timeout=CALL_TIMEOUT)
    check(response.count == 100, "count %d" % response.count)
    check(response.message == "".join("m%d" % i for i in range(100)), "message %r" % response.message)
    check(list(response.numbers) == list(range(100)), "numbers %r" % list(response.numbers))


def client_stream_status_error(stub, channel):
    requests = iter([pb.EchoRequest(fail_with_code=grpc.StatusCode.INVALID_ARGUMENT.value[0],
                                    fail_message="bad item 0")])
    expect_error(lambda: stub.ClientStream(requests, timeout=CALL_TIMEOUT),
                 grpc.StatusCode.INVALID_ARGUMENT, "bad item 0")


def bidi_ping_pong_50(stub, channel):
    outbox = Outbox(CALL_TIMEOUT)
    responses = stub.Bidi(outbox, timeout=CALL_TIMEOUT)
    try:
        for i in range(50):
            outbox.put(pb.EchoRequest(message="ping-%d" % i, count=i))
            response = next(responses)
            check(response.message == "ping-%d" % i and response.index == i and response.count == i,
                  "reply %d: %r index %d count %d" % (i, response.message, response.index, response.count))
        outbox.close()
        rest = list(responses)
        check(not rest, "%d unexpected replies after half-close" % len(rest))
        check(responses.code() == grpc.StatusCode.OK, "status %s" % responses.code().name)
    finally:
        outbox.close()
        responses.cancel()


def bidi_write_all_then_read_all_50(stub, channel):
    requests = [pb.EchoRequest(message="all-%d" % i, count=i) for i in range(50)]
    responses = stub.Bidi(iter(requests), timeout=CALL_TIMEOUT)
    got = list(responses)
    check(len(got) == 50, "expected 50 replies, got %d" % len(got))
    for i, response in enumerate(got):
        check(response.message == "all-%d" % i and response.index == i,
              "reply %d: %r index %d" % (i, response.message, response.index))
    check(responses.code() == grpc.StatusCode.OK, "status %s" % responses.code().name)


def bidi_status_error(stub, channel):
    outbox = Outbox(CALL_TIMEOUT)
    responses = stub.Bidi(outbox, timeout=CALL_TIMEOUT)
    try:
        outbox.put(pb.EchoRequest(message="first"))
        first = next(responses)
        check(first.message == "first", "first reply %r" % first.message)
        outbox.put(pb.EchoRequest(fail_with_code=grpc.StatusCode.PERMISSION_DENIED.value[0],
                                  fail_message="denied \u2713"))
        outbox.close()
        expect_error(lambda: next(responses), grpc.StatusCode.PERMISSION_DENIED, "denied \u2713")
    finally:
        outbox.close()
        responses.cancel()


def deadline_exceeded(stub, channel):
    start = time.monotonic()
    expect_error(lambda: stub.UnaryEcho(pb.EchoRequest(sleep_ms=2000), timeout=0.2),
                 grpc.StatusCode.DEADLINE_EXCEEDED)
    elapsed = time.monotonic() - start
    check(0.15 <= elapsed < 1.5, "the call took %.3f s with a 200 ms deadline" % elapsed)


def unimplemented_method(stub, channel):
    expect_error(lambda: stub.NotImplementedByServer(pb.EchoRequest(), timeout=CALL_TIMEOUT),
                 grpc.StatusCode.UNIMPLEMENTED)


def unknown_method_path(stub, channel):
    call = channel.unary_unary("/grpcc.interop.Interop/NoSuchMethod",
                               request_serializer=pb.EchoRequest.SerializeToString,
                               response_deserializer=pb.EchoResponse.FromString)
    expect_error(lambda: call(pb.EchoRequest(message="?"), timeout=CALL_TIMEOUT),
                 grpc.StatusCode.UNIMPLEMENTED)


def metadata_echo(stub, channel):
    binary = b"\x00\x01\xfe\xff"
    response, call = stub.UnaryEcho.with_call(
        pb.EchoRequest(message="md"), timeout=CALL_TIMEOUT,
        metadata=(("x-echo", "hello-metadata-123"), ("x-echo-bin", binary)))
    check(response.echo_metadata == "hello-metadata-123",
          "server saw x-echo %r" % response.echo_metadata)
    check(response.echo_metadata_bin == binary,
          "server saw x-echo-bin %r" % response.echo_metadata_bin)
    initial = tuple(call.initial_metadata())
    trailing = tuple(call.trailing_metadata())
    check(("x-echo", "hello-metadata-123") in initial, "initial metadata: %r" % (initial,))
    check(("x-echo-trailer", "hello-metadata-123") in trailing, "trailing metadata: %r" % (trailing,))


CASES = [
    unary_echo,
    unary_empty_message,
    unary_status_error,
    unary_status_error_utf8,
    unary_large_payload_1mib,
    unary_async_20,
    server_stream_100,
    server_stream_0,
    server_stream_error_after_messages,
    client_stream_100,
    client_stream_status_error,
    bidi_ping_pong_50,
    bidi_write_all_then_read_all_50,
    bidi_status_error,
    deadline_exceeded,
    unimplemented_method,
    unknown_method_path,
    metadata_echo,
]


def main():
    only = [name for name in ARGS.only.split(",") if name]
    unknown = set(only) - {case.__name__ for case in CASES}
    if unknown:
        print("py_client: unknown case(s): %s" % ", ".join(sorted(unknown)), file=sys.stderr)
        return 2
    failed = 0
    with grpc.insecure_channel(ARGS.target) as channel:
        try:
            grpc.channel_ready_future(channel).result(timeout=CALL_TIMEOUT)
        except grpc.FutureTimeoutError:
            print("FAIL connect: %s not ready after %.0f s" % (ARGS.target, CALL_TIMEOUT), flush=True)
            return 1
        stub = pb_grpc.InteropStub(channel)
        for case in CASES:
            if only and case.__name__ not in only:
                continue
            try:
                case(stub, channel)
                print("PASS %s" % case.__name__, flush=True)
            except Fail as err:
                failed += 1
                print("FAIL %s: %s" % (case.__name__, err), flush=True)
            except grpc.RpcError as err:
                failed += 1
                print("FAIL %s: unexpected %s %r" % (case.__name__, err.code().name, err.details()), flush=True)
            except Exception as err:  # a broken case must not hide the others
                failed += 1
                print("FAIL %s: %s: %s" % (case.__name__, type(err).__name__, err), flush=True)
    print("%d of %d cases failed" % (failed, len(CASES) if not only else len(only)), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
