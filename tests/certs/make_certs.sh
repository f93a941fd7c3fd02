#!/usr/bin/env bash
# Regenerates the test PKI used by the TLS tests, the interop programs and
# examples/auth. Run from anywhere:   tests/certs/make_certs.sh
# Everything here is for loopback tests only: the private keys are public.
#   ca.pem / ca.key          test CA ("grpc-c test CA")
#   server.pem / server.key  server certificate signed by ca: CN localhost,
#                            SANs localhost, 127.0.0.1, ::1, *.test.google.fr
#                            (the name the standard interop clients expect)
#   client.pem / client.key  client certificate signed by ca: CN grpc-c test client,
#                            SAN URI spiffe://grpc-c.test/client
#   other_ca.pem / .key      an unrelated CA, for "wrong CA" tests
#   other_client.pem / .key  a client certificate signed by other_ca
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
DAYS=36500
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

make_ca() { # name cn
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days $DAYS \
    -keyout "$1.key" -out "$1.pem" -subj "/O=grpc-c tests/CN=$2" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}

make_leaf() { # name ca cn extfile-lines
  local name=$1 ca=$2 cn=$3 ext=$4
  printf '%b\n' "$ext" > "$tmp/$name.ext"
  openssl req -newkey rsa:2048 -nodes -sha256 -keyout "$name.key" \
    -out "$tmp/$name.csr" -subj "/O=grpc-c tests/CN=$cn" 2>/dev/null
  openssl x509 -req -in "$tmp/$name.csr" -CA "$ca.pem" -CAkey "$ca.key" \
    -CAcreateserial -CAserial "$tmp/$ca.srl" -days $DAYS -sha256 \
    -extfile "$tmp/$name.ext" -out "$name.pem" 2>/dev/null
}

make_ca ca "grpc-c test CA"
make_ca other_ca "grpc-c other test CA"
make_leaf server ca localhost \
  "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1,DNS:*.test.google.fr"
make_leaf client ca "grpc-c test client" \
  "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\nsubjectAltName=URI:spiffe://grpc-c.test/client,DNS:client.grpc-c.test"
make_leaf other_client other_ca "grpc-c other client" \
  "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\nsubjectAltName=DNS:other.grpc-c.test"
chmod 0644 ./*.key
echo "wrote $(ls ./*.pem ./*.key | tr '\n' ' ')"
