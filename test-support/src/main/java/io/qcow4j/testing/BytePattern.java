package io.qcow4j.testing;

import java.nio.ByteBuffer;

/** The bytes a data run of a {@link MemoryImage} holds: a function of the guest offset, not of the run's start. */
@FunctionalInterface
public interface BytePattern {

    /**
     * The byte at guest offset {@code offset}.
     *
     * @param offset a guest offset
     * @return the byte there
     */
    byte at(long offset);

    /**
     * Fills what remains of {@code dst} with the bytes from guest offset {@code offset} on.
     *
     * @param dst the buffer to fill
     * @param offset the guest offset of its first byte
     */
    default void fill(ByteBuffer dst, long offset) {
        for (long at = offset; dst.hasRemaining(); at++) {
            dst.put(at(at));
        }
    }

    /**
     * Every byte {@code value}.
     *
     * @param value the byte
     * @return the pattern
     */
    static BytePattern constant(int value) {
        byte b = (byte) value;
        return offset -> b;
    }

    /**
     * Byte {@code i} is {@code i % modulus}: with a prime modulus, a shifted copy shows at once.
     *
     * @param modulus the period
     * @return the pattern
     */
    static BytePattern modulo(int modulus) {
        if (modulus < 1 || modulus > 256) {
            throw new IllegalArgumentException("modulus must be in [1, 256]: " + modulus);
        }
        return offset -> (byte) (offset % modulus);
    }

    /**
     * A byte that depends on every bit of its offset (Fibonacci hashing): a byte read from the wrong place shows, and
     * no 4 KiB block is all zeros, so zero detection never skips one.
     *
     * @return the pattern
     */
    static BytePattern scrambled() {
        return offset -> (byte) ((offset * 0x9E3779B97F4A7C15L) >>> 56);
    }
}
