package io.qcow4j.qcow2;

import java.nio.ByteBuffer;

import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import com.github.luben.zstd.util.Native;

import io.qcow4j.CorruptImageException;
import io.qcow4j.UnsupportedFeatureException;

/**
 * zstd clusters: one or more frames with no length prefix, decoded until the cluster is full (QEMU's
 * {@code qcow2_zstd_decompress}); bytes after that are ignored. Needs direct buffers.
 *
 * <p>zstd-jni's native library loads with the first cluster, not with the image: where it cannot (it is extracted
 * to {@code java.io.tmpdir}, which may be mounted {@code noexec}), reading a zstd cluster fails with an
 * {@link UnsupportedFeatureException} that says why and what to do, and everything else about the image still works.
 */
final class ZstdDecompressor implements ClusterDecompressor {

    /** Made on the first cluster, so that a JVM without zstd-jni's library can still be handed a decompressor. */
    private ZstdDecompressCtx context;

    @Override
    public void decompress(ByteBuffer src, ByteBuffer dst) throws CorruptImageException, UnsupportedFeatureException {
        if (context == null) {
            context = newContext();
        }
        context.reset();
        boolean frameDone = false;
        try {
            while (dst.hasRemaining()) {
                int srcBefore = src.position();
                int dstBefore = dst.position();
                frameDone = context.decompressDirectByteBufferStream(dst, src);
                if (src.position() == srcBefore && dst.position() == dstBefore) {
                    break;
                }
            }
        } catch (ZstdException e) {
            throw new CorruptImageException("Image is corrupt: compressed cluster does not decode as zstd: "
                    + e.getMessage(), e);
        }
        if (dst.hasRemaining()) {
            throw new CorruptImageException("Image is corrupt: zstd cluster decodes to " + dst.position()
                    + " bytes, short of the " + dst.limit() + "-byte cluster");
        }
        if (!frameDone) {
            // QEMU too refuses a last frame that is not flushed whole when the cluster is full
            throw new CorruptImageException("Image is corrupt: zstd frame goes on past the end of the "
                    + dst.limit() + "-byte cluster");
        }
    }

    private static ZstdDecompressCtx newContext() throws UnsupportedFeatureException {
        Throwable failure = Library.FAILURE;
        if (failure == null) {
            try {
                return new ZstdDecompressCtx();
            } catch (LinkageError | RuntimeException e) {
                failure = e;
            }
        }
        throw new UnsupportedFeatureException("zstd-compressed clusters need zstd-jni's native library, which could"
                + " not be loaded (" + failure + "): " + remedy(), failure);
    }

    private static String remedy() {
        String named = System.getProperty("ZstdNativePath");
        if (named != null) {
            return "-DZstdNativePath=" + named + " must name zstd-jni's library for this machine";
        }
        return "zstd-jni extracts it to java.io.tmpdir (" + System.getProperty("java.io.tmpdir") + "), which must"
                + " allow running programs (not mounted noexec): point -Djava.io.tmpdir or -DZstdTempFolder at such a"
                + " directory, or name the library itself with -DZstdNativePath";
    }

    /**
     * Loads zstd-jni's library once per JVM: zstd-jni itself tries again (extracting another copy) on every use
     * after a failure.
     */
    private static final class Library {
        static final Throwable FAILURE = load();

        private Library() {
        }

        private static Throwable load() {
            try {
                Native.load();
                return null;
            } catch (LinkageError | RuntimeException e) {
                return e;
            }
        }
    }
}
