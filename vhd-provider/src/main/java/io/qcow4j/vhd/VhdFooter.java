package io.qcow4j.vhd;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import io.qcow4j.CorruptImageException;

/**
 * The VHD footer (hard disk footer): 512 bytes, big-endian, at the end of every VHD and also at the start of dynamic
 * and differencing ones. Older Virtual PC versions wrote 511 bytes (no saved-state byte).
 *
 * @param creatorApp the four bytes that decide qemu-img's size rule, as ISO-8859-1 text
 */
record VhdFooter(long dataOffset, String creatorApp, long originalSize, long currentSize, int cylinders, int heads,
                 int sectorsPerTrack, int diskType, byte[] uniqueId) {

    static final int SIZE = 512;
    static final int FIXED = 2;
    static final int DYNAMIC = 3;
    static final int DIFFERENCING = 4;
    /** 2040 GiB in sectors: the largest disk the VHD format and qemu-img allow. */
    static final long MAX_SECTORS = 0xff000000L;
    /** The largest CHS geometry: Hyper-V writes it for disks past 127 GiB, whose size is then the footer's. */
    private static final long MAX_GEOMETRY = 65535L * 16 * 255;
    private static final byte[] COOKIE = "conectix".getBytes(StandardCharsets.ISO_8859_1);
    private static final int CHECKSUM_AT = 64;

    /** Whether {@code bytes} (at its position) starts with the footer's cookie. */
    static boolean hasCookie(ByteBuffer bytes) {
        if (bytes.remaining() < COOKIE.length) {
            return false;
        }
        for (int i = 0; i < COOKIE.length; i++) {
            if (bytes.get(bytes.position() + i) != COOKIE[i]) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code bytes} (from position to limit, 511 or 512 bytes) is a footer with a valid checksum. */
    static boolean isValid(ByteBuffer bytes) {
        return hasCookie(bytes) && bytes.remaining() >= CHECKSUM_AT + 4
                && checksum(bytes, CHECKSUM_AT) == bytes.getInt(bytes.position() + CHECKSUM_AT);
    }

    /**
     * The one's complement of the byte sum of {@code bytes} (position to limit), the checksum field at
     * {@code checksumAt} counted as zero: the VHD checksum of the footer and of the dynamic disk header.
     */
    static int checksum(ByteBuffer bytes, int checksumAt) {
        int sum = 0;
        for (int i = 0; i < bytes.remaining(); i++) {
            if (i < checksumAt || i >= checksumAt + 4) {
                sum += bytes.get(bytes.position() + i) & 0xff;
            }
        }
        return ~sum;
    }

    /**
     * Parses a footer, checking its cookie and checksum.
     *
     * @param where names the copy, for messages ("footer at offset 0")
     */
    static VhdFooter parse(ByteBuffer bytes, String where) throws CorruptImageException {
        if (!hasCookie(bytes)) {
            throw new CorruptImageException("VHD " + where + ": no \"conectix\" cookie");
        }
        int stored = bytes.getInt(bytes.position() + CHECKSUM_AT);
        int computed = checksum(bytes, CHECKSUM_AT);
        if (stored != computed) {
            throw new CorruptImageException(String.format("VHD %s: checksum %#010x, but the bytes sum to %#010x",
                    where, stored, computed));
        }
        ByteBuffer b = bytes.slice();
        byte[] creator = new byte[4];
        b.get(28, creator);
        byte[] uuid = new byte[16];
        b.get(68, uuid);
        return new VhdFooter(b.getLong(16), new String(creator, StandardCharsets.ISO_8859_1), b.getLong(40),
                b.getLong(48), b.getShort(56) & 0xffff, b.get(58) & 0xff, b.get(59) & 0xff, b.getInt(60), uuid);
    }

    /** The CHS geometry's size in sectors. */
    long geometrySectors() {
        return (long) cylinders * heads * sectorsPerTrack;
    }

    /**
     * The disk size in sectors by QEMU's rule: only Virtual PC ("vpc ") and QEMU before it wrote "qem2" ("qemu") sized
     * disks by their CHS geometry; every other creator (Hyper-V "win ", Disk2vhd "d2v ", XenServer "tap\0",
     * XenConverter "CTXS", Azure "wa\0\0", VirtualBox "vbox", ...) by the footer's current size, as the specification
     * says. A disk of the largest geometry is always sized by the footer, whose size the geometry cannot express.
     * QEMU 10 made the footer the default (before, it listed the creators sized by the footer, and sized Azure's by a
     * geometry that cuts off their last megabytes).
     */
    long virtualSectors() {
        boolean sizedByGeometry = creatorApp.equals("vpc ") || creatorApp.equals("qemu");
        long sectors = geometrySectors();
        if (!sizedByGeometry || sectors == MAX_GEOMETRY) {
            sectors = Long.divideUnsigned(currentSize, 512);
        }
        return sectors;
    }

    String typeName() {
        return switch (diskType) {
            case FIXED -> "fixed";
            case DYNAMIC -> "dynamic";
            case DIFFERENCING -> "differencing";
            default -> "type " + diskType;
        };
    }
}
