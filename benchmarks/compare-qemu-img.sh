#!/usr/bin/env bash
# Times qcow4j's conversion to raw against `qemu-img convert -O raw` on the same images, in one hyperfine run per
# image (whole process, JVM start included), and prints a markdown table of the ratios and of peak RSS.
#
# Environment:
#   QCOW4J_BENCH_DIR      where images and targets go (default /tmp/qcow4j-bench); needs ~3x the data size free
#   QCOW4J_BENCH_SIZE_MIB virtual size of the images in MiB (default 4096)
#   QCOW4J_BENCH_PERCENT  share of the virtual size that holds data (default 25: 1 GiB of 4 GiB; the speed issue's
#                         image, 3.5 GiB holding 1.8 GB, is QCOW4J_BENCH_SIZE_MIB=3584 QCOW4J_BENCH_PERCENT=50)
#   QCOW4J_BENCH_RUNS     hyperfine runs per command (default 5)
#   QCOW4J_BENCH_KINDS    which images (default "none deflate zstd raw empty")
#   QCOW4J_BENCH_OURS     "cli" for bin/qcow2 convert (the default when it is built), "main" for the benchmarks jar's
#                         ConvertMain (the converter as last installed, without the command line's start-up)
set -euo pipefail

root=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
dir=${QCOW4J_BENCH_DIR:-/tmp/qcow4j-bench}
size_mib=${QCOW4J_BENCH_SIZE_MIB:-4096}
percent=${QCOW4J_BENCH_PERCENT:-25}
runs=${QCOW4J_BENCH_RUNS:-5}
kinds=${QCOW4J_BENCH_KINDS:-none deflate zstd raw empty}

for tool in qemu-img hyperfine jq java; do
    command -v "$tool" >/dev/null || { echo "compare-qemu-img.sh: $tool is not installed" >&2; exit 1; }
done
mkdir -p "$dir"

cli_jar="$root/cli/target/qcow2.jar"
bench_jar="$root/benchmarks/target/benchmarks.jar"
if [ ! -f "$cli_jar" ] || [ ! -f "$bench_jar" ]; then
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

echo "building images under $dir (cached) ..." >&2
java -Dqcow4j.bench.dir="$dir" -cp "$bench_jar" io.qcow4j.benchmarks.BenchImages "$size_mib" "$percent" \
    none deflate zstd >/dev/null
[ -f "$dir/empty-100g.qcow2" ] || qemu-img create -q -f qcow2 "$dir/empty-100g.qcow2" 100G

source_of() {
    case "$1" in
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
table="| image | file size | qemu-img convert -O raw | $ours_name | ratio (ours / qemu-img) | CPU s qemu-img / ours | peak RSS qemu-img / ours |"
table+=$'\n'"|---|---|---|---|---|---|---|"
for kind in $kinds; do
    src=$(source_of "$kind")
    json="$dir/hyperfine-$kind.json"
    hyperfine --style basic --warmup 1 --runs "$runs" --export-json "$json" --prepare "rm -f $dst" \
        -n "qemu-img $kind" "qemu-img convert -O raw $src $dst" \
        -n "qcow4j $kind" "$ours $src $dst" >&2
    theirs_mean=$(jq '.results[0].mean' "$json")
    theirs_sd=$(jq '.results[0].stddev' "$json")
    ours_mean=$(jq '.results[1].mean' "$json")
    ours_sd=$(jq '.results[1].stddev' "$json")
    # shellcheck disable=SC2086
    read -r rss_ours cpu_ours <<<"$(rss_and_cpu $ours "$src" "$dst")"
    read -r rss_theirs cpu_theirs <<<"$(rss_and_cpu qemu-img convert -O raw "$src" "$dst")"
    file_size=$(du -h --apparent-size "$src" | cut -f1)
    table+=$'\n'$(printf '| %s | %s | %.3f s ± %.3f | %.3f s ± %.3f | %.2f | %s / %s | %s / %s MiB |' \
        "$kind" "$file_size" "$theirs_mean" "$theirs_sd" "$ours_mean" "$ours_sd" \
        "$(echo "$ours_mean / $theirs_mean" | bc -l)" "$cpu_theirs" "$cpu_ours" "$rss_theirs" "$rss_ours")
done
rm -f "$dst"

echo
echo "$size_mib MiB virtual, $percent % allocated; $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg);"\
    "$(qemu-img --version | head -n 1); $(java -version 2>&1 | head -n 1)"
echo
echo "$table"
