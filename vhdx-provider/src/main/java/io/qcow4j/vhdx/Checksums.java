package io.qcow4j.vhdx;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/** VHDX structures carry a CRC-32C of themselves, computed with the checksum field zero. */
final class Checksums {

    private Checksums() {
    }

    /** Whether the CRC-32C of {@code bytes} (position to limit), the field at {@code at} as zero, is that field. */
    static boolean valid(ByteBuffer bytes, int at) {
        return compute(bytes, at) == bytes.getInt(bytes.position() + at);
    }

    static int compute(ByteBuffer bytes, int at) {
        ByteBuffer whole = bytes.slice();
        CRC32C crc = new CRC32C();
        crc.update(whole.slice(0, at));
        crc.update(new byte[4]);
        crc.update(whole.slice(at + 4, whole.remaining() - at - 4));
        return (int) crc.getValue();
    }
}
