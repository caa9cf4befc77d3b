package io.qcow4j.vmdk;

import java.nio.ByteBuffer;
import java.util.Arrays;

/** Zero-filling buffers without allocating. */
final class Buffers {

    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(1 << 16).asReadOnlyBuffer();

    private Buffers() {
    }

    /** Fills {@code dst} from its position to its limit with zeros. */
    static void zero(ByteBuffer dst) {
        if (dst.hasArray()) {
            int from = dst.arrayOffset() + dst.position();
            Arrays.fill(dst.array(), from, from + dst.remaining(), (byte) 0);
            dst.position(dst.limit());
            return;
        }
        while (dst.hasRemaining()) {
            ByteBuffer chunk = ZEROS.duplicate();
            chunk.limit(Math.min(chunk.capacity(), dst.remaining()));
            dst.put(chunk);
        }
    }
}
