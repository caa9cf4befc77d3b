package io.qcow4j.vhd.shared;

import java.nio.ByteBuffer;
import java.util.Objects;

/** The argument rules every {@link io.qcow4j.Image} applies to reads and block-status queries. */
public final class Ranges {

    private Ranges() {
    }

    /**
     * How many bytes a read of {@code dst} at {@code position} returns from a disk of {@code size} bytes: -1 at or
     * past the end, as {@link java.nio.channels.FileChannel#read(ByteBuffer, long)} does.
     *
     * @throws IllegalArgumentException when {@code position} is negative or {@code dst} is read-only
     */
    public static int readLength(ByteBuffer dst, long position, long size) {
        if (position < 0) {
            throw new IllegalArgumentException("negative position: " + position);
        }
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("Read-only buffer");
        }
        return position >= size ? -1 : (int) Math.min(dst.remaining(), size - position);
    }

    /** Checks a block-status query: {@code offset} inside the disk, a positive length. */
    public static void checkStatusQuery(long offset, long maxLength, long size) {
        Objects.checkIndex(offset, size);
        if (maxLength < 1) {
            throw new IllegalArgumentException("maxLength must be positive: " + maxLength);
        }
    }
}
