package io.qcow4j.qcow2;

import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

import io.qcow4j.CorruptImageException;

/** Raw deflate (no zlib header), as QEMU writes it, with the JDK's {@link Inflater}. */
final class InflaterDecompressor implements ClusterDecompressor {

    private final Inflater inflater = new Inflater(true);

    @Override
    public void decompress(ByteBuffer src, ByteBuffer dst) throws CorruptImageException {
        inflater.reset();
        inflater.setInput(src);
        try {
            while (dst.hasRemaining()) {
                int n = inflater.inflate(dst);
                if (n == 0 && (inflater.finished() || inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
            }
        } catch (DataFormatException e) {
            throw new CorruptImageException("Image is corrupt: compressed cluster does not inflate: "
                    + e.getMessage(), e);
        }
        if (dst.hasRemaining()) {
            throw new CorruptImageException("Image is corrupt: compressed cluster inflates to "
                    + dst.position() + " bytes, short of the " + dst.limit() + "-byte cluster");
        }
    }
}
