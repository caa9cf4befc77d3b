#!/bin/sh
# Builds the sample images that ship with qcow4j, so that a fresh clone can try the tool without qemu-img:
#   base.qcow2    64 MiB, deflate-compressed and plain clusters, a zero range
#   sample.qcow2  a zstd-compressed overlay on base.qcow2 (relative backing name, backing format qcow2)
# 16 KiB clusters keep the metadata, and so the files, small (about 400 KiB together).
# The committed files were made by this script; run it again only to change them (needs qemu-img and qemu-io).
# Usage: sample/make-sample.sh [OUTPUT_DIR]   (default: the directory of this script)
set -eu

out=${1:-$(dirname "$(readlink -f "$0")")}
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# One 64 KiB cluster holding a text and zero padding: what `qcow2 read --length 512` shows.
cluster_with_text() {
    cat > "$work/$1.txt"
    cp "$work/$1.txt" "$work/$1"
    truncate -s 64K "$work/$1"
}

cluster_with_text overlay-banner <<'TEXT'
qcow4j sample disk
==================
You are reading guest offset 0 of sample/sample.qcow2: a zstd-compressed
cluster of a qcow2 overlay, whose backing file sample/base.qcow2 supplies
the rest of this 64 MiB disk (deflate-compressed text at 4 MiB, plain
clusters at 1 MiB, zeros everywhere else).
TEXT

cluster_with_text base-banner <<'TEXT'
qcow4j sample disk, base layer
==============================
This is guest offset 0 of sample/base.qcow2. In sample/sample.qcow2 the
overlay's own first cluster hides it.
TEXT

# 1 MiB of numbered lines: compresses well, and shows where each byte came from.
awk 'BEGIN { for (i = 0; i < 16384; i++) printf "base line %05d of the text area\n", i }' > "$work/lines"
truncate -s 1M "$work/lines"
awk 'BEGIN { for (i = 0; i < 4096; i++) printf "overlay line %04d, over the base\n", i }' > "$work/overlay-lines"
truncate -s 128K "$work/overlay-lines"
awk 'BEGIN { for (i = 0; i < 2048; i++) printf "plain overlay cluster, line %04d\n", i }' > "$work/plain"
truncate -s 64K "$work/plain"

rm -f "$out/base.qcow2" "$out/sample.qcow2"
qemu-img create -q -f qcow2 -o cluster_size=16K,compression_type=zlib "$out/base.qcow2" 64M
qemu-io -f qcow2 \
    -c "write -q -c -s $work/base-banner 0 64K" \
    -c "write -q -P 0x5a 1M 128K" \
    -c "write -q -c -s $work/lines 4M 1M" \
    -c "write -q -z 8M 1M" \
    "$out/base.qcow2"

# The backing name is stored as given: relative to the overlay's directory.
(cd "$out" && qemu-img create -q -f qcow2 -o cluster_size=16K,compression_type=zstd -b base.qcow2 -F qcow2 sample.qcow2)
qemu-io -f qcow2 \
    -c "write -q -c -s $work/overlay-banner 0 64K" \
    -c "write -q -z 1M 64K" \
    -c "write -q -c -s $work/overlay-lines 4352K 128K" \
    -c "write -q -s $work/plain 16M 64K" \
    "$out/sample.qcow2"

qemu-img check -q "$out/base.qcow2"
qemu-img check -q "$out/sample.qcow2"
ls -ls "$out/base.qcow2" "$out/sample.qcow2" >&2
