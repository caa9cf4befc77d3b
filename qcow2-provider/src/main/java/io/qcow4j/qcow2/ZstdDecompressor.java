package io.qcow4j.qcow2;

import java.nio.ByteBuffer;

import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;

import io.qcow4j.CorruptImageException;

/**
 * zstd clusters: one or more frames with no length prefix, decoded until the cluster is full (QEMU's
 * {@code qcow2_zstd_decompress}); bytes after that are ignored. Needs direct buffers.
 */
final class ZstdDecompressor implements ClusterDecompressor {

    private final ZstdDecompressCtx context = new ZstdDecompressCtx();

    @Override
    public void decompress(ByteBuffer src, ByteBuffer dst) throws CorruptImageException {
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
}
