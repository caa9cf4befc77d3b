package io.qcow4j.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

import io.qcow4j.Image;

/** Byte-array assertions that name the first differing guest offset instead of printing megabytes. */
public final class Bytes {

    private Bytes() {
    }

    /**
     * Fails unless the arrays are equal; {@code base} is the guest offset of their first byte.
     *
     * @param actual what was read
     * @param expected what should have been
     * @param base the guest offset of the first byte, for the message
     */
    public static void assertSame(byte[] actual, byte[] expected, long base) {
        int mismatch = Arrays.mismatch(actual, expected);
        if (mismatch >= 0) {
            throw new AssertionError("bytes differ at guest offset " + (base + mismatch) + ": got "
                    + (mismatch < actual.length ? actual[mismatch] : "end (" + actual.length + " bytes)")
                    + ", qemu-img gives "
                    + (mismatch < expected.length ? expected[mismatch] : "end (" + expected.length + " bytes)"));
        }
    }

    /**
     * As {@link #assertSame(byte[], byte[], long)} from guest offset 0.
     *
     * @param actual what was read
     * @param expected what should have been
     */
    public static void assertSame(byte[] actual, byte[] expected) {
        assertSame(actual, expected, 0);
    }

    /**
     * Reads the whole disk front to back in 1 MiB direct chunks and fails unless it is exactly {@code expected}.
     *
     * @param image the image to read
     * @param expected its whole disk
     * @throws IOException when the image cannot be read
     */
    public static void assertReadsAs(Image image, byte[] expected) throws IOException {
        // chunk by chunk: a second copy of a large disk would crowd the tests' small heaps
        ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20);
        byte[] got = new byte[chunk.capacity()];
        long at = 0;
        int n;
        while ((n = image.read(chunk.clear(), at)) > 0) {
            if (at + n > expected.length) {
                throw new AssertionError("the image reads past the " + expected.length + " bytes qemu-img gives");
            }
            chunk.flip().get(got, 0, n);
            int mismatch = Arrays.mismatch(got, 0, n, expected, (int) at, (int) at + n);
            if (mismatch >= 0) {
                throw new AssertionError("bytes differ at guest offset " + (at + mismatch) + ": got " + got[mismatch]
                        + ", qemu-img gives " + expected[(int) at + mismatch]);
            }
            at += n;
        }
        if (at != expected.length) {
            throw new AssertionError("the image reads " + at + " bytes, qemu-img gives " + expected.length);
        }
    }
}
