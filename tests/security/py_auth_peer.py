#!/usr/bin/python3
"""A python3-grpcio peer of examples/auth over TLS: the Identity service and
a client of it, to check grpc-c's TLS, mutual TLS and bearer tokens against
an implementation we did not write.

  py_auth_peer.py --stubs DIR server
      Serves on 127.0.0.1:$PORT (0: any free port) with TLS_CERT/TLS_KEY,
      requiring client certificates signed by TLS_CLIENT_CA when it is set,
      and "authorization: Bearer $AUTH_TOKEN" (default demo-token) on every
      call. Prints "listening on port N"; stops on SIGTERM.
  py_auth_peer.py --stubs DIR client [--expect-code NAME]
                  [--expect-san SAN] TARGET
      Calls WhoAmI over TLS (CA from TLS_CA, optional TLS_CLIENT_CERT/KEY,
      server name TLS_SERVER_NAME) with the token AUTH_TOKEN (none when it
      is "-"). Exits 0 when the call ends with the expected code (OK by
      default) and, on OK, the server saw principal "demo-user" over TLS.
"""
import argparse
import os
import signal
import sys
import threading
from concurrent import futures


def read(path):
    with open(path, "rb") as f:
        return f.read()


def token_value():
    return "Bearer " + (os.environ.get("AUTH_TOKEN") or "demo-token")


def serve(grpc, pb2, pb2_grpc):
    class Identity(pb2_grpc.IdentityServicer):
        def WhoAmI(self, request, context):
            metadata = dict(context.invocation_metadata())
            auth = metadata.get("authorization")
            if auth is None:
                context.abort(grpc.StatusCode.UNAUTHENTICATED,
                              "missing bearer token")
            if auth != token_value():
                context.abort(grpc.StatusCode.UNAUTHENTICATED,
                              "invalid bearer token")
            props = context.auth_context()
            sans = props.get("x509_subject_alternative_name", [])
            subject = props.get("x509_subject", [b""])
            return pb2.CallerIdentity(
                principal="demo-user",
                secure=props.get("transport_security_type") == [b"ssl"],
                client_subject=subject[0].decode(),
                client_san=sans[0].decode() if sans else "")

    client_ca = os.environ.get("TLS_CLIENT_CA")
    creds = grpc.ssl_server_credentials(
        [(read(os.environ["TLS_KEY"]), read(os.environ["TLS_CERT"]))],
        root_certificates=read(client_ca) if client_ca else None,
        require_client_auth=bool(client_ca))
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    pb2_grpc.add_IdentityServicer_to_server(Identity(), server)
    port = server.add_secure_port(
        "127.0.0.1:%s" % os.environ.get("PORT", "0"), creds)
    server.start()
    print("py_auth_peer listening on port %d" % port, flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait(300)  # bounded: the test driver stops us long before
    server.stop(1).wait(5)
    return 0


def call(grpc, pb2, pb2_grpc, args):
    cert, key = os.environ.get("TLS_CLIENT_CERT"), os.environ.get(
        "TLS_CLIENT_KEY")
    creds = grpc.ssl_channel_credentials(
        root_certificates=read(os.environ["TLS_CA"]),
        private_key=read(key) if key else None,
        certificate_chain=read(cert) if cert else None)
    options = []
    if os.environ.get("TLS_SERVER_NAME"):
        options.append(("grpc.ssl_target_name_override",
                        os.environ["TLS_SERVER_NAME"]))
    metadata = []
    if os.environ.get("AUTH_TOKEN") != "-":
        metadata.append(("authorization", token_value()))
    with grpc.secure_channel(args.target, creds, options) as channel:
        stub = pb2_grpc.IdentityStub(channel)
        try:
            reply = stub.WhoAmI(pb2.IdentityQuery(), metadata=metadata,
                                timeout=10)
            code, details = grpc.StatusCode.OK, ""
        except grpc.RpcError as e:
            code, details = e.code(), e.details()
    print("py_auth_peer: %s %s" % (code.name, details))
    if code.name != args.expect_code:
        print("FAIL: expected %s" % args.expect_code)
        return 1
    if code == grpc.StatusCode.OK:
        print("whoami: principal=%r secure=%r client_san=%r" %
              (reply.principal, reply.secure, reply.client_san))
        if reply.principal != "demo-user" or not reply.secure:
            print("FAIL: unexpected identity")
            return 1
        if args.expect_san is not None and reply.client_san != args.expect_san:
            print("FAIL: expected client SAN %r" % args.expect_san)
            return 1
    return 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--stubs", required=True)
    sub = parser.add_subparsers(dest="mode", required=True)
    sub.add_parser("server")
    client = sub.add_parser("client")
    client.add_argument("--expect-code", default="OK")
    client.add_argument("--expect-san")
    client.add_argument("target")
    args = parser.parse_args()
    sys.path.insert(0, args.stubs)
    import grpc
    import auth_pb2 as pb2
    import auth_pb2_grpc as pb2_grpc
    if args.mode == "server":
        return serve(grpc, pb2, pb2_grpc)
    return call(grpc, pb2, pb2_grpc, args)


if __name__ == "__main__":
    sys.exit(main())
