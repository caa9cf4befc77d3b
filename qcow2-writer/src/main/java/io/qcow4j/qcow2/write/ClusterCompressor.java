package io.qcow4j.qcow2.write;

import java.nio.ByteBuffer;
import java.util.function.Supplier;
import java.util.zip.Deflater;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;

import io.qcow4j.nativeaccess.DeflateBackend;
import io.qcow4j.nativeaccess.Libdeflate;

/**
 * Compresses one cluster at a time for one thread, as QEMU compresses a cluster it writes compressed: raw deflate at
 * zlib's default level, or zstd at its default level. A cluster that does not shrink below the cluster size is
 * refused, and QEMU then writes it uncompressed.
 */
abstract class ClusterCompressor implements AutoCloseable {

    /** zlib's Z_DEFAULT_COMPRESSION, what QEMU deflates with; libdeflate's level 6 compresses about as well. */
    static final int DEFLATE_LEVEL = 6;
    /** ZSTD_CLEVEL_DEFAULT, what QEMU's zstd compression uses. */
    static final int ZSTD_LEVEL = 3;

    final int clusterSize;

    ClusterCompressor(int clusterSize) {
        this.clusterSize = clusterSize;
    }

    /** A compressor of the type, deflate through libdeflate where it loads. */
    static ClusterCompressor of(CompressionType type, int clusterSize, Supplier<Libdeflate> libdeflate) {
        if (type == CompressionType.ZSTD) {
            return new ZstdCompressor(clusterSize);
        }
        Libdeflate library = libdeflate.get();
        return library != null ? new LibdeflateCompressor(library, clusterSize) : new JdkCompressor(clusterSize);
    }

    /** The choice of deflate library for compressors made from now on. */
    static Supplier<Libdeflate> deflateBackend() {
        return DeflateBackend.libdeflate("qcow2 clusters (compressing)");
    }

    /**
     * Compresses one whole cluster.
     *
     * @param data the array holding it
     * @param offset where it starts
     * @return the compressed bytes, or null when they would not be smaller than the cluster
     */
    abstract ByteBuffer compress(byte[] data, int offset);

    @Override
    public abstract void close();

    /** libdeflate, between direct buffers. */
    private static final class LibdeflateCompressor extends ClusterCompressor {
        private final Libdeflate library;
        private final long handle;
        private final ByteBuffer in;
        private final ByteBuffer out;
        private final long inAddress;
        private final long outAddress;

        LibdeflateCompressor(Libdeflate library, int clusterSize) {
            super(clusterSize);
            this.library = library;
            this.handle = library.allocCompressor(DEFLATE_LEVEL);
            if (handle == 0) {
                throw new OutOfMemoryError("libdeflate_alloc_compressor failed");
            }
            this.in = ByteBuffer.allocateDirect(clusterSize);
            this.out = ByteBuffer.allocateDirect(clusterSize);
            this.inAddress = io.qcow4j.nativeaccess.NativeLibrary.address(in);
            this.outAddress = io.qcow4j.nativeaccess.NativeLibrary.address(out);
        }

        @Override
        ByteBuffer compress(byte[] data, int offset) {
            in.clear();
            in.put(data, offset, clusterSize);
            // room for one byte less than a cluster: a result that needs more is refused, as QEMU refuses it
            long length = library.compress(handle, inAddress, clusterSize, outAddress, clusterSize - 1);
            if (length == 0) {
                return null;
            }
            byte[] result = new byte[(int) length];
            out.get(0, result);
            return ByteBuffer.wrap(result);
        }

        @Override
        public void close() {
            library.freeCompressor(handle);
        }
    }

    /** java.util.zip, where libdeflate is not installed. */
    private static final class JdkCompressor extends ClusterCompressor {
        private final Deflater deflater = new Deflater(DEFLATE_LEVEL, true);
        private final byte[] out;

        JdkCompressor(int clusterSize) {
            super(clusterSize);
            this.out = new byte[clusterSize];
        }

        @Override
        ByteBuffer compress(byte[] data, int offset) {
            deflater.reset();
            deflater.setInput(data, offset, clusterSize);
            deflater.finish();
            int length = 0;
            while (!deflater.finished() && length < clusterSize - 1) {
                length += deflater.deflate(out, length, clusterSize - 1 - length);
            }
            if (!deflater.finished()) {
                return null;
            }
            byte[] result = new byte[length];
            System.arraycopy(out, 0, result, 0, length);
            return ByteBuffer.wrap(result);
        }

        @Override
        public void close() {
            deflater.end();
        }
    }

    /** zstd-jni, one context reused. */
    private static final class ZstdCompressor extends ClusterCompressor {
        private final ZstdCompressCtx context = new ZstdCompressCtx().setLevel(ZSTD_LEVEL);
        private final byte[] out;

        ZstdCompressor(int clusterSize) {
            super(clusterSize);
            this.out = new byte[(int) Zstd.compressBound(clusterSize)];
        }

        @Override
        ByteBuffer compress(byte[] data, int offset) {
            int length = context.compressByteArray(out, 0, out.length, data, offset, clusterSize);
            if (length >= clusterSize) {
                return null;
            }
            byte[] result = new byte[length];
            System.arraycopy(out, 0, result, 0, length);
            return ByteBuffer.wrap(result);
        }

        @Override
        public void close() {
            context.close();
        }
    }
}
