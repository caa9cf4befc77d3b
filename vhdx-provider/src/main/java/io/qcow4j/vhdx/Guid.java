package io.qcow4j.vhdx;

import java.nio.ByteBuffer;
import java.util.Arrays;

/** A GUID as VHDX stores it: the first three fields little-endian, the last eight bytes as they are. */
record Guid(byte[] bytes) {

    static final Guid ZERO = new Guid(new byte[16]);

    static Guid read(ByteBuffer buffer, int at) {
        byte[] bytes = new byte[16];
        buffer.get(at, bytes);
        return new Guid(bytes);
    }

    /** The GUID of text such as {@code 2DC27766-F623-4200-9D64-115E9BFD4A08}, braces allowed; null if malformed. */
    static Guid parse(String text) {
        String hex = text.trim().replace("{", "").replace("}", "").replace("-", "");
        if (hex.length() != 32 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            return null;
        }
        byte[] big = new byte[16];
        for (int i = 0; i < 16; i++) {
            big[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        byte[] bytes = big.clone();
        for (int i = 0; i < 4; i++) {
            bytes[i] = big[3 - i];
        }
        bytes[4] = big[5];
        bytes[5] = big[4];
        bytes[6] = big[7];
        bytes[7] = big[6];
        return new Guid(bytes);
    }

    boolean isZero() {
        return equals(ZERO);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Guid guid && Arrays.equals(bytes, guid.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        int[] order = {3, 2, 1, 0, -1, 5, 4, -1, 7, 6, -1, 8, 9, -1, 10, 11, 12, 13, 14, 15};
        for (int i : order) {
            text.append(i < 0 ? "-" : String.format("%02x", bytes[i] & 0xff));
        }
        return text.toString();
    }
}
