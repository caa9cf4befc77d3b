package io.qcow4j.vmdk;

import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

import io.qcow4j.CorruptImageException;

/** zlib streams with the JDK's {@link Inflater}: the system's zlib, working on direct buffers without copies. */
final class JdkGrainInflater implements GrainInflater {

    private final Inflater inflater = new Inflater();
    /** Where a stream that fills {@code dst} is asked for one more byte, to tell its end from a longer stream. */
    private final ByteBuffer probe = ByteBuffer.allocate(1);

    @Override
    public int inflate(ByteBuffer src, ByteBuffer dst) throws CorruptImageException {
        inflater.reset();
        inflater.setInput(src);
        int start = dst.position();
        try {
            int stalls = 0;
            while (!inflater.finished()) {
                boolean full = !dst.hasRemaining();
                int n = full ? inflater.inflate(probe.clear()) : inflater.inflate(dst);
                if (full && n > 0) {
                    throw new CorruptImageException("the compressed grain inflates to more than "
                            + (dst.position() - start) + " bytes");
                }
                if (n == 0 && !inflater.finished()) {
                    if (inflater.needsInput()) {
                        throw new CorruptImageException("the compressed grain's zlib stream ends early, after "
                                + (dst.position() - start) + " bytes");
                    }
                    if (inflater.needsDictionary()) {
                        throw new CorruptImageException("the compressed grain's zlib stream needs a preset "
                                + "dictionary");
                    }
                    if (++stalls > 2) {
                        throw new CorruptImageException("the compressed grain's zlib stream does not progress");
                    }
                }
            }
        } catch (DataFormatException e) {
            throw new CorruptImageException("the compressed grain does not inflate: " + e.getMessage(), e);
        }
        return dst.position() - start;
    }
}
