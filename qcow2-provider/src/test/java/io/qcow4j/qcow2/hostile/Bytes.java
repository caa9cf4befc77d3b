package io.qcow4j.qcow2.hostile;

import java.util.Arrays;

import org.opentest4j.AssertionFailedError;

/** Compares disk contents and reports the first difference, not two arrays of a million numbers. */
public final class Bytes {

    private Bytes() {
    }

    public static void assertSame(byte[] actual, byte[] expected, String what) {
        if (actual.length != expected.length) {
            throw new AssertionFailedError(what + ": read " + actual.length + " bytes, expected " + expected.length);
        }
        int at = Arrays.mismatch(actual, expected);
        if (at >= 0) {
            throw new AssertionFailedError(String.format("%s: first difference at byte %d: read 0x%02x, expected "
                    + "0x%02x", what, at, actual[at] & 0xff, expected[at] & 0xff));
        }
    }
}
