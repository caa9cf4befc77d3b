package io.qcow4j.testing;

import java.nio.ByteBuffer;

/** The bytes a data run of a {@link MemoryImage} holds: a function of the guest offset, not of the run's start. */
@FunctionalInterface
public interface BytePattern {

    /** The byte at guest offset {@code offset}. */
    byte at(long offset);

    /** Fills what remains of {@code dst} with the bytes from guest offset {@code offset} on. */
    default void fill(ByteBuffer dst, long offset) {
        for (long at = offset; dst.hasRemaining(); at++) {
            dst.put(at(at));
        }
    }

    /** Every byte {@code value}. */
    static BytePattern constant(int value) {
        byte b = (byte) value;
        return offset -> b;
    }

    /** Byte {@code i} is {@code i % modulus}: with a prime modulus, a shifted copy shows at once. */
    static BytePattern modulo(int modulus) {
        if (modulus < 1 || modulus > 256) {
            throw new IllegalArgumentException("modulus must be in [1, 256]: " + modulus);
        }
        return offset -> (byte) (offset % modulus);
    }

    /**
     * A byte that depends on every bit of its offset (Fibonacci hashing): a byte read from the wrong place shows, and
     * no 4 KiB block is all zeros, so zero detection never skips one.
     */
    static BytePattern scrambled() {
        return offset -> (byte) ((offset * 0x9E3779B97F4A7C15L) >>> 56);
    }
}
