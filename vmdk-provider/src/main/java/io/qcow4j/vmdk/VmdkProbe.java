package io.qcow4j.vmdk;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Recognises a VMDK by its first bytes, as QEMU's probe does: the magic of a hosted sparse extent ({@code KDMV}) or
 * of an ESX COWD extent, or a descriptor whose first line that is neither a comment nor blank is
 * {@code version=N}. Blank lines of tabs and empty lines are allowed too, which QEMU's probe refuses but descriptors
 * edited by hand contain.
 */
final class VmdkProbe {

    static final int KDMV = 0x4b444d56;
    static final int COWD = 0x434f5744;

    private VmdkProbe() {
    }

    static boolean recognizes(ByteBuffer start) {
        ByteBuffer bytes = start.slice().order(ByteOrder.BIG_ENDIAN);
        if (bytes.remaining() >= 4) {
            int magic = bytes.getInt(0);
            if (magic == KDMV || magic == COWD) {
                return true;
            }
        }
        return startsWithVersionLine(bytes);
    }

    private static boolean startsWithVersionLine(ByteBuffer bytes) {
        int at = 0;
        int end = bytes.limit();
        while (at < end) {
            int lineEnd = at;
            while (lineEnd < end && bytes.get(lineEnd) != '\n') {
                lineEnd++;
            }
            if (lineEnd == end) {
                // a line cut off by the end of the probe: too little to say
                return false;
            }
            int first = at;
            while (first < lineEnd && isBlank(bytes.get(first))) {
                first++;
            }
            if (first == lineEnd) {
                at = lineEnd + 1;
                continue;
            }
            if (bytes.get(first) == '#' && first == at) {
                at = lineEnd + 1;
                continue;
            }
            return first == at && isVersionLine(bytes, at, lineEnd);
        }
        return false;
    }

    /** {@code version=1}, {@code 2} or {@code 3}, with an optional carriage return, as QEMU accepts it. */
    private static boolean isVersionLine(ByteBuffer bytes, int from, int lineEnd) {
        int end = lineEnd > from && bytes.get(lineEnd - 1) == '\r' ? lineEnd - 1 : lineEnd;
        String prefix = "version=";
        if (end - from != prefix.length() + 1) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (bytes.get(from + i) != prefix.charAt(i)) {
                return false;
            }
        }
        byte version = bytes.get(end - 1);
        return version >= '1' && version <= '3';
    }

    private static boolean isBlank(byte b) {
        return b == ' ' || b == '\t' || b == '\r';
    }
}
