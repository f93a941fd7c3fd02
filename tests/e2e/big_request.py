"""Sends one unary request of a given size to /e2e.Echo/Unary and prints
the status code name (OK or the error): a client that is not in the
server's process, so the server's memory can be measured alone.

    big_request.py PORT BYTES
"""
import sys, grpc
port, size = sys.argv[1], int(sys.argv[2])
def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7f; n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n: return bytes(out)
payload = b'\x2a' + varint(size) + b'\x00' * size
ch = grpc.insecure_channel('127.0.0.1:' + port, options=[('grpc.max_send_message_length', -1), ('grpc.max_receive_message_length', -1)])
call = ch.unary_unary('/e2e.Echo/Unary', request_serializer=None, response_deserializer=None)
try:
    call(payload, timeout=60)
    print('OK', flush=True)
except grpc.RpcError as e:
    print(e.code().name, e.details(), flush=True)
