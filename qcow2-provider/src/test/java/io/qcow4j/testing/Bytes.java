package io.qcow4j.testing;

import java.util.Arrays;

/** Byte-array assertions that name the first differing guest offset instead of printing megabytes. */
public final class Bytes {

    private Bytes() {
    }

    /** Fails unless the arrays are equal; {@code base} is the guest offset of their first byte. */
    public static void assertSame(byte[] actual, byte[] expected, long base) {
        int mismatch = Arrays.mismatch(actual, expected);
        if (mismatch >= 0) {
            throw new AssertionError("bytes differ at guest offset " + (base + mismatch) + ": got "
                    + (mismatch < actual.length ? actual[mismatch] : "end (" + actual.length + " bytes)")
                    + ", qemu-img gives "
                    + (mismatch < expected.length ? expected[mismatch] : "end (" + expected.length + " bytes)"));
        }
    }

    public static void assertSame(byte[] actual, byte[] expected) {
        assertSame(actual, expected, 0);
    }
}
