"""Checks the file descriptors protoc-gen-grpc-c embeds, as dump.c prints
them, against protoc's own --descriptor_set_out for the same protos.

With reflection on, each file's bytes must parse as a FileDescriptorProto
equal to protoc's, its symbol list must be strictly sorted by bytes (as
strcmp() sorts) and equal to the names computed here from protoc's
descriptor, and its extensions must match. In every mode the dependencies
must name the file's imports in order, and each service must point at the
file that declares it. With reflection off (NO_REFLECTION) the files of the
build have no descriptor, symbols or extensions; the well-known types come
from libgrpc-c-wkt, whose mode (--wkt-mode) is that of grpc-c's build.

--expect-mismatch flips one byte of the first descriptor before checking
and succeeds only if the check then fails: it proves the check looks.

Usage: check_descriptors.py --dump EXE --protoc PROTOC --proto-dir DIR
       --wkt-dir DIR --mode on|off --wkt-mode on|off [--expect-mismatch]
       PROTO...
Run with /usr/bin/python3 (python3-protobuf).
"""
import argparse
import os
import subprocess
import sys
import tempfile

from google.protobuf import descriptor_pb2

# Files that come from libgrpc-c-wkt.
WKT_PREFIX = 'google/protobuf/'


class Mismatch(Exception):
    pass


def parse_dump(text):
    files = []
    current = None
    for line in text.splitlines():
        key, _, rest = line.partition(' ')
        if key == 'file':
            current = {'name': rest, 'dependencies': [], 'symbols': [],
                       'extensions': [], 'services': []}
        elif key == 'package':
            current['package'] = rest
        elif key == 'descriptor':
            size, _, data = rest.partition(' ')
            current['size'] = int(size)
            current['descriptor'] = None if data == 'NULL' else bytes.fromhex(data)
        elif key == 'dependency':
            current['dependencies'].append(rest)
        elif key == 'symbol':
            current['symbols'].append(rest)
        elif key == 'extension':
            extendee, number, name = rest.split(' ')
            current['extensions'].append((extendee, int(number), name))
        elif key == 'service':
            current['services'].append(tuple(rest.split(' ')))
        elif key == 'end':
            files.append(current)
            current = None
        else:
            raise Mismatch('unexpected line from the dump: %r' % line)
    return files


def scoped(scope, name):
    return scope + '.' + name if scope else name


def expected_symbols_and_extensions(proto):
    symbols = []
    extensions = []

    def add_extension(field, scope):
        symbols.append(scoped(scope, field.name))
        extensions.append((field.extendee.lstrip('.'), field.number,
                           scoped(scope, field.name)))

    def add_enum(enum, scope):
        symbols.append(scoped(scope, enum.name))
        # Values live beside their enum, not inside it.
        symbols.extend(scoped(scope, value.name) for value in enum.value)

    def add_message(message, scope):
        full = scoped(scope, message.name)
        symbols.append(full)
        symbols.extend(scoped(full, field.name) for field in message.field)
        symbols.extend(scoped(full, oneof.name) for oneof in message.oneof_decl)
        for enum in message.enum_type:
            add_enum(enum, full)
        for field in message.extension:
            add_extension(field, full)
        for nested in message.nested_type:
            add_message(nested, full)

    package = proto.package
    for service in proto.service:
        full = scoped(package, service.name)
        symbols.append(full)
        symbols.extend(scoped(full, method.name) for method in service.method)
    for enum in proto.enum_type:
        add_enum(enum, package)
    for field in proto.extension:
        add_extension(field, package)
    for message in proto.message_type:
        add_message(message, package)
    return symbols, extensions


def check_file(dumped, proto, reflection):
    name = dumped['name']
    if dumped['package'] != proto.package:
        raise Mismatch('%s: package %r, expected %r'
                       % (name, dumped['package'], proto.package))
    if dumped['dependencies'] != list(proto.dependency):
        raise Mismatch('%s: dependencies %r, expected %r'
                       % (name, dumped['dependencies'], list(proto.dependency)))
    for service, file in dumped['services']:
        if file != name:
            raise Mismatch('%s: service %s points at file %s'
                           % (name, service, file))

    if not reflection:
        if (dumped['descriptor'] is not None or dumped['size'] != 0
                or dumped['symbols'] or dumped['extensions']):
            raise Mismatch('%s: reflection=off, yet descriptor %s (%d bytes), '
                           '%d symbols, %d extensions'
                           % (name, 'set' if dumped['descriptor'] else 'NULL',
                              dumped['size'], len(dumped['symbols']),
                              len(dumped['extensions'])))
        return

    data = dumped['descriptor']
    if data is None or len(data) != dumped['size']:
        raise Mismatch('%s: descriptor missing or size %d wrong'
                       % (name, dumped['size']))
    embedded = descriptor_pb2.FileDescriptorProto()
    try:
        embedded.ParseFromString(data)
    except Exception as error:  # DecodeError and friends
        raise Mismatch('%s: descriptor bytes do not parse: %s' % (name, error))
    if embedded != proto:
        raise Mismatch('%s: embedded descriptor differs from protoc\'s:\n'
                       '--- embedded\n%s\n--- protoc\n%s'
                       % (name, embedded, proto))

    symbols = dumped['symbols']
    encoded = [symbol.encode() for symbol in symbols]
    if any(a >= b for a, b in zip(encoded, encoded[1:])):
        raise Mismatch('%s: symbols not strictly sorted: %r' % (name, symbols))
    expected, extensions = expected_symbols_and_extensions(proto)
    if symbols != sorted(expected, key=str.encode):
        raise Mismatch('%s: symbols differ\n  missing %r\n  extra %r'
                       % (name, sorted(set(expected) - set(symbols)),
                          sorted(set(symbols) - set(expected))))
    if dumped['extensions'] != extensions:
        raise Mismatch('%s: extensions %r, expected %r'
                       % (name, dumped['extensions'], extensions))


def run(args):
    dump = subprocess.run([args.dump], check=True, stdout=subprocess.PIPE)
    files = parse_dump(dump.stdout.decode())
    if args.expect_mismatch:
        first = files[0]
        if first['descriptor'] is None:
            raise SystemExit('--expect-mismatch needs a descriptor to break')
        data = bytearray(first['descriptor'])
        data[len(data) // 2] ^= 0x01
        first['descriptor'] = bytes(data)

    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, 'set.pb')
        subprocess.run([args.protoc, '-I' + args.proto_dir, '-I' + args.wkt_dir,
                        '--include_imports', '--descriptor_set_out=' + out]
                       + args.protos, check=True)
        descriptor_set = descriptor_pb2.FileDescriptorSet()
        with open(out, 'rb') as stream:
            descriptor_set.ParseFromString(stream.read())
    by_name = {proto.name: proto for proto in descriptor_set.file}

    for dumped in files:
        proto = by_name.get(dumped['name'])
        if proto is None:
            raise Mismatch('%s: not among protoc\'s files' % dumped['name'])
        mode = (args.wkt_mode if dumped['name'].startswith(WKT_PREFIX)
                else args.mode)
        reflection = mode == 'on'
        check_file(dumped, proto, reflection)
    return len(files)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--dump', required=True)
    parser.add_argument('--protoc', required=True)
    parser.add_argument('--proto-dir', required=True)
    parser.add_argument('--wkt-dir', required=True)
    parser.add_argument('--mode', choices=('on', 'off'), required=True)
    parser.add_argument('--wkt-mode', choices=('on', 'off'), required=True)
    parser.add_argument('--expect-mismatch', action='store_true')
    parser.add_argument('protos', nargs='+')
    args = parser.parse_args()
    try:
        count = run(args)
    except Mismatch as error:
        if args.expect_mismatch:
            print('the broken descriptor was caught: %s'
                  % str(error).splitlines()[0])
            return 0
        print('FAIL: %s' % error, file=sys.stderr)
        return 1
    if args.expect_mismatch:
        print('FAIL: a broken descriptor passed the check', file=sys.stderr)
        return 1
    print('%d file descriptors match protoc\'s (reflection %s)'
          % (count, args.mode))
    return 0


if __name__ == '__main__':
    sys.exit(main())
