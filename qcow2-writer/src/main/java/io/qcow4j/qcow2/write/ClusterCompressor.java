package io.qcow4j.qcow2.write;

import java.nio.ByteBuffer;
import java.util.function.Supplier;
import java.util.zip.Deflater;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;

import io.qcow4j.nativeaccess.DeflateBackend;
import io.qcow4j.nativeaccess.Libdeflate;
import io.qcow4j.nativeaccess.NativeLibrary;

/**
 * Compresses one cluster at a time for one thread, into what QEMU reads as a compressed cluster: raw deflate, or one
 * zstd frame. A cluster that does not shrink below the cluster size is refused, and is then written uncompressed, as
 * QEMU writes it. The deflate backend is the reader's ({@link DeflateBackend}: libdeflate where it loads, else
 * java.util.zip). The levels are lower than QEMU's (zlib's 6, zstd's 3): on a disk of real files libdeflate's level 2
 * still compresses better than QEMU's zlib (whose window is 4 KiB) at a third less CPU than level 6, and zstd's level 2
 * is within 2 % of QEMU's output size at a fifth less CPU.
 */
abstract class ClusterCompressor implements AutoCloseable {

    /** libdeflate's level for deflate clusters (libdeflate levels are not zlib's: see the class comment). */
    static final int DEFLATE_LEVEL = 2;
    /** zlib's level where libdeflate is missing: zlib's default, QEMU's, as zlib's low levels compress much worse. */
    static final int JDK_DEFLATE_LEVEL = 6;
    /** zstd's level for zstd clusters. */
    static final int ZSTD_LEVEL = 2;

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
     * @param cluster a direct buffer of one cluster, position 0
     * @return the compressed bytes, or null when they would not be smaller than the cluster
     */
    abstract ByteBuffer compress(ByteBuffer cluster);

    static ByteBuffer copy(ByteBuffer from, int length) {
        byte[] result = new byte[length];
        from.get(0, result);
        return ByteBuffer.wrap(result);
    }

    @Override
    public abstract void close();

    /** libdeflate, between direct buffers. */
    private static final class LibdeflateCompressor extends ClusterCompressor {
        private final Libdeflate library;
        private final long handle;
        private final ByteBuffer out;
        private final long outAddress;

        LibdeflateCompressor(Libdeflate library, int clusterSize) {
            super(clusterSize);
            this.library = library;
            this.handle = library.allocCompressor(DEFLATE_LEVEL);
            if (handle == 0) {
                throw new OutOfMemoryError("libdeflate_alloc_compressor failed");
            }
            this.out = ByteBuffer.allocateDirect(clusterSize);
            this.outAddress = NativeLibrary.address(out);
        }

        @Override
        ByteBuffer compress(ByteBuffer cluster) {
            // room for one byte less than a cluster: a result that needs more is refused, as QEMU refuses it
            long length = library.compress(handle, NativeLibrary.address(cluster), clusterSize, outAddress,
                    clusterSize - 1);
            return length == 0 ? null : copy(out, (int) length);
        }

        @Override
        public void close() {
            library.freeCompressor(handle);
        }
    }

    /** java.util.zip, where libdeflate is not installed. */
    private static final class JdkCompressor extends ClusterCompressor {
        private final Deflater deflater = new Deflater(JDK_DEFLATE_LEVEL, true);
        private final byte[] out;

        JdkCompressor(int clusterSize) {
            super(clusterSize);
            this.out = new byte[clusterSize];
        }

        @Override
        ByteBuffer compress(ByteBuffer cluster) {
            deflater.reset();
            deflater.setInput(cluster.duplicate());
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
        private final ByteBuffer out;

        ZstdCompressor(int clusterSize) {
            super(clusterSize);
            this.out = ByteBuffer.allocateDirect((int) Zstd.compressBound(clusterSize));
        }

        @Override
        ByteBuffer compress(ByteBuffer cluster) {
            int length = context.compressDirectByteBuffer(out, 0, out.capacity(), cluster, 0, clusterSize);
            return length >= clusterSize ? null : copy(out, length);
        }

        @Override
        public void close() {
            context.close();
        }
    }
}
