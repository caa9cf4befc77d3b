#!/usr/bin/env bash
# Times qcow4j's conversion to raw against `qemu-img convert -O raw` and go-qcow2reader's parallel convert on the same
# images, in one hyperfine run per image (whole process, JVM start included), and prints a markdown table of the
# ratios, CPU time and peak RSS. go-qcow2reader is left out, with a message, for an image it cannot read.
#
# Environment:
#   QCOW4J_BENCH_DIR      where images and targets go (default /tmp/qcow4j-bench); needs ~3x the data size free
#   QCOW4J_BENCH_SIZE_MIB virtual size of the images in MiB (default 4096)
#   QCOW4J_BENCH_PERCENT  share of the virtual size that holds data (default 25: 1 GiB of 4 GiB; the speed issue's
#                         image, 3.5 GiB holding 1.8 GB, is QCOW4J_BENCH_SIZE_MIB=3584 QCOW4J_BENCH_PERCENT=50)
#   QCOW4J_BENCH_RUNS     hyperfine runs per command (default 5)
#   QCOW4J_BENCH_WARMUP   hyperfine warm-up runs per command (default 1)
#   QCOW4J_BENCH_KINDS    which images (default "none deflate zstd raw empty")
#   QCOW4J_BENCH_IMAGES   images of your own (paths, space-separated) to time instead of the kinds above
#   QCOW4J_BENCH_GQCONVERT go-qcow2reader's convert (default /tmp/gopeer/gqconvert); when missing it is built by
#                         go-qcow2reader/build.sh from QCOW4J_BENCH_GQ_SOURCE (a clone of go-qcow2reader, or its URL),
#                         and without that either the table has no go-qcow2reader column
#   QCOW4J_BENCH_OURS     "cli" for bin/qcow2 convert (the default when it is built), "main" for the benchmarks jar's
#                         ConvertMain (the converter as last installed, without the command line's start-up)
set -euo pipefail

root=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
dir=${QCOW4J_BENCH_DIR:-/tmp/qcow4j-bench}
size_mib=${QCOW4J_BENCH_SIZE_MIB:-4096}
percent=${QCOW4J_BENCH_PERCENT:-25}
runs=${QCOW4J_BENCH_RUNS:-5}
warmup=${QCOW4J_BENCH_WARMUP:-1}
kinds=${QCOW4J_BENCH_KINDS:-none deflate zstd raw empty}
images=${QCOW4J_BENCH_IMAGES:-}
gq=${QCOW4J_BENCH_GQCONVERT:-/tmp/gopeer/gqconvert}

for tool in qemu-img hyperfine jq java; do
    command -v "$tool" >/dev/null || { echo "compare-qemu-img.sh: $tool is not installed" >&2; exit 1; }
done
mkdir -p "$dir"

cli_jar="$root/cli/target/qcow2.jar"
bench_jar="$root/benchmarks/target/benchmarks.jar"
# the benchmarks jar makes the images; images of your own need only the command line's
if [ ! -f "$cli_jar" ] || { [ ! -f "$bench_jar" ] && { [ -z "$images" ] || [ "${QCOW4J_BENCH_OURS:-cli}" != cli ]; }; }; then
    echo "building the jars (mvn -B -q -DskipTests package) ..." >&2
    (cd "$root" && mvn -B -q -DskipTests package) >&2
fi

# Ours: the command line when it has a convert command, else the benchmarks' own small main class
if [ "${QCOW4J_BENCH_OURS:-cli}" = cli ] && [ -f "$cli_jar" ] \
        && java -jar "$cli_jar" convert --help >/dev/null 2>&1; then
    ours="$root/bin/qcow2 convert"
    ours_name="bin/qcow2 convert"
else
    ours="java -cp $bench_jar io.qcow4j.benchmarks.ConvertMain"
    ours_name="ConvertMain"
fi

if [ ! -x "$gq" ] && [ -n "${QCOW4J_BENCH_GQ_SOURCE:-}" ]; then
    echo "building go-qcow2reader's convert from $QCOW4J_BENCH_GQ_SOURCE ..." >&2
    "$root/benchmarks/go-qcow2reader/build.sh" "$QCOW4J_BENCH_GQ_SOURCE" >&2 || true
    gq=/tmp/gopeer/gqconvert
fi
if [ ! -x "$gq" ]; then
    echo "compare-qemu-img.sh: no go-qcow2reader ($gq is missing; set QCOW4J_BENCH_GQ_SOURCE to build it):" \
        "timing qemu-img and qcow4j only" >&2
    gq=
fi

if [ -n "$images" ]; then
    kinds=$images
else
    echo "building images under $dir (cached) ..." >&2
    java -Dqcow4j.bench.dir="$dir" -cp "$bench_jar" io.qcow4j.benchmarks.BenchImages "$size_mib" "$percent" \
        none deflate zstd >/dev/null
    [ -f "$dir/empty-100g.qcow2" ] || qemu-img create -q -f qcow2 "$dir/empty-100g.qcow2" 100G
fi

source_of() {
    case "$1" in
        /*|./*|../*) echo "$1" ;;
        raw) echo "$dir/bench-${size_mib}m-${percent}pct.raw" ;;
        empty) echo "$dir/empty-100g.qcow2" ;;
        *) echo "$dir/bench-${size_mib}m-${percent}pct-$1.qcow2" ;;
    esac
}

# one more run under /usr/bin/time: "PEAK_RSS_MIB CPU_SECONDS" (user + system), for a loaded machine where the wall
# clock says little
rss_and_cpu() {
    rm -f "$dst"
    /usr/bin/time -f '%M %U %S' -o "$dir/time.txt" "$@" >/dev/null
    tail -n 1 "$dir/time.txt" | awk '{ printf "%d %.2f", $1 / 1024, $2 + $3 }'
}

dst="$dir/target.raw"
table="| image | file size | qemu-img convert -O raw | go-qcow2reader | $ours_name | ours / qemu-img | ours / go-qcow2reader"
table+=" | CPU s qemu-img / go / ours | peak RSS qemu-img / go / ours |"
table+=$'\n'"|---|---|---|---|---|---|---|---|---|"
for kind in $kinds; do
    src=$(source_of "$kind")
    name=${kind##*/}
    json="$dir/hyperfine-$name.json"
    # go-qcow2reader reads qcow2 and raw; on other formats it stops at once (a panic, exit 2): one trial run tells
    peer=()
    if [ -n "$gq" ]; then
        rm -f "$dst"
        status=0
        "$gq" "$src" "$dst" >/dev/null 2>"$dir/gq-error.txt" || status=$?
        if [ "$status" -eq 0 ]; then
            peer=(-n "go-qcow2reader $name" "$gq $src $dst")
        else
            echo "go-qcow2reader cannot read $src (exit status $status: $(grep -m 1 -E 'panic|rror' \
                "$dir/gq-error.txt")): left out of this row" >&2
        fi
    fi
    hyperfine --style basic --warmup "$warmup" --runs "$runs" --export-json "$json" --prepare "rm -f $dst" \
        -n "qemu-img $name" "qemu-img convert -O raw $src $dst" \
        "${peer[@]}" \
        -n "qcow4j $name" "$ours $src $dst" >&2
    theirs_mean=$(jq '.results[0].mean' "$json")
    theirs_sd=$(jq '.results[0].stddev' "$json")
    ours_mean=$(jq '.results[-1].mean' "$json")
    ours_sd=$(jq '.results[-1].stddev' "$json")
    # shellcheck disable=SC2086
    read -r rss_ours cpu_ours <<<"$(rss_and_cpu $ours "$src" "$dst")"
    read -r rss_theirs cpu_theirs <<<"$(rss_and_cpu qemu-img convert -O raw "$src" "$dst")"
    if [ ${#peer[@]} -gt 0 ]; then
        go_mean=$(jq '.results[1].mean' "$json")
        go_sd=$(jq '.results[1].stddev' "$json")
        read -r rss_go cpu_go <<<"$(rss_and_cpu "$gq" "$src" "$dst")"
        go_time=$(printf '%.3f s ± %.3f' "$go_mean" "$go_sd")
        go_ratio=$(printf '%.2f' "$(echo "$ours_mean / $go_mean" | bc -l)")
    else
        go_time="cannot read it"; go_ratio="-"; rss_go="-"; cpu_go="-"
    fi
    file_size=$(du -h --apparent-size "$src" | cut -f1)
    table+=$'\n'$(printf '| %s | %s | %.3f s ± %.3f | %s | %.3f s ± %.3f | %.2f | %s | %s / %s / %s | %s / %s / %s MiB |' \
        "$name" "$file_size" "$theirs_mean" "$theirs_sd" "$go_time" "$ours_mean" "$ours_sd" \
        "$(echo "$ours_mean / $theirs_mean" | bc -l)" "$go_ratio" "$cpu_theirs" "$cpu_go" "$cpu_ours" \
        "$rss_theirs" "$rss_go" "$rss_ours")
done
rm -f "$dst"

echo
[ -n "$images" ] || echo -n "$size_mib MiB virtual, $percent % allocated; "
echo "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg);"\
    "$(qemu-img --version | head -n 1); $(java -version 2>&1 | head -n 1)${gq:+; go-qcow2reader $gq}"
echo
echo "$table"
