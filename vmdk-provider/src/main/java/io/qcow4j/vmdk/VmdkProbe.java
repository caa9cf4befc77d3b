package io.qcow4j.vmdk;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Recognises a VMDK by its first bytes, as QEMU's probe does: the magic of a hosted sparse extent ({@code KDMV}) or
 * of an ESX COWD extent, or a descriptor whose first line that is neither a comment nor blank is
 * {@code version=N}. Descriptors edited by hand are recognised too, where QEMU's probe misses them: VMware's first
 * line ({@code # Disk DescriptorFile}) whatever follows, empty lines and tabs, spaces around '=', and a header key
 * other than {@code version} first.
 */
final class VmdkProbe {

    static final int KDMV = 0x4b444d56;
    static final int COWD = 0x434f5744;

    private static final String FIRST_LINE = "# Disk DescriptorFile";
    private static final List<String> HEADER_KEYS = List.of("version", "CID", "parentCID", "createType", "encoding",
            "isNativeSnapshot");

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
        return startsWithFirstLine(bytes) || startsWithHeaderLine(bytes);
    }

    private static boolean startsWithFirstLine(ByteBuffer bytes) {
        if (bytes.remaining() < FIRST_LINE.length()) {
            return false;
        }
        for (int i = 0; i < FIRST_LINE.length(); i++) {
            if (bytes.get(i) != FIRST_LINE.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean startsWithHeaderLine(ByteBuffer bytes) {
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
            if (bytes.get(first) == '#') {
                at = lineEnd + 1;
                continue;
            }
            return isHeaderLine(bytes, first, lineEnd);
        }
        return false;
    }

    /** {@code version=N} or another key of a descriptor's header, with or without spaces around '='. */
    private static boolean isHeaderLine(ByteBuffer bytes, int from, int lineEnd) {
        byte[] line = new byte[lineEnd - from];
        bytes.get(from, line);
        String text = new String(line, StandardCharsets.ISO_8859_1).strip();
        int equals = text.indexOf('=');
        if (equals <= 0) {
            return false;
        }
        String key = text.substring(0, equals).strip();
        String value = text.substring(equals + 1).strip();
        if (key.equals("version")) {
            return value.equals("1") || value.equals("2") || value.equals("3");
        }
        return HEADER_KEYS.contains(key) && !value.isEmpty();
    }

    private static boolean isBlank(byte b) {
        return b == ' ' || b == '\t' || b == '\r';
    }
}
