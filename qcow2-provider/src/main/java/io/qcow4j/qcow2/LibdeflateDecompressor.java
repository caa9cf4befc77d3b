package io.qcow4j.qcow2;

import java.nio.ByteBuffer;

import io.qcow4j.CorruptImageException;
import io.qcow4j.nativeaccess.Libdeflate;
import io.qcow4j.nativeaccess.LibdeflateInflater;

/**
 * Raw deflate with libdeflate, about twice as fast as zlib. libdeflate inflates whole buffers only, so it decides the
 * common case alone: a stream that ends exactly when the cluster is full. Anything else (a stream that would
 * overflow the cluster, bad data, a short stream, heap buffers) is decoded again by zlib through
 * {@link InflaterDecompressor}: QEMU inflates with zlib, and the cases where zlib and libdeflate could disagree (a
 * stream that goes on past a full cluster is accepted by zlib, while libdeflate gives up without saying how much
 * it wrote) are exactly those.
 */
final class LibdeflateDecompressor implements ClusterDecompressor {

    private final LibdeflateInflater inflater;
    private InflaterDecompressor zlib;
    private long fallbacks;

    LibdeflateDecompressor(Libdeflate library) {
        this.inflater = new LibdeflateInflater(library);
    }

    @Override
    public void decompress(ByteBuffer src, ByteBuffer dst) throws CorruptImageException {
        if (!src.isDirect() || !dst.isDirect()) {
            fallbacks++;
            zlib().decompress(src, dst);
            return;
        }
        int result = inflater.inflateRaw(src, dst);
        if (result == Libdeflate.SUCCESS && inflater.produced() == dst.remaining()) {
            // what follows the stream in src is the padding of its last sector, never read again
            src.position(src.limit());
            dst.position(dst.limit());
            return;
        }
        // libdeflate may have written part of dst: zlib starts again from the same positions
        fallbacks++;
        zlib().decompress(src, dst);
    }

    /** How many clusters libdeflate left to zlib: tests check that valid clusters never take that path. */
    long fallbacks() {
        return fallbacks;
    }

    private InflaterDecompressor zlib() {
        if (zlib == null) {
            zlib = new InflaterDecompressor();
        }
        return zlib;
    }
}
