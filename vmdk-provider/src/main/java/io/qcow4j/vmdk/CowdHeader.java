package io.qcow4j.vmdk;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import io.qcow4j.ImageException;
import io.qcow4j.ImageLimitException;

/**
 * The header of an ESX COWD extent (a {@code vmfsSparse} redo log): little-endian 32-bit fields after the magic,
 * sizes and offsets in sectors; every grain table holds {@link #TABLE_ENTRIES} entries.
 *
 * @param capacity         the extent's size in sectors
 * @param grainSectors     sectors per grain
 * @param directory        the grain directory's sector
 * @param directoryEntries the grain directory's entries
 */
record CowdHeader(long capacity, long grainSectors, long directory, long directoryEntries) {

    static final int TABLE_ENTRIES = 4096;

    static CowdHeader read(ByteBuffer block) {
        ByteBuffer b = block.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int base = b.position();
        return new CowdHeader(Integer.toUnsignedLong(b.getInt(base + 12)), Integer.toUnsignedLong(b.getInt(base + 16)),
                Integer.toUnsignedLong(b.getInt(base + 20)), Integer.toUnsignedLong(b.getInt(base + 24)));
    }

    /** QEMU divides by the grain size unchecked, and bounds the directory. */
    void check() throws ImageException {
        if (grainSectors == 0 || grainSectors > Limits.GRAIN_SECTORS) {
            throw new ImageLimitException("COWD header: granularity " + grainSectors + " sectors is outside 1.."
                    + Limits.GRAIN_SECTORS);
        }
        if (directoryEntries > Limits.GRAIN_DIRECTORY_ENTRIES) {
            throw new ImageLimitException("COWD header: the grain directory has " + directoryEntries
                    + " entries, more than QEMU's " + Limits.GRAIN_DIRECTORY_ENTRIES);
        }
    }
}
