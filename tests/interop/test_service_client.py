#!/usr/bin/python3
"""The standard gRPC interop test client on python3-grpcio, a peer for
interop_server: runs one test case, exits 0 only when it passed.

Usage: test_service_client.py --stubs DIR --server_port=N --test_case=NAME
           [--server_host=H] [--use_tls=true [--use_test_ca=true]
            [--ca_file=PEM] [--server_host_override=NAME]]

python3-grpcio hides the compressed flag of received messages and cannot
send one message of a compressed client stream uncompressed: the compression
cases check what it can (see docs/interop.md).
"""
import argparse
import json
import os
import sys

from peer_util import Outbox, boolean

HERE = os.path.dirname(os.path.abspath(__file__))
CALL_TIMEOUT = 30.0  # seconds for calls that should end at once


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stubs", required=True)
    parser.add_argument("--server_host", default="localhost")
    parser.add_argument("--server_port", type=int, required=True)
    parser.add_argument("--test_case", required=True)
    parser.add_argument("--use_tls", type=boolean, default=False)
    parser.add_argument("--use_test_ca", type=boolean, default=False)
    parser.add_argument("--ca_file", default=os.path.join(HERE, "..", "certs", "ca.pem"))
    parser.add_argument("--server_host_override", default=None)
    return parser.parse_args()


ARGS = parse_args()
sys.path.insert(0, ARGS.stubs)

import grpc  # noqa: E402
import empty_pb2  # noqa: E402
import messages_pb2 as pb  # noqa: E402
import test_pb2_grpc  # noqa: E402

ECHO_INITIAL = ("x-grpc-test-echo-initial", "test_initial_metadata_value")
ECHO_TRAILING = ("x-grpc-test-echo-trailing-bin", b"\xab\xab\xab")


class Failed(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failed(message)


def expect_code(step, error, want):
    got = error.code() if error is not None else grpc.StatusCode.OK
    check(got == want, "%s: status %s (%s), expected %s" % (
        step, got.name, error.details() if error is not None else "", want.name))


def check_payload(step, payload, size):
    check(len(payload.body) == size,
          "%s: payload of %d bytes, expected %d" % (step, len(payload.body), size))
    check(payload.body == bytes(size), "%s: payload is not all zeros" % step)


def large_request(**fields):
    return pb.SimpleRequest(response_size=314159,
                            payload=pb.Payload(body=bytes(271828)), **fields)


def unary(stub, step, request, want=grpc.StatusCode.OK, **kwargs):
    try:
        response = stub.UnaryCall(request, timeout=CALL_TIMEOUT, **kwargs)
        error = None
    except grpc.RpcError as e:
        response, error = None, e
    expect_code(step, error, want)
    return response, error


def empty_unary(stub, channel):
    response = stub.EmptyCall(empty_pb2.Empty(), timeout=CALL_TIMEOUT)
    check(response is not None, "EmptyCall: no response")


def large_unary(stub, channel):
    response, _ = unary(stub, "UnaryCall", large_request())
    check_payload("UnaryCall", response.payload, 314159)


def client_compressed_unary(stub, channel):
    unary(stub, "probe (uncompressed, expect_compressed)",
          large_request(expect_compressed=pb.BoolValue(value=True)),
          grpc.StatusCode.INVALID_ARGUMENT)
    response, _ = unary(stub, "compressed request",
                        large_request(expect_compressed=pb.BoolValue(value=True)),
                        compression=grpc.Compression.Gzip)
    check_payload("compressed request", response.payload, 314159)
    response, _ = unary(stub, "uncompressed request",
                        large_request(expect_compressed=pb.BoolValue(value=False)))
    check_payload("uncompressed request", response.payload, 314159)


def server_compressed_unary(stub, channel):
    for value in (True, False):
        step = "response_compressed=%s" % value
        response, _ = unary(stub, step, large_request(
            response_compressed=pb.BoolValue(value=value)))
        check_payload(step, response.payload, 314159)


def input_call(stub, step, requests, want, total=None, **kwargs):
    try:
        response = stub.StreamingInputCall(iter(requests), timeout=CALL_TIMEOUT, **kwargs)
        error = None
    except grpc.RpcError as e:
        response, error = None, e
    expect_code(step, error, want)
    if total is not None:
        check(response.aggregated_payload_size == total,
              "%s: aggregated_payload_size %d, expected %d" % (
                  step, response.aggregated_payload_size, total))


def client_streaming(stub, channel):
    requests = [pb.StreamingInputCallRequest(payload=pb.Payload(body=bytes(n)))
                for n in (27182, 8, 1828, 45904)]
    input_call(stub, "StreamingInputCall", requests, grpc.StatusCode.OK, 74922)


def client_compressed_streaming(stub, channel):
    probe = pb.StreamingInputCallRequest(expect_compressed=pb.BoolValue(value=True),
                                         payload=pb.Payload(body=bytes(27182)))
    input_call(stub, "probe (uncompressed, expect_compressed)", [probe],
               grpc.StatusCode.INVALID_ARGUMENT)
    # grpcio compresses every message of the call: the second one, which
    # should go uncompressed, cannot opt out.
    second = pb.StreamingInputCallRequest(expect_compressed=pb.BoolValue(value=False),
                                          payload=pb.Payload(body=bytes(45904)))
    input_call(stub, "compressed then uncompressed", [probe, second],
               grpc.StatusCode.OK, 73086, compression=grpc.Compression.Gzip)


def output_call(stub, sizes, compressed=None):
    request = pb.StreamingOutputCallRequest()
    for i, size in enumerate(sizes):
        param = request.response_parameters.add(size=size)
        if compressed is not None:
            param.compressed.value = compressed[i]
    got = [len(r.payload.body) for r in
           stub.StreamingOutputCall(request, timeout=CALL_TIMEOUT)]
    check(got == list(sizes), "StreamingOutputCall: response sizes %s, expected %s"
          % (got, list(sizes)))


def server_streaming(stub, channel):
    output_call(stub, (31415, 9, 2653, 58979))


def server_compressed_streaming(stub, channel):
    output_call(stub, (31415, 92653), (True, False))


def duplex_request(response_size, payload_size):
    request = pb.StreamingOutputCallRequest(payload=pb.Payload(body=bytes(payload_size)))
    if response_size is not None:
        request.response_parameters.add(size=response_size)
    return request


def ping_pong(stub, channel):
    requests = Outbox(CALL_TIMEOUT)
    call = stub.FullDuplexCall(requests, timeout=CALL_TIMEOUT)
    try:
        for i, (out, size) in enumerate(((31415, 27182), (9, 8), (2653, 1828),
                                         (58979, 45904))):
            requests.put(duplex_request(out, size))
            response = next(call)
            check_payload("ping_pong round %d" % (i + 1), response.payload, out)
        requests.close()
        check(next(call, None) is None, "FullDuplexCall: a fifth response")
    except Failed:
        call.cancel()
        raise
    check(call.code() == grpc.StatusCode.OK, "FullDuplexCall: status %s" % call.code())


def empty_stream(stub, channel):
    got = list(stub.FullDuplexCall(iter(()), timeout=CALL_TIMEOUT))
    check(not got, "FullDuplexCall: %d responses to no request" % len(got))


def timeout_on_sleeping_server(stub, channel):
    requests = Outbox(CALL_TIMEOUT)
    requests.put(duplex_request(None, 27182))
    call = stub.FullDuplexCall(requests, timeout=0.001)
    try:
        for _ in call:
            pass
        error = None
    except grpc.RpcError as e:
        error = e
    requests.close()
    expect_code("FullDuplexCall with a 1 ms timeout", error,
                grpc.StatusCode.DEADLINE_EXCEEDED)


def cancel_after_begin(stub, channel):
    requests = Outbox(CALL_TIMEOUT)
    future = stub.StreamingInputCall.future(requests, timeout=CALL_TIMEOUT)
    future.cancel()
    requests.close()
    check(future.cancelled(), "StreamingInputCall: not cancelled")
    check(future.code() == grpc.StatusCode.CANCELLED,
          "StreamingInputCall: status %s, expected CANCELLED" % future.code())


def cancel_after_first_response(stub, channel):
    requests = Outbox(CALL_TIMEOUT)
    call = stub.FullDuplexCall(requests, timeout=CALL_TIMEOUT)
    requests.put(duplex_request(31415, 27182))
    check_payload("FullDuplexCall", next(call).payload, 31415)
    call.cancel()
    requests.close()
    check(call.code() == grpc.StatusCode.CANCELLED,
          "FullDuplexCall: status %s, expected CANCELLED" % call.code())


def unary_status(stub, message):
    _, error = unary(stub, "UnaryCall",
                     pb.SimpleRequest(response_status=pb.EchoStatus(code=2, message=message)),
                     grpc.StatusCode.UNKNOWN)
    check(error.details() == message, "UnaryCall: status message %r, expected %r"
          % (error.details(), message))


def status_code_and_message(stub, channel):
    message = "test status message"
    unary_status(stub, message)
    request = pb.StreamingOutputCallRequest(
        response_status=pb.EchoStatus(code=2, message=message))
    try:
        list(stub.FullDuplexCall(iter([request]), timeout=CALL_TIMEOUT))
        error = None
    except grpc.RpcError as e:
        error = e
    expect_code("FullDuplexCall", error, grpc.StatusCode.UNKNOWN)
    check(error.details() == message, "FullDuplexCall: status message %r, expected %r"
          % (error.details(), message))


def special_status_message(stub, channel):
    unary_status(stub, "\t\ntest with whitespace\r\nand Unicode BMP \u263a and "
                 "non-BMP \U0001f608\t\n")


def check_echo(step, initial, trailing):
    check(ECHO_INITIAL in list(initial),
          "%s: %s missing or wrong in the initial metadata" % (step, ECHO_INITIAL[0]))
    check(ECHO_TRAILING in list(trailing),
          "%s: %s missing or wrong in the trailing metadata" % (step, ECHO_TRAILING[0]))


def custom_metadata(stub, channel):
    metadata = (ECHO_INITIAL, ECHO_TRAILING)
    response, call = stub.UnaryCall.with_call(large_request(), metadata=metadata,
                                              timeout=CALL_TIMEOUT)
    check_payload("UnaryCall", response.payload, 314159)
    check_echo("UnaryCall", call.initial_metadata(), call.trailing_metadata())
    call = stub.FullDuplexCall(iter([duplex_request(314159, 271828)]),
                               metadata=metadata, timeout=CALL_TIMEOUT)
    sizes = [len(r.payload.body) for r in call]
    check(sizes == [314159], "FullDuplexCall: response sizes %s" % sizes)
    check_echo("FullDuplexCall", call.initial_metadata(), call.trailing_metadata())


def unimplemented_method(stub, channel):
    try:
        stub.UnimplementedCall(empty_pb2.Empty(), timeout=CALL_TIMEOUT)
        error = None
    except grpc.RpcError as e:
        error = e
    expect_code("TestService/UnimplementedCall", error, grpc.StatusCode.UNIMPLEMENTED)


def unimplemented_service(stub, channel):
    other = test_pb2_grpc.UnimplementedServiceStub(channel)
    try:
        other.UnimplementedCall(empty_pb2.Empty(), timeout=CALL_TIMEOUT)
        error = None
    except grpc.RpcError as e:
        error = e
    expect_code("UnimplementedService/UnimplementedCall", error,
                grpc.StatusCode.UNIMPLEMENTED)


def pick_first_unary(stub, channel):
    config = json.dumps({"loadBalancingConfig": [{"pick_first": {}}]})
    with make_channel([("grpc.service_config", config)]) as pick_first:
        first = None
        for i in range(100):
            response = test_pb2_grpc.TestServiceStub(pick_first).UnaryCall(
                pb.SimpleRequest(fill_server_id=True), timeout=CALL_TIMEOUT)
            check(response.server_id, "UnaryCall %d: no server_id" % (i + 1))
            first = first or response.server_id
            check(response.server_id == first, "UnaryCall %d: server_id %r, earlier %r"
                  % (i + 1, response.server_id, first))


CASES = {f.__name__: f for f in (
    empty_unary, large_unary, client_streaming, server_streaming, ping_pong,
    empty_stream, timeout_on_sleeping_server, cancel_after_begin,
    cancel_after_first_response, status_code_and_message, special_status_message,
    custom_metadata, unimplemented_method, unimplemented_service,
    client_compressed_unary, client_compressed_streaming, server_compressed_unary,
    server_compressed_streaming, pick_first_unary)}


def make_channel(extra_options=()):
    target = "%s:%d" % (ARGS.server_host, ARGS.server_port)
    options = list(extra_options)
    override = ARGS.server_host_override
    if ARGS.use_tls:
        if override is None and ARGS.use_test_ca:
            override = "foo.test.google.fr"
        roots = None
        if ARGS.use_test_ca:
            with open(ARGS.ca_file, "rb") as f:
                roots = f.read()
        if override:
            options.append(("grpc.ssl_target_name_override", override))
        return grpc.secure_channel(target, grpc.ssl_channel_credentials(roots), options)
    if override:
        options.append(("grpc.default_authority", override))
    return grpc.insecure_channel(target, options)


def main():
    case = CASES.get(ARGS.test_case)
    if case is None:
        print("test_service_client.py: unknown --test_case; one of: %s"
              % ", ".join(CASES), file=sys.stderr)
        return 2
    with make_channel() as channel:
        try:
            case(test_pb2_grpc.TestServiceStub(channel), channel)
        except Failed as e:
            print("%s: FAILED: %s" % (ARGS.test_case, e), file=sys.stderr)
            return 1
        except grpc.RpcError as e:
            print("%s: FAILED: status %s (%s)" % (ARGS.test_case, e.code().name,
                                                  e.details()), file=sys.stderr)
            return 1
    print("%s: passed" % ARGS.test_case)
    return 0


if __name__ == "__main__":
    sys.exit(main())
