#!/bin/bash
# Builds go-qcow2reader's parallel convert (its convert package, driven by main.go beside this script) as a benchmark
# peer: /tmp/gopeer/gqconvert SOURCE TARGET.raw. $1 is go-qcow2reader's source as anything `git clone` takes (a
# clone of github.com/lima-vm/go-qcow2reader, or that URL). Uses Debian's Go 1.19 and Debian's packaged
# klauspost/compress (zstd) and cespare/xxhash, installing them with apt-get when missing: no Go module proxy.
set -euo pipefail
src=${1:?usage: build.sh GO-QCOW2READER-GIT-DIR-OR-URL}
here=$(cd "$(dirname "$0")" && pwd)
out=/tmp/gopeer
[[ -x $out/gqconvert ]] && exit 0
if [[ ! -x /usr/lib/go-1.19/bin/go || ! -d /usr/share/gocode/src/github.com/klauspost/compress ]]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq golang-1.19-go golang-github-klauspost-compress-dev \
        golang-github-cespare-xxhash-dev >/dev/null
fi
rm -rf /tmp/gq "$out" && git clone -q "$src" /tmp/gq && mkdir -p "$out/xx"
cp -r /usr/share/gocode/src/github.com/cespare/xxhash/* "$out/xx/"
# Debian packages xxhash v2 under the v1 import path that klauspost/compress names
sed -i 's#module github.com/cespare/xxhash/v2#module github.com/cespare/xxhash#' "$out/xx/go.mod"
cp "$here/main.go" "$out/"
cat > "$out/go.mod" <<'MOD'
module peer

go 1.19

require (
	github.com/klauspost/compress v1.16.5
	github.com/lima-vm/go-qcow2reader v0.0.0
)

replace github.com/lima-vm/go-qcow2reader => /tmp/gq

replace github.com/klauspost/compress => /usr/share/gocode/src/github.com/klauspost/compress

replace github.com/cespare/xxhash => ./xx
MOD
cd "$out" && export PATH=/usr/lib/go-1.19/bin:$PATH GOPROXY=off GOFLAGS=-mod=mod GOTOOLCHAIN=local
go mod tidy >/dev/null 2>&1
go build -o gqconvert .
