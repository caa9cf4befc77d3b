package io.qcow4j.vmdk;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import io.qcow4j.CorruptImageException;

/** How a sparse extent's grain directory and tables are encoded. */
enum TableLayout {
    /** Hosted sparse (KDMV): 32-bit sector offsets; no zeroed grains. */
    HOSTED(4),
    /** Hosted sparse, version 2 and later with the zeroed-grain flag: an entry of 1 is a zeroed grain. */
    HOSTED_ZEROED_GRAINS(4),
    /** ESX COWD: 32-bit sector offsets. */
    COWD(4),
    /** ESX seSparse: 64-bit entries with a type in the top nibble. */
    SESPARSE(8);

    private final int entryBytes;

    TableLayout(int entryBytes) {
        this.entryBytes = entryBytes;
    }

    int entryBytes() {
        return entryBytes;
    }

    /** Reads entry {@code index} of a raw little-endian table. */
    long raw(ByteBuffer table, int index) {
        ByteBuffer b = table.order(ByteOrder.LITTLE_ENDIAN);
        return entryBytes == 4 ? Integer.toUnsignedLong(b.getInt(index * 4)) : b.getLong(index * 8);
    }

    /**
     * The byte offset of the grain table a directory entry names, or -1 for none.
     *
     * @param tables   for seSparse, the sector where the grain tables start
     * @param index    the directory entry's index, for messages
     */
    long tableOffset(long entry, long tables, long index) throws CorruptImageException {
        if (entry == 0) {
            return -1;
        }
        if (this != SESPARSE) {
            return entry * 512;
        }
        if ((entry & 0xffffffff00000000L) != 0x1000000000000000L) {
            throw new CorruptImageException(String.format("seSparse grain directory entry %d is %#018x: an "
                    + "allocated entry's top 32 bits are 0x10000000", index, entry));
        }
        long table = entry & 0xffffffffL;
        return (tables + table * SeSparseHeader.TABLE_SECTORS) * 512;
    }

    /**
     * Decodes a grain table entry to a {@link GrainMap} entry.
     *
     * @param grains for seSparse, the sector where grains start
     * @param where  names the entry for messages
     */
    long decode(long entry, long grains, long grainSectors, String where) throws CorruptImageException {
        switch (this) {
            case HOSTED_ZEROED_GRAINS:
                if (entry == 1) {
                    return GrainMap.ZERO;
                }
                return entry * 512;
            case HOSTED:
            case COWD:
                return entry * 512;
            default:
                return decodeSeSparse(entry, grains, grainSectors, where);
        }
    }

    private static long decodeSeSparse(long entry, long grains, long grainSectors, String where)
            throws CorruptImageException {
        switch ((int) (entry >>> 60)) {
            case 0:
                if (entry != 0) {
                    throw new CorruptImageException(String.format("%s is %#018x: an unallocated seSparse grain's "
                            + "entry is 0", where, entry));
                }
                return GrainMap.UNALLOCATED;
            case 1:
            case 2:
                // unmapped by the guest (SCSI UNMAP) or zeroed: both read as zeros
                return GrainMap.ZERO;
            case 3:
                long cluster = ((entry & 0x0fff000000000000L) >>> 48) | ((entry & 0x0000ffffffffffffL) << 12);
                if (cluster > (Limits.DISK_BYTES / 512 - grains) / grainSectors) {
                    throw new CorruptImageException(String.format("%s is %#018x: its grain lies past any file",
                            where, entry));
                }
                return (grains + cluster * grainSectors) * 512;
            default:
                throw new CorruptImageException(String.format("%s is %#018x: unknown seSparse grain type %d",
                        where, entry, entry >>> 60));
        }
    }
}
