package io.qcow4j.parallels;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import io.qcow4j.CorruptImageException;
import io.qcow4j.ImageLimitException;

/**
 * The 64-byte header of a Parallels expanding disk, little-endian, its fields checked as QEMU checks them.
 *
 * @param extended       the {@code WithouFreSpacExt} magic: BAT entries count clusters, the sector count is 64 bits
 * @param clusterSectors sectors per cluster (the header's {@code tracks})
 * @param batEntries     entries in the block allocation table that follows the header
 * @param sectors        the disk's size in sectors
 */
record ParallelsHeader(boolean extended, long clusterSectors, long batEntries, long sectors) {

    static final int SIZE = 64;
    static final int VERSION = 2;
    private static final byte[] MAGIC = "WithoutFreeSpace".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MAGIC_EXTENDED = "WithouFreSpacExt".getBytes(StandardCharsets.US_ASCII);
    /** QEMU's bound: a cluster's bytes, and a sector count times 513, fit in a signed 32-bit integer. */
    static final long MAX_CLUSTER_SECTORS = Integer.MAX_VALUE / 513;
    /** QEMU's bound: the table's bytes fit in a signed 32-bit integer. */
    static final long MAX_BAT_ENTRIES = Integer.MAX_VALUE / 4;

    static boolean recognizes(ByteBuffer start) {
        if (start.remaining() < SIZE) {
            return false;
        }
        byte[] magic = new byte[MAGIC.length];
        start.get(start.position(), magic);
        return (Arrays.equals(magic, MAGIC) || Arrays.equals(magic, MAGIC_EXTENDED))
                && start.order(ByteOrder.LITTLE_ENDIAN).getInt(start.position() + 16) == VERSION;
    }

    /** Parses the header at the buffer's start, which holds at least {@link #SIZE} bytes. */
    static ParallelsHeader parse(ByteBuffer bytes) throws CorruptImageException, ImageLimitException {
        ByteBuffer header = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (!recognizes(header)) {
            throw new CorruptImageException("Image not in Parallels format: no WithoutFreeSpace or "
                    + "WithouFreSpacExt header of version 2");
        }
        boolean extended = header.get(15) == 't';
        long clusterSectors = Integer.toUnsignedLong(header.getInt(28));
        if (clusterSectors == 0) {
            throw new CorruptImageException("Parallels header: invalid image: zero sectors per track (cluster)");
        }
        if (clusterSectors > MAX_CLUSTER_SECTORS) {
            throw new ImageLimitException("Parallels header: invalid image: clusters of " + clusterSectors
                    + " sectors are too big (at most " + MAX_CLUSTER_SECTORS + ")");
        }
        long batEntries = Integer.toUnsignedLong(header.getInt(32));
        if (batEntries > MAX_BAT_ENTRIES) {
            throw new ImageLimitException("Parallels header: catalog too large: " + batEntries + " entries (at most "
                    + MAX_BAT_ENTRIES + ")");
        }
        long sectors = header.getLong(36);
        if (!extended) {
            // the older header's count is 32 bits; QEMU ignores what the upper half holds
            sectors &= 0xffffffffL;
        } else if (sectors < 0 || sectors > Long.MAX_VALUE / 512) {
            throw new ImageLimitException("Parallels header: a disk of " + Long.toUnsignedString(sectors)
                    + " sectors is larger than a file can address");
        }
        return new ParallelsHeader(extended, clusterSectors, batEntries, sectors);
    }

    long clusterBytes() {
        return clusterSectors * 512;
    }

    /** What one BAT entry counts: a sector in the older header, a cluster in the extended one. */
    long entryUnitBytes() {
        return extended ? clusterBytes() : 512;
    }
}
