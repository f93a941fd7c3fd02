#!/usr/bin/python3
"""A python3-grpcio peer that sends bytes which are no valid e2e.EchoRequest
to a grpc-c Echo server (test_fault --child server), on every RPC kind, and
expects INTERNAL for each; then a well-formed call must still succeed.

Usage: py_malformed.py 127.0.0.1:PORT   (run by tests/interop/run_pair.py,
which starts the server and stops it with SIGTERM; the server must exit 0,
so under the ASan build LeakSanitizer found nothing.)

Calls are generic (bytes in, bytes out): no generated stubs are needed.
Exits 0 only when every case passed.
"""
import sys

import grpc

# EchoRequest: 1 text (string), 2 sleep_ms (int32), 5 payload (bytes), ...
MALFORMED = {
    'truncated tag': b'\xff',
    'tag without value': b'\x10',
    'length beyond the message': b'\x0a\x05ab',
    'length of 2^32': b'\x0a\xff\xff\xff\xff\x0f',
    'varint of 11 bytes': b'\x10' + b'\xff' * 10 + b'\x01',
    'string field as fixed32': b'\x0d\x01\x02\x03\x04',
    'end-group without start': b'\x0c',
}
VALID = b'\x0a\x02hi'  # text: "hi"
TIMEOUT = 10


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    failures = 0
    with grpc.insecure_channel(sys.argv[1]) as channel:
        grpc.channel_ready_future(channel).result(timeout=TIMEOUT)
        unary = channel.unary_unary('/e2e.Echo/Unary')
        server_stream = channel.unary_stream('/e2e.Echo/ServerStream')
        client_stream = channel.stream_unary('/e2e.Echo/ClientStream')
        bidi = channel.stream_stream('/e2e.Echo/Bidi')
        kinds = {
            'unary': lambda data: unary(data, timeout=TIMEOUT),
            'server streaming': lambda data: list(server_stream(data, timeout=TIMEOUT)),
            'client streaming': lambda data: client_stream(iter([VALID, data]),
                                                           timeout=TIMEOUT),
            'bidi': lambda data: list(bidi(iter([data]), timeout=TIMEOUT)),
        }
        for name, data in MALFORMED.items():
            for kind, call in kinds.items():
                try:
                    call(data)
                    code = grpc.StatusCode.OK
                except grpc.RpcError as error:
                    code = error.code()
                ok = code == grpc.StatusCode.INTERNAL
                failures += not ok
                print('%s %s, %s: %s' % ('ok  ' if ok else 'FAIL', kind, name, code.name))
        reply = unary(VALID, timeout=TIMEOUT)
        ok = b'hi' in reply
        failures += not ok
        print('%s a well-formed call afterwards' % ('ok  ' if ok else 'FAIL'))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
