#!/usr/bin/env bash
# Remakes the seed corpus of Qcow2FuzzTest.openAndRead with qemu-img and qemu-io: one small image per feature
# (v2, v3, 512-byte clusters, deflate, zstd, extended L2, a snapshot, a bitmap, a backing file, a data file), each a
# few KiB but the extended L2 one (16 KiB clusters at least). Findings saved by the fuzzer sit in the same directory
# under the names Jazzer gives them (crash-*, timeout-*): keep those.
set -euo pipefail
out="$(cd "$(dirname "$0")" && pwd)/Qcow2FuzzTestInputs/openAndRead"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

python3 - <<'PY'
import random
r = random.Random(3)
text = b'qcow4j fuzz seed: the quick brown fox jumps over the lazy dog\n'
b = bytearray(16384 + 512)
for i in range(0, 1500): b[i] = text[i % len(text)]
for i in range(4096, 4096 + 600): b[i] = r.randrange(256)
for i in range(8192, 8192 + 4096): b[i] = b'0123456789abcdef'[r.randrange(16)]
open('content.raw', 'wb').write(b)
PY
size=16896
convert() { qemu-img convert -S 512 "$@"; }
io() { qemu-io -f qcow2 "$@" >/dev/null; }

convert -O qcow2 -o compat=0.10,cluster_size=512 content.raw v2-512.qcow2
convert -O qcow2 -o compat=1.1,cluster_size=512 content.raw v3-512.qcow2
io -c "write -z 1024 512" -c "write -z 16k 512" v3-512.qcow2
convert -c -O qcow2 -o compat=0.10,cluster_size=4k content.raw v2-4k-deflate.qcow2
convert -c -O qcow2 -o compat=1.1,cluster_size=4k content.raw v3-4k-deflate.qcow2
convert -c -O qcow2 -o compat=1.1,cluster_size=4k,compression_type=zstd content.raw v3-4k-zstd.qcow2
convert -O qcow2 -o compat=1.1,cluster_size=512 content.raw v3-512-snapshot.qcow2
qemu-img snapshot -c s1 v3-512-snapshot.qcow2
io -c "write -P 0x55 0 1k" v3-512-snapshot.qcow2
qemu-img create -q -f qcow2 -o cluster_size=16k,extended_l2=on v3-16k-extl2.qcow2 49664
io -c "write -P 0x41 512 1k" -c "write -z 4k 1k" -c "write -P 0x42 16384 512" -c "write -c -P 0x46 32k 16k" \
    v3-16k-extl2.qcow2
truncate -s $size base.raw
qemu-img create -q -f qcow2 -o cluster_size=512 -b base.raw -F raw v3-512-backing.qcow2 $size
io -c "write -P 0x43 512 512" v3-512-backing.qcow2
qemu-img create -q -f qcow2 -o cluster_size=512 v3-512-bitmap.qcow2 $size
qemu-img bitmap --add v3-512-bitmap.qcow2 b0
io -c "write -P 0x44 0 512" v3-512-bitmap.qcow2
qemu-img create -q -f qcow2 -o cluster_size=512,data_file=data.raw v3-512-datafile.qcow2 $size
io -c "write -P 0x45 0 512" v3-512-datafile.qcow2

mkdir -p "$out"
cp ./*.qcow2 "$out/"
ls -l "$out"
