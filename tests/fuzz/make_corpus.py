#!/usr/bin/python3
"""Regenerates the seed corpora under tests/fuzz/corpus/<target>/.

  /usr/bin/python3 tests/fuzz/make_corpus.py [--protoc protoc] [--out DIR]

plugin/    one CodeGeneratorRequest per golden proto (tests/golden/protos)
           and per plugin test proto (tests/plugin/protos, whose collisions,
           groups and imports reach the generator's error paths), built as
           protoc builds them for a plugin: the file to generate, every file
           it imports (dependencies first), the source info of the generated
           file only (comments reach the output), alternately with and
           without the `skeleton` parameter; plus a bad parameter.
unpack/    fuzz.Request messages (tests/fuzz/protos/fuzz.proto) under each
           buffer mode of fuzz_unpack.c: plain in 1 and 3 slices, gzipped and
           deflated by the target, already gzipped, beyond the limit.
metadata/  records for fuzz_metadata.c: valid and invalid keys and values,
           binary values, compression settings, received entries.

Needs /usr/bin/python3 with python3-protobuf (Debian) and protoc. Files are
written in a fixed order with fixed content, so a rerun changes nothing
unless the protos or this script changed.
"""
import argparse
import gzip
import os
import shutil
import struct
import subprocess
import sys
import tempfile

from google.protobuf import descriptor_pb2
from google.protobuf.compiler import plugin_pb2

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, '..', '..'))


def protos_under(directory):
    found = []
    for dirpath, _, names in os.walk(directory):
        for name in names:
            if name.endswith('.proto'):
                found.append(os.path.relpath(os.path.join(dirpath, name), directory))
    return sorted(found)


def request_for(protoc, root, proto, parameter, tmp):
    out = os.path.join(tmp, 'set.pb')
    subprocess.run([protoc, '-I' + root, '--include_imports', '--include_source_info',
                    '--descriptor_set_out=' + out, os.path.join(root, proto)], check=True)
    files = descriptor_pb2.FileDescriptorSet()
    with open(out, 'rb') as f:
        files.ParseFromString(f.read())
    request = plugin_pb2.CodeGeneratorRequest()
    request.file_to_generate.append(proto)
    if parameter:
        request.parameter = parameter
    request.compiler_version.major = 3
    request.compiler_version.minor = 21
    request.compiler_version.patch = 12
    for file in files.file:
        if file.name != proto:
            file.ClearField('source_code_info')  # keeps the seeds small
        request.proto_file.append(file)
    return request.SerializeToString(deterministic=True)


def write(directory, name, data):
    with open(os.path.join(directory, name), 'wb') as f:
        f.write(data)


def plugin_corpus(protoc, out, tmp):
    roots = [os.path.join(ROOT, 'tests', 'golden', 'protos'),
             os.path.join(ROOT, 'tests', 'plugin', 'protos')]
    index = 0
    for root in roots:
        for proto in protos_under(root):
            parameter = 'skeleton' if index % 2 == 0 else ''
            name = proto.replace('/', '_').replace('.proto', '.req')
            write(out, name, request_for(protoc, root, proto, parameter, tmp))
            index += 1
    hello = os.path.join(ROOT, 'tests', 'golden', 'protos')
    write(out, 'bad_parameter.req',
          request_for(protoc, hello, 'helloworld.proto', 'skeleton,colour=red', tmp))


def unpack_corpus(protoc, out, tmp):
    proto_dir = os.path.join(HERE, 'protos')
    subprocess.run([protoc, '-I' + proto_dir, '--python_out=' + tmp,
                    os.path.join(proto_dir, 'fuzz.proto')], check=True)
    sys.path.insert(0, tmp)
    import fuzz_pb2  # noqa: E402 (generated just above)

    messages = {}
    messages['empty'] = fuzz_pb2.Request()
    m = fuzz_pb2.Request(i32=-1, i64=-(1 << 62), u32=7, u64=(1 << 64) - 1, s32=-5,
                         f32=9, f64=10, sf32=-11, d=1.5, f=2.5, flag=True,
                         text='hello', payload=b'\x00\x01\xff', kind=fuzz_pb2.KIND_B)
    messages['scalars'] = m
    m = fuzz_pb2.Request(packed_ints=[1, -2, 300], names=['a', 'bb', ''],
                         packed_doubles=[0.5, -0.25], unpacked=[1, 2, 3])
    m.inners.add(name='x', delta=-3)
    m.inners.add(name='y')
    messages['repeated'] = m
    m = fuzz_pb2.Request(choice_inner=fuzz_pb2.Inner(name='in'))
    m.counts['a'] = 1
    m.counts['b'] = -2
    messages['oneof_map'] = m
    m = fuzz_pb2.Request()
    inner = m.inner
    for depth in range(12):
        inner.name = 'd%d' % depth
        inner = inner.child
    messages['nested'] = m
    messages['large_text'] = fuzz_pb2.Request(text='t' * 600, payload=bytes(range(256)))

    def header(mode, slices, limit_bits):
        return bytes([mode | ((slices - 1) << 2) | (limit_bits << 4), 0x5a])

    for name, message in messages.items():
        data = message.SerializeToString(deterministic=True)
        write(out, name + '_plain', header(0, 1, 15) + data)
        write(out, name + '_three_slices', header(0, 3, 10) + data)
        write(out, name + '_gzip', header(1, 2, 12) + data)
        write(out, name + '_deflate', header(2, 1, 12) + data)
        write(out, name + '_gzipped', header(3, 4, 12) + gzip.compress(data, mtime=0))
    big = messages['large_text'].SerializeToString(deterministic=True)
    write(out, 'over_the_limit_plain', header(0, 1, 4) + big)
    write(out, 'over_the_limit_inflated', header(1, 1, 6) + big)
    write(out, 'gzip_bomb', header(3, 1, 9) + gzip.compress(b'\0' * 65536, mtime=0))
    write(out, 'not_a_message', header(0, 2, 15) + b'\xff\xff\xff\xff\xff\x0f')
    write(out, 'not_gzip', header(3, 1, 15) + b'\x1f\x8b\x08\x00garbage')


def metadata_corpus(out):
    def record(op, key, value):
        return bytes([op, len(key)]) + key + bytes([len(value)]) + value

    seeds = {
        'text': record(0, b'x-user', b'alice') + record(0, b'x-user', b'bob'),
        'binary': record(0, b'trace-bin', b'\x00\x01\xfe\xff') + record(3, b'empty-bin', b''),
        'invalid_keys': (record(0, b'X-Upper', b'v') + record(0, b'grpc-status', b'0') +
                         record(0, b'', b'v') + record(0, b'sp ace', b'v') +
                         record(0, b'-bin', b'\x01') + record(0, b'nul\x00key', b'v')),
        'invalid_values': (record(0, b'x-ctl', b'a\nb') + record(0, b'x-del', b'\x7f') +
                           record(3, b'x-null', b'abc')),
        'compression': (record(1 | (2 << 2), b'', b'') + record(1 | (1 << 2), b'', b'') +
                        record(1, struct.pack('<i', -1), b'') +
                        record(1, struct.pack('<i', 3), b'') + record(0, b'a', b'b')),
        'received': (record(2, b'x-a', b'1') + record(2, b'x-a', b'2') +
                     record(2, b'bin\x00cut', b'\x00\x00') + record(2, b'', b'')),
        'mixed': b''.join(record(i % 4, b'k%d' % i, b'v' * i) for i in range(40)),
    }
    for name, data in seeds.items():
        write(out, name, data)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--protoc', default='protoc')
    parser.add_argument('--out', default=os.path.join(HERE, 'corpus'))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for target in ('plugin', 'unpack', 'metadata'):
            directory = os.path.join(args.out, target)
            shutil.rmtree(directory, ignore_errors=True)
            os.makedirs(directory)
        plugin_corpus(args.protoc, os.path.join(args.out, 'plugin'), tmp)
        unpack_corpus(args.protoc, os.path.join(args.out, 'unpack'), tmp)
        metadata_corpus(os.path.join(args.out, 'metadata'))


if __name__ == '__main__':
    main()
