#!/usr/bin/python3
"""Generates Python stubs of the grpc.testing interop protos for the Python
peers (test_service_server.py, test_service_client.py).

Usage: make_testing_stubs.py --protoc PROTOC --plugin GRPC_PYTHON_PLUGIN
                             --proto-dir DIR --out OUT

The protos are copied into OUT/protos with their imports flattened
("grpc/testing/empty.proto" becomes "empty.proto") before protoc runs: a
generated package named grpc.testing would collide with the grpc module of
python3-grpcio. The wire names (package grpc.testing) do not change. Writes
OUT/empty_pb2.py, OUT/messages_pb2.py, OUT/test_pb2.py and OUT/test_pb2_grpc.py.
"""
import argparse
import os
import re
import subprocess
import sys

PROTOS = ("empty.proto", "messages.proto", "test.proto")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--protoc", required=True)
    parser.add_argument("--plugin", required=True)
    parser.add_argument("--proto-dir", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    flat = os.path.join(args.out, "protos")
    os.makedirs(flat, exist_ok=True)
    for name in PROTOS:
        with open(os.path.join(args.proto_dir, "grpc", "testing", name)) as f:
            text = f.read()
        text = re.sub(r'import "grpc/testing/([a-z_]+\.proto)";',
                      r'import "\1";', text)
        with open(os.path.join(flat, name), "w") as f:
            f.write(text)
    command = [args.protoc, "-I" + flat, "--python_out=" + args.out,
               "--grpc_python_out=" + args.out,
               "--plugin=protoc-gen-grpc_python=" + args.plugin]
    command += [os.path.join(flat, name) for name in PROTOS]
    return subprocess.run(command, timeout=120).returncode


if __name__ == "__main__":
    sys.exit(main())
