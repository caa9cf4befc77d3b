// The benchmark peer: go-qcow2reader's parallel convert with its default options (8 workers, 32 MiB segments,
// 1 MiB buffers) and zstd registered, as one program: gqconvert SOURCE TARGET.raw. build.sh builds it.
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/klauspost/compress/zstd"
	"github.com/lima-vm/go-qcow2reader"
	"github.com/lima-vm/go-qcow2reader/convert"
	"github.com/lima-vm/go-qcow2reader/image/qcow2"
)

type zd struct{ *zstd.Decoder }

func (x *zd) Close() error { x.Decoder.Close(); return nil }

func main() {
	qcow2.SetDecompressor(qcow2.CompressionTypeZstd, func(r io.Reader) (io.ReadCloser, error) {
		d, err := zstd.NewReader(r)
		if err != nil {
			return nil, err
		}
		return &zd{d}, nil
	})
	f, err := os.Open(os.Args[1])
	if err != nil {
		panic(err)
	}
	img, err := qcow2reader.Open(f)
	if err != nil {
		panic(err)
	}
	t, err := os.Create(os.Args[2])
	if err != nil {
		panic(err)
	}
	if err := t.Truncate(img.Size()); err != nil {
		panic(err)
	}
	if err := convert.Convert(t, img, convert.Options{}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	t.Close()
}
