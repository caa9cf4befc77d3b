package io.qcow4j.vmdk;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import io.qcow4j.CorruptImageException;
import io.qcow4j.ImageException;
import io.qcow4j.ImageLimitException;
import io.qcow4j.UnsupportedFeatureException;

/**
 * The constant header of an ESX seSparse extent: 64-bit little-endian fields, offsets and sizes in sectors. The
 * format is not published; QEMU reads the one layout ESXi writes (grains of 4 KiB, grain tables of 4096 entries)
 * and refuses any other, as this reader does.
 *
 * @param capacity           the extent's size in sectors
 * @param volatileHeader     the volatile header's sector
 * @param directory          the grain directory's sector
 * @param directorySectors   the grain directory's size in sectors
 * @param tables             the sector where the grain tables start
 * @param grains             the sector where the grains start
 */
record SeSparseHeader(long capacity, long volatileHeader, long directory, long directorySectors, long tables,
                      long grains) {

    static final long MAGIC = 0xcafebabeL;
    static final long VOLATILE_MAGIC = 0xcafecafeL;
    static final long VERSION = 0x0000000200000001L;
    static final long GRAIN_SECTORS = 8;
    static final long TABLE_SECTORS = 64;
    static final int TABLE_ENTRIES = (int) (TABLE_SECTORS * 512 / 8);

    /**
     * Reads and checks the constant header in {@code block} (512 bytes), as strictly as QEMU does.
     */
    static SeSparseHeader read(ByteBuffer block) throws ImageException {
        ByteBuffer b = block.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int base = b.position();
        long magic = b.getLong(base);
        if (magic != MAGIC) {
            throw new CorruptImageException(String.format("seSparse header: bad const header magic %#018x", magic));
        }
        long version = b.getLong(base + 8);
        if (version != VERSION) {
            throw new UnsupportedFeatureException(String.format("seSparse header: unsupported version %#018x",
                    version));
        }
        long grainSize = b.getLong(base + 24);
        if (grainSize != GRAIN_SECTORS) {
            throw new UnsupportedFeatureException("seSparse header: unsupported grain size "
                    + Long.toUnsignedString(grainSize) + " sectors (ESXi writes " + GRAIN_SECTORS + ")");
        }
        long tableSize = b.getLong(base + 32);
        if (tableSize != TABLE_SECTORS) {
            throw new UnsupportedFeatureException("seSparse header: unsupported grain table size "
                    + Long.toUnsignedString(tableSize) + " sectors (ESXi writes " + TABLE_SECTORS + ")");
        }
        long flags = b.getLong(base + 40);
        if (flags != 0) {
            throw new UnsupportedFeatureException(String.format("seSparse header: unsupported flags %#018x", flags));
        }
        for (int i = 0; i < 4; i++) {
            if (b.getLong(base + 48 + 8 * i) != 0) {
                throw new UnsupportedFeatureException("seSparse header: reserved field " + (i + 1) + " is not zero");
            }
        }
        for (int i = 208; i < 512; i++) {
            if (b.get(base + i) != 0) {
                throw new UnsupportedFeatureException("seSparse header: non-zero const header padding at byte " + i);
            }
        }
        long capacity = b.getLong(base + 16);
        if (capacity < 0 || capacity > Limits.DISK_BYTES / 512) {
            throw new ImageLimitException("seSparse header: capacity " + Long.toUnsignedString(capacity)
                    + " sectors is more than this reader's " + Limits.DISK_BYTES / 512);
        }
        long directorySectors = b.getLong(base + 136);
        if (directorySectors < 0 || directorySectors > Limits.GRAIN_DIRECTORY_ENTRIES * 8 / 512) {
            throw new ImageLimitException("seSparse header: grain directory of " + Long.toUnsignedString(
                    directorySectors) + " sectors, more than QEMU's " + Limits.GRAIN_DIRECTORY_ENTRIES + " entries");
        }
        SeSparseHeader header = new SeSparseHeader(capacity, b.getLong(base + 80), b.getLong(base + 128),
                directorySectors, b.getLong(base + 144), b.getLong(base + 192));
        header.checkOffsets();
        return header;
    }

    private void checkOffsets() throws CorruptImageException {
        long[] offsets = {volatileHeader, directory, tables, grains};
        String[] names = {"volatile_header_offset", "grain_dir_offset", "grain_tables_offset", "grains_offset"};
        for (int i = 0; i < offsets.length; i++) {
            if (offsets[i] < 0 || offsets[i] > Limits.DISK_BYTES / 512) {
                throw new CorruptImageException("seSparse header: " + names[i] + " " + Long.toUnsignedString(
                        offsets[i]) + " lies past any file");
            }
        }
    }

    long directoryEntries() {
        return directorySectors * 512 / 8;
    }

    /** Checks the volatile header (512 bytes): a journal left to replay means the extent is not consistent. */
    static void checkVolatile(ByteBuffer block) throws ImageException {
        ByteBuffer b = block.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int base = b.position();
        long magic = b.getLong(base);
        if (magic != VOLATILE_MAGIC) {
            throw new CorruptImageException(String.format("seSparse volatile header: bad magic %#018x", magic));
        }
        if (b.getLong(base + 24) != 0) {
            throw new UnsupportedFeatureException("seSparse volatile header: the extent is dirty; replaying its "
                    + "journal is not supported");
        }
        for (int i = 32; i < 512; i++) {
            if (b.get(base + i) != 0) {
                throw new UnsupportedFeatureException("seSparse volatile header: non-zero padding at byte " + i);
            }
        }
    }
}
