package io.qcow4j.vmdk;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import io.qcow4j.CorruptImageException;
import io.qcow4j.ImageException;
import io.qcow4j.ImageLimitException;
import io.qcow4j.UnsupportedFeatureException;

/**
 * The header of a hosted sparse extent ({@code KDMV}), versions 1 to 3, as the Virtual Disk Format 5.0 lays it out:
 * little-endian, sizes and offsets in 512-byte sectors. A stream-optimized extent repeats it in a footer at the end
 * of the file, where its grain directory offset is the real one.
 *
 * @param version            1, 2 (zeroed-grain entries) or 3 (changed-block tracking; read as version 1); QEMU
 *                           reads a 0 too
 * @param flags              the {@code FLAG_*} bits
 * @param capacity           the extent's size in sectors
 * @param grainSectors       sectors per grain
 * @param descriptorOffset   where the embedded descriptor starts, or 0 for none
 * @param descriptorSectors  the descriptor's room in sectors
 * @param tableEntries       grain table entries per grain table ({@code numGTEsPerGT})
 * @param redundantDirectory the redundant grain directory's sector
 * @param directory          the grain directory's sector, or {@link #DIRECTORY_AT_END}
 * @param overhead           the sector where grains start: everything before is metadata
 * @param newlineCheck       the four bytes that detect a text-mode transfer: {@code \n}, space, {@code \r\n}
 * @param compression        0 for none, 1 for deflate (zlib streams)
 */
record SparseHeader(int version, int flags, long capacity, long grainSectors, long descriptorOffset,
                    long descriptorSectors, int tableEntries, long redundantDirectory, long directory, long overhead,
                    int newlineCheck, int compression) {

    static final int SIZE = 512;
    static final int FLAG_NEWLINE_DETECT = 1;
    static final int FLAG_REDUNDANT_DIRECTORY = 1 << 1;
    static final int FLAG_ZEROED_GRAINS = 1 << 2;
    static final int FLAG_COMPRESSED = 1 << 16;
    static final int FLAG_MARKERS = 1 << 17;
    static final int COMPRESSION_DEFLATE = 1;
    static final long DIRECTORY_AT_END = -1;
    /** {@code \n \r\n}, read little-endian. */
    static final int NEWLINE_CHECK = 0x0a0d200a;

    /** Reads the header in the first 512 bytes of {@code block}, magic included. */
    static SparseHeader read(ByteBuffer block) {
        ByteBuffer b = block.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int base = b.position();
        return new SparseHeader(b.getInt(base + 4), b.getInt(base + 8), b.getLong(base + 12), b.getLong(base + 20),
                b.getLong(base + 28), b.getLong(base + 36), b.getInt(base + 44), b.getLong(base + 48),
                b.getLong(base + 56), b.getLong(base + 64), b.getInt(base + 73),
                Short.toUnsignedInt(b.getShort(base + 77)));
    }

    boolean compressed() {
        return compression == COMPRESSION_DEFLATE;
    }

    boolean markers() {
        return (flags & FLAG_MARKERS) != 0;
    }

    boolean zeroedGrains() {
        return (flags & FLAG_ZEROED_GRAINS) != 0;
    }

    /** The entries of the grain directory: one per grain table that the capacity needs. */
    long directoryEntries() {
        long sectorsPerTable = (long) tableEntries * grainSectors;
        return (capacity + sectorsPerTable - 1) / sectorsPerTable;
    }

    /**
     * Checks the header as QEMU does before it reads a table, and what QEMU leaves unchecked but would divide by or
     * allocate from.
     *
     * @param fileSize the extent file's size, which must reach the first grain
     */
    void check(long fileSize) throws ImageException {
        if (Integer.compareUnsigned(version, 3) > 0) {
            throw new UnsupportedFeatureException("sparse header: unsupported VMDK version " + Integer.toUnsignedLong(
                    version) + " (versions up to 3 are read)");
        }
        if ((flags & FLAG_NEWLINE_DETECT) != 0 && newlineCheck != NEWLINE_CHECK) {
            throw new CorruptImageException(String.format("sparse header: the newline check bytes are %08x, not "
                    + "0a 20 0d 0a: the file went through a text-mode transfer, which corrupts it", Integer
                    .reverseBytes(newlineCheck)));
        }
        if (compression != 0 && compression != COMPRESSION_DEFLATE) {
            throw new UnsupportedFeatureException("sparse header: unknown compressAlgorithm " + compression
                    + " (0 none and 1 deflate are known)");
        }
        if (tableEntries <= 0 || tableEntries > Limits.HOSTED_GRAIN_TABLE_ENTRIES) {
            throw new ImageLimitException("sparse header: numGTEsPerGT " + Integer.toUnsignedLong(tableEntries)
                    + " is outside 1.." + Limits.HOSTED_GRAIN_TABLE_ENTRIES + " (QEMU's bound)");
        }
        if (grainSectors <= 0 || grainSectors > Limits.GRAIN_SECTORS) {
            throw new ImageLimitException("sparse header: grainSize " + Long.toUnsignedString(grainSectors)
                    + " sectors is outside 1.." + Limits.GRAIN_SECTORS + " (QEMU's bound: grains of up to 1 GiB)");
        }
        if (capacity < 0 || capacity > Limits.DISK_BYTES / 512) {
            throw new ImageLimitException("sparse header: capacity " + Long.toUnsignedString(capacity)
                    + " sectors is more than this reader's " + Limits.DISK_BYTES / 512);
        }
        if (directoryEntries() > Limits.GRAIN_DIRECTORY_ENTRIES) {
            throw new ImageLimitException("sparse header: a capacity of " + capacity + " sectors in grain tables "
                    + "of " + tableEntries + " grains of " + grainSectors + " sectors needs a grain directory of "
                    + directoryEntries() + " entries, more than QEMU's " + Limits.GRAIN_DIRECTORY_ENTRIES);
        }
        if (overhead < 0 || overhead > fileSize / 512 + (fileSize % 512 == 0 ? 0 : 1)) {
            throw new CorruptImageException("sparse header: the file is truncated: the grains start at sector "
                    + Long.toUnsignedString(overhead) + " (overHead), but the file is " + fileSize + " bytes");
        }
    }
}
