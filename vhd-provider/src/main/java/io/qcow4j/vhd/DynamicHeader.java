package io.qcow4j.vhd;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.qcow4j.CorruptImageException;

/**
 * The dynamic disk header of a dynamic or differencing VHD: 1024 bytes, big-endian, where the footer's data offset
 * points.
 *
 * @param parentName the parent's name as the header stores it (UTF-16BE), "" for a dynamic disk
 */
record DynamicHeader(long tableOffset, int maxTableEntries, int blockSize, byte[] parentUuid, String parentName,
                     List<ParentLocator> locators) {

    static final int SIZE = 1024;
    private static final byte[] COOKIE = "cxsparse".getBytes(StandardCharsets.ISO_8859_1);
    private static final int CHECKSUM_AT = 36;
    private static final int PARENT_NAME_AT = 64;
    private static final int PARENT_NAME_LENGTH = 512;
    private static final int LOCATORS_AT = 576;

    static DynamicHeader parse(ByteBuffer bytes, long offset) throws CorruptImageException {
        ByteBuffer b = bytes.slice();
        for (int i = 0; i < COOKIE.length; i++) {
            if (b.get(i) != COOKIE[i]) {
                throw new CorruptImageException("VHD dynamic disk header at offset " + offset
                        + ": no \"cxsparse\" cookie");
            }
        }
        int stored = b.getInt(CHECKSUM_AT);
        int computed = VhdFooter.checksum(b, CHECKSUM_AT);
        if (stored != computed) {
            throw new CorruptImageException(String.format("VHD dynamic disk header at offset %d: checksum %#010x, "
                    + "but the bytes sum to %#010x", offset, stored, computed));
        }
        byte[] parentUuid = new byte[16];
        b.get(40, parentUuid);
        byte[] name = new byte[PARENT_NAME_LENGTH];
        b.get(PARENT_NAME_AT, name);
        List<ParentLocator> locators = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            int at = LOCATORS_AT + 24 * i;
            int code = b.getInt(at);
            if (code != 0) {
                locators.add(new ParentLocator(code, b.getInt(at + 8), b.getLong(at + 16)));
            }
        }
        return new DynamicHeader(b.getLong(16), b.getInt(28), b.getInt(32), parentUuid, utf16(name,
                StandardCharsets.UTF_16BE), List.copyOf(locators));
    }

    /** The text of a NUL-terminated (or full) UTF-16 field. */
    static String utf16(byte[] bytes, java.nio.charset.Charset charset) {
        int end = 0;
        while (end + 1 < bytes.length && (bytes[end] != 0 || bytes[end + 1] != 0)) {
            end += 2;
        }
        return new String(bytes, 0, end, charset);
    }
}
