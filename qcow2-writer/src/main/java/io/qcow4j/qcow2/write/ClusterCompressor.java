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
 * java.util.zip). The levels are lower than QEMU's (zlib's 6, zstd's 3): on a disk of real files libdeflate's level 1
 * compresses as well as QEMU's zlib (whose window is 4 KiB) at little more than half the CPU of libdeflate's level 6,
 * and zstd's level 2 is within 2 % of QEMU's output size at a fifth less CPU (zstd's level 1 is 4 % larger). Output
 * goes straight into the chunk's direct buffer, cluster {@code i} at {@code i} clusters in: no copy through the heap,
 * no garbage per cluster.
 */
abstract class ClusterCompressor implements AutoCloseable {

    /** libdeflate's level for deflate clusters (libdeflate levels are not zlib's: see the class comment). */
    static final int DEFLATE_LEVEL = 1;
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
     * The size of a direct buffer for the compressed clusters of {@code count} clusters: a slot of a cluster each, and
     * room past the last for zstd's worst case (a frame larger than its input, which is then refused).
     */
    static int outputSize(int count, int clusterSize) {
        return count * clusterSize + (int) Math.max(0, Zstd.compressBound(clusterSize) - clusterSize);
    }

    /**
     * Compresses one whole cluster into {@code out} at {@code at}; what lies past {@code at} in {@code out} may be
     * overwritten (up to the buffer's end), so clusters are compressed in slot order.
     *
     * @param cluster a direct buffer of one cluster, position 0
     * @param out a direct buffer of {@link #outputSize} for the chunk
     * @param at the cluster's slot in {@code out}
     * @return the compressed length, or -1 when it would not be smaller than the cluster
     */
    abstract int compress(ByteBuffer cluster, ByteBuffer out, int at);

    @Override
    public abstract void close();

    /** libdeflate, between direct buffers. */
    private static final class LibdeflateCompressor extends ClusterCompressor {
        private final Libdeflate library;
        private final long handle;

        LibdeflateCompressor(Libdeflate library, int clusterSize) {
            super(clusterSize);
            this.library = library;
            this.handle = library.allocCompressor(DEFLATE_LEVEL);
            if (handle == 0) {
                throw new OutOfMemoryError("libdeflate_alloc_compressor failed");
            }
        }

        @Override
        int compress(ByteBuffer cluster, ByteBuffer out, int at) {
            // room for one byte less than a cluster: a result that needs more is refused, as QEMU refuses it
            long length = library.compress(handle, NativeLibrary.address(cluster), clusterSize,
                    NativeLibrary.address(out) + at, clusterSize - 1);
            return length == 0 ? -1 : (int) length;
        }

        @Override
        public void close() {
            library.freeCompressor(handle);
        }
    }

    /** java.util.zip, where libdeflate is not installed. */
    private static final class JdkCompressor extends ClusterCompressor {
        private final Deflater deflater = new Deflater(JDK_DEFLATE_LEVEL, true);
        private final byte[] scratch;

        JdkCompressor(int clusterSize) {
            super(clusterSize);
            this.scratch = new byte[clusterSize];
        }

        @Override
        int compress(ByteBuffer cluster, ByteBuffer out, int at) {
            deflater.reset();
            deflater.setInput(cluster.duplicate());
            deflater.finish();
            int length = 0;
            while (!deflater.finished() && length < clusterSize - 1) {
                length += deflater.deflate(scratch, length, clusterSize - 1 - length);
            }
            if (!deflater.finished()) {
                return -1;
            }
            out.put(at, scratch, 0, length);
            return length;
        }

        @Override
        public void close() {
            deflater.end();
        }
    }

    /** zstd-jni, one context reused. */
    private static final class ZstdCompressor extends ClusterCompressor {
        private final ZstdCompressCtx context = new ZstdCompressCtx().setLevel(ZSTD_LEVEL);

        ZstdCompressor(int clusterSize) {
            super(clusterSize);
        }

        @Override
        int compress(ByteBuffer cluster, ByteBuffer out, int at) {
            // the room up to the buffer's end, at least zstd's bound: a frame too large is refused here, not thrown
            int length = context.compressDirectByteBuffer(out, at, out.capacity() - at, cluster, 0, clusterSize);
            return length >= clusterSize ? -1 : length;
        }

        @Override
        public void close() {
            context.close();
        }
    }
}
