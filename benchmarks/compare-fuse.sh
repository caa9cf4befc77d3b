#!/bin/bash
# compare-fuse.sh: qcow4j's FUSE mount against qemu-storage-daemon's FUSE export, on the same images, in one run.
#
#   benchmarks/compare-fuse.sh [WORKDIR]        (root: it drops the page cache between runs)
#
# For a deflate-compressed qcow2 image and an uncompressed one (both about 1 GiB of real data, made once in WORKDIR,
# default /var/tmp/qcow4j-fuse-bench), it mounts the image with both servers side by side and measures, taking turns
# between them run by run (on a shared virtual machine the speed of the host drifts over minutes, and turns let both
# servers see the same drift),
#   - sequential reads: dd bs=1M of the whole raw file, page cache dropped before each run, best of $RUNS (3),
#     and the CPU the whole machine spent per GiB (on a machine with few cores, throughput is CPU over CPU per GiB);
#   - random 4 KiB reads: fio, 4 jobs, O_DIRECT (every read reaches the server), $RUNTIME (10) seconds, best of
#     $RAND_RUNS (1);
# and prints MB/s, IOPS and the ratios ours / qemu-storage-daemon.
#
# Ours is bin/mount-qcow2, as users run it (built with Maven on first use); set QCOW4J_MOUNT to another mount command
# (such as "java -cp cli/target/qcow2.jar io.qcow4j.cli.Qcow2Command mount") to measure that instead.
# Needs: qemu-img, qemu-storage-daemon (qemu-system-common), fio, fusermount, python3.
set -euo pipefail

root=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
work=${1:-/var/tmp/qcow4j-fuse-bench}
runs=${RUNS:-3}
rand_runs=${RAND_RUNS:-1}
runtime=${RUNTIME:-10}
data_size=${DATA_SIZE:-1024}   # MiB of guest data

die() { echo "compare-fuse: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "run as root: the page cache is dropped between runs (/proc/sys/vm/drop_caches)"
for tool in qemu-img qemu-storage-daemon fio fusermount python3 dd; do
    command -v "$tool" >/dev/null || die "$tool is not installed"
done
[ -e /dev/fuse ] || die "/dev/fuse is missing"
mkdir -p "$work"

# --- ours: the command that mounts IMAGE on a directory and returns once the file is readable ------------------
# by default the launcher users run (it builds the jar on first use); QCOW4J_MOUNT names another command
read -r -a ours_cmd <<<"${QCOW4J_MOUNT:-$root/bin/mount-qcow2}"

# --- images -----------------------------------------------------------------------------------------------------
source_raw="$work/source.raw"
if [ ! -s "$source_raw" ]; then
    echo "making ${data_size} MiB of disk-like data (a tar of /usr, repeated as needed) ..." >&2
    # executables, libraries and text: compresses like a real system disk, unlike random bytes or zeros
    # the loop ends when head has enough and tar dies of SIGPIPE (status 141)
    ( status=0; while [ "$status" -lt 128 ]; do tar cf - /usr 2>/dev/null; status=$?; done ) \
        | head -c "$((data_size << 20))" >"$source_raw.tmp" || true
    mv "$source_raw.tmp" "$source_raw"
fi
deflate="$work/deflate.qcow2"
plain="$work/plain.qcow2"
[ -s "$deflate" ] || qemu-img convert -c -O qcow2 -o compression_type=zlib "$source_raw" "$deflate"
[ -s "$plain" ] || qemu-img convert -O qcow2 "$source_raw" "$plain"

# --- mounting -----------------------------------------------------------------------------------------------------
qsd_pid=
ours_dir="$work/ours"
qsd_file="$work/qsd.raw"

cleanup() {
    if mountpoint -q "$ours_dir" 2>/dev/null; then fusermount -u "$ours_dir" || fusermount -u -z "$ours_dir"; fi
    if [ -n "$qsd_pid" ]; then kill "$qsd_pid" 2>/dev/null || true; wait "$qsd_pid" 2>/dev/null || true; fi
    qsd_pid=
}
trap cleanup EXIT

# the mount functions set $ours_file and $qsd_file; they are not run in $(...), whose subshell would lose $qsd_pid
mount_ours() { # IMAGE
    mkdir -p "$ours_dir"
    "${ours_cmd[@]}" --name disk.raw "$1" "$ours_dir" >&2 || die "our mount failed"
    ours_file="$ours_dir/disk.raw"
}

mount_qsd() { # IMAGE
    : >"$qsd_file"
    rm -f "$work/qsd.pid"
    qemu-storage-daemon \
        --blockdev driver=file,node-name=file,filename="$1",read-only=on \
        --blockdev driver=qcow2,node-name=qcow2,file=file,read-only=on \
        --export type=fuse,id=exp,node-name=qcow2,mountpoint="$qsd_file",writable=off \
        --pidfile "$work/qsd.pid" >"$work/qsd.log" 2>&1 &
    qsd_pid=$!
    # the pid file appears once the export is set up
    for _ in $(seq 300); do
        [ -s "$work/qsd.pid" ] && grep -qF " $qsd_file fuse" /proc/mounts && break
        kill -0 "$qsd_pid" 2>/dev/null || die "qemu-storage-daemon failed: $(cat "$work/qsd.log")"
        sleep 0.1
    done
    grep -qF " $qsd_file fuse" /proc/mounts || die "qemu-storage-daemon did not mount within 30 s"
}

unmount_all() {
    if mountpoint -q "$ours_dir" 2>/dev/null; then fusermount -u "$ours_dir"; fi
    if [ -n "$qsd_pid" ]; then
        kill "$qsd_pid"; wait "$qsd_pid" 2>/dev/null || true; qsd_pid=
        rm -f "$work/qsd.pid"
    fi
}

# --- measurements -------------------------------------------------------------------------------------------------
busy_ms() { # CPU time the whole machine has spent busy since boot (user, nice, system, irq, softirq), in ms
    awk -v hz="$(getconf CLK_TCK)" '/^cpu /{print int(($2 + $3 + $4 + $7 + $8) * 1000 / hz)}' /proc/stat
}

seq_run() { # FILE -> MB/s and CPU (ms per GiB) of one cold sequential read
    local out bytes secs before cpu
    sync; echo 3 >/proc/sys/vm/drop_caches
    before=$(busy_ms)
    out=$(LC_ALL=C dd if="$1" of=/dev/null bs=1M 2>&1 | tail -1)
    cpu=$(( $(busy_ms) - before ))
    [[ $out == *" copied, "* ]] || die "dd $1: $out"
    bytes=$(echo "$out" | awk '{print $1}')
    secs=$(echo "$out" | awk -F', ' '{print $3}' | awk '{print $1}')
    python3 -c "print(round($bytes / $secs / 1e6), round($cpu * (1 << 30) / $bytes))"
}

turns() { # RUN -> the servers in the order they take their turns in run RUN: ours first in odd runs
    if [ $(($1 % 2)) = 0 ]; then echo "qsd ours"; else echo "ours qsd"; fi
}

file_of() { # SERVER -> the raw file it serves
    if [ "$1" = qsd ]; then echo "$qsd_file"; else echo "$ours_file"; fi
}

best() { # KEY VALUE: keeps the larger value in result[KEY]
    if [ -z "${result[$1]:-}" ] || [ "$2" -gt "${result[$1]}" ]; then result[$1]=$2; fi
}

least() { # KEY VALUE: keeps the smaller value in result[KEY]
    if [ -z "${result[$1]:-}" ] || [ "$2" -lt "${result[$1]}" ]; then result[$1]=$2; fi
}

rand_iops() { # FILE -> IOPS of 4 jobs of random 4 KiB O_DIRECT reads
    sync; echo 3 >/proc/sys/vm/drop_caches
    fio --name=rand4k --filename="$1" --readonly --rw=randread --bs=4k --numjobs=4 --iodepth=1 \
        --ioengine=psync --direct=1 --time_based --runtime="$runtime" --group_reporting \
        --output-format=json 2>/dev/null \
        | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["jobs"][0]["read"]["iops"]))'
}

ratio() { python3 -c "print(f'{$1 / $2:.1f}x' if $2 else 'n/a')"; }

declare -A result
for kind in deflate plain; do
    image=$work/$kind.qcow2
    echo "== $kind: $image ($(du -m "$image" | cut -f1) MiB on disk, $(qemu-img info --output=json "$image" \
        | python3 -c 'import json,sys; print(json.load(sys.stdin)["virtual-size"] >> 20)') MiB virtual)" >&2

    mount_ours "$image"
    cmp -n $((64 << 20)) "$ours_file" "$source_raw" \
        || die "our mount does not read the source bytes: $(stat -c "%s bytes %A" "$ours_file")"
    mount_qsd "$image"
    cmp -n $((64 << 20)) "$qsd_file" "$source_raw" || die "qemu-storage-daemon does not read the source bytes"

    for run in $(seq "$runs"); do
        for server in $(turns "$run"); do
            read -r mbs cpu <<<"$(seq_run "$(file_of "$server")")"
            best "$kind,$server,seq" "$mbs"
            least "$kind,$server,cpu" "$cpu"
        done
    done
    for run in $(seq "$rand_runs"); do
        for server in $(turns "$run"); do
            best "$kind,$server,rand" "$(rand_iops "$(file_of "$server")")"
        done
    done
    unmount_all
done

echo
echo "qcow4j FUSE mount vs qemu-storage-daemon FUSE export ($(nproc) CPUs, servers taking turns; seq: dd bs=1M cold,"
echo "best of $runs; rand: fio 4 jobs randread 4k O_DIRECT ${runtime}s, best of $rand_runs)"
printf '%-8s %12s %12s %8s   %12s %12s %8s\n' image "seq ours" "seq qsd" ratio "4k ours" "4k qsd" ratio
for kind in deflate plain; do
    printf '%-8s %9s MB/s %7s MB/s %8s   %8s IOPS %8s IOPS %8s\n' "$kind" \
        "${result[$kind,ours,seq]}" "${result[$kind,qsd,seq]}" \
        "$(ratio "${result[$kind,ours,seq]}" "${result[$kind,qsd,seq]}")" \
        "${result[$kind,ours,rand]}" "${result[$kind,qsd,rand]}" \
        "$(ratio "${result[$kind,ours,rand]}" "${result[$kind,qsd,rand]}")"
done
echo "CPU per GiB read sequentially, the whole machine's (server, kernel, dd; least of $runs runs):"
for kind in deflate plain; do
    printf '%-8s ours %5s ms, qsd %5s ms\n' "$kind" "${result[$kind,ours,cpu]}" "${result[$kind,qsd,cpu]}"
done
echo "targets: deflate sequential >= 3x, random 4 KiB >= 2x"
