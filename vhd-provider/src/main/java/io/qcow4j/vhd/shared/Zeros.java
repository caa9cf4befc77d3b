package io.qcow4j.vhd.shared;

import java.nio.ByteBuffer;
import java.util.Arrays;

/** Fills buffers with zeros without allocating. */
public final class Zeros {

    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(1 << 16).asReadOnlyBuffer();

    private Zeros() {
    }

    /** Fills {@code dst} from its position to its limit with zeros. */
    public static void fill(ByteBuffer dst) {
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
