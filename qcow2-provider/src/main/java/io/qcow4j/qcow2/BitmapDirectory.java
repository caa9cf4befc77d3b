package io.qcow4j.qcow2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.qcow4j.CorruptImageException;
import io.qcow4j.ImageLimitException;
import io.qcow4j.UnsupportedFeatureException;
import io.qcow4j.spi.HostFile;

/**
 * Reads the names and flags of persistent dirty bitmaps, which {@code qemu-img info} lists, and checks the directory
 * and the bitmap tables as QEMU does when it opens an image: QEMU refuses to open one that breaks a rule, so we do
 * too. The bitmaps' data does not change what the disk reads, so it is not read.
 */
final class BitmapDirectory {

    /** QEMU's QCOW2_MAX_BITMAPS. */
    static final int MAX_BITMAPS = 65535;
    /** QEMU's QCOW2_MAX_BITMAP_DIRECTORY_SIZE. */
    static final long MAX_DIRECTORY_BYTES = 1024L * MAX_BITMAPS;
    private static final int ENTRY_FIXED = 24;
    // QEMU's limits on one directory entry (the BME_ constants of block/qcow2-bitmap.c)
    private static final long MAX_TABLE_ENTRIES = 0x8000000L;
    private static final long MAX_BITMAP_BYTES = 0x20000000L;
    private static final int MIN_GRANULARITY_BITS = 9;
    private static final int MAX_GRANULARITY_BITS = 31;
    private static final int MAX_NAME_BYTES = 1023;
    private static final int FLAG_IN_USE = 1;
    private static final int FLAG_AUTO = 2;
    private static final int DIRTY_TRACKING = 1;
    // a bitmap table entry (BME_TABLE_ENTRY_ of block/qcow2-bitmap.c)
    private static final long TABLE_ENTRY_RESERVED = 0xff000000000001feL;
    private static final long TABLE_ENTRY_OFFSET = 0x00fffffffffffe00L;
    private static final long TABLE_ENTRY_ALL_ONES = 1;
    /**
     * The most bytes of distinct bitmap tables one image may make us check (QEMU has no such limit). A table takes at
     * most 8 MiB (QEMU's 512 MiB of bitmap in 512-byte clusters) and usually a few KiB, so real images stay far
     * below it; a hostile directory of 65,535 entries, each naming a table of its own, would otherwise keep the open
     * reading for minutes.
     */
    static final long MAX_TABLE_BYTES_CHECKED = 256L << 20;
    /** QEMU sizes a bitmap by the disk's whole sectors. */
    private static final long SECTOR = 512;

    /** One bitmap as {@code qemu-img info} shows it. */
    record Bitmap(String name, long granularity, boolean inUse, boolean auto) {
        List<String> flagNames() {
            List<String> flags = new ArrayList<>();
            if (inUse) {
                flags.add("in-use");
            }
            if (auto) {
                flags.add("auto");
            }
            return flags;
        }
    }

    /** Where a bitmap table is, and its entry count. */
    private record Table(long offset, long entries) {
    }

    private BitmapDirectory() {
    }

    /** The bitmaps named by the extension whose data starts at {@code extensionData}, or none. */
    static List<Bitmap> read(HostFile file, ByteBuffer extensionData, Qcow2Header header) throws IOException {
        if (extensionData == null || (header.autoclearFeatures() & Qcow2Header.AUTOCLEAR_BITMAPS) == 0) {
            // with the autoclear bit clear, a program that knows no bitmaps has written the image since: QEMU
            // then takes every bitmap for stale and ignores the extension
            return List.of();
        }
        long count = Integer.toUnsignedLong(extensionData.getInt(0));
        int reserved = extensionData.getInt(4);
        long directorySize = extensionData.getLong(8);
        long directoryOffset = extensionData.getLong(16);
        if (reserved != 0) {
            throw new CorruptImageException(String.format("bitmaps extension: reserved field is %#x, not 0",
                    reserved));
        }
        if (count > MAX_BITMAPS) {
            throw new ImageLimitException("bitmaps extension: nb_bitmaps " + count + " exceeds " + MAX_BITMAPS);
        }
        if (count == 0) {
            throw new CorruptImageException("bitmaps extension: nb_bitmaps is 0");
        }
        if ((directoryOffset & (header.clusterSize() - 1)) != 0) {
            throw new CorruptImageException("bitmaps extension: the bitmap directory offset "
                    + Long.toUnsignedString(directoryOffset) + " is not aligned to the cluster size "
                    + header.clusterSize());
        }
        if (directorySize < 0 || directorySize > MAX_DIRECTORY_BYTES) {
            throw new ImageLimitException("bitmaps extension: bitmap_directory_size "
                    + Long.toUnsignedString(directorySize) + " exceeds " + MAX_DIRECTORY_BYTES);
        }
        if (directorySize == 0) {
            throw new CorruptImageException("bitmaps extension: bitmap_directory_size is 0");
        }
        if (directoryOffset < 0 || directoryOffset > file.size() - directorySize) {
            throw new CorruptImageException("bitmaps extension: the " + directorySize + "-byte bitmap directory at "
                    + Long.toUnsignedString(directoryOffset) + " passes the end of the " + file.size() + "-byte file");
        }
        ByteBuffer directory = ByteBuffer.allocate((int) directorySize);
        file.readFully(directory, directoryOffset, "bitmap directory");
        List<Bitmap> bitmaps = new ArrayList<>();
        Set<String> names = new HashSet<>();
        // entries may share a table: each is read and checked once
        Set<Table> checkedTables = new HashSet<>();
        long tableBytesChecked = 0;
        long at = 0;
        while (at < directorySize) {
            int i = bitmaps.size();
            if (at + ENTRY_FIXED > directorySize) {
                throw new CorruptImageException("bitmap directory: entry " + i + " passes the end of the "
                        + directorySize + "-byte directory");
            }
            if (i == count) {
                throw new CorruptImageException("bitmap directory: more entries than the " + count
                        + " bitmaps the bitmaps extension names");
            }
            int entry = (int) at;
            int nameSize = Short.toUnsignedInt(directory.getShort(entry + 18));
            long extraSize = Integer.toUnsignedLong(directory.getInt(entry + 20));
            long end = (at + ENTRY_FIXED + extraSize + nameSize + 7) & ~7L;
            if (end > directorySize) {
                throw new CorruptImageException("bitmap directory: entry " + i + " (name " + nameSize
                        + " bytes, extra data " + extraSize + " bytes) passes the end of the " + directorySize
                        + "-byte directory");
            }
            if (extraSize != 0) {
                throw new UnsupportedFeatureException("bitmap directory: entry " + i + " has " + extraSize
                        + " bytes of extra data, which QEMU does not support either");
            }
            String name = HeaderExtensions.string(directory, entry + ENTRY_FIXED, nameSize);
            Bitmap bitmap = entry(directory, entry, i, name, header);
            if (!names.add(name)) {
                throw new CorruptImageException("bitmap directory: two bitmaps are named '" + name + "'");
            }
            long tableOffset = directory.getLong(entry);
            long tableEntries = Integer.toUnsignedLong(directory.getInt(entry + 8));
            // QEMU loads the bitmaps that are not in use, and refuses the image when a table is bad
            if (!bitmap.inUse() && checkedTables.add(new Table(tableOffset, tableEntries))) {
                tableBytesChecked += tableEntries * 8;
                if (tableBytesChecked > MAX_TABLE_BYTES_CHECKED) {
                    throw new ImageLimitException("bitmap directory: the bitmap tables up to bitmap " + i + " ('"
                            + name + "') take more than " + (MAX_TABLE_BYTES_CHECKED >> 20) + " MiB");
                }
                checkTable(file, tableOffset, tableEntries, header, "bitmap " + i + " ('" + name + "')");
            }
            bitmaps.add(bitmap);
            at = end;
        }
        if (bitmaps.size() != count) {
            throw new CorruptImageException("bitmap directory: " + bitmaps.size() + " entries, but the bitmaps "
                    + "extension names " + count + " bitmaps");
        }
        return List.copyOf(bitmaps);
    }

    /** Checks each entry of a bitmap table (whose size the entry check has bounded) as QEMU's check_table_entry. */
    private static void checkTable(HostFile file, long offset, long entries, Qcow2Header header, String what)
            throws IOException {
        ByteBuffer table = ByteBuffer.allocate((int) (entries * 8));
        file.readFully(table, offset, what + " table");
        for (int i = 0; i < entries; i++) {
            long entry = table.getLong(i * 8);
            long dataOffset = entry & TABLE_ENTRY_OFFSET;
            if ((entry & TABLE_ENTRY_RESERVED) != 0 || dataOffset != 0 && ((entry & TABLE_ENTRY_ALL_ONES) != 0
                    || (dataOffset & (header.clusterSize() - 1)) != 0)) {
                throw new CorruptImageException(String.format("bitmap directory: %s: bitmap table entry %d is "
                        + "invalid (%#018x: reserved bits, or a data offset not cluster-aligned or with the all-ones "
                        + "flag)", what, i, entry));
            }
        }
    }

    /**
     * The clusters a bitmap of the disk takes, as QEMU sizes it when it loads one (and refuses any other table
     * size): one bit per granule, stored in whole 64-bit words.
     */
    private static long tableClusters(long diskSize, int granularityBits, int clusterSize) {
        if (diskSize == 0) {
            return 0;
        }
        long words = (((diskSize - 1) >>> granularityBits) >>> 6) + 1;
        return (words * 8 + clusterSize - 1) / clusterSize;
    }

    /** The entry at {@code at}, checked as QEMU's {@code check_dir_entry} checks it. */
    private static Bitmap entry(ByteBuffer directory, int at, int i, String name, Qcow2Header header)
            throws IOException {
        long tableOffset = directory.getLong(at);
        long tableSize = Integer.toUnsignedLong(directory.getInt(at + 8));
        int flags = directory.getInt(at + 12);
        int type = directory.get(at + 16) & 0xff;
        int granularityBits = directory.get(at + 17) & 0xff;
        int nameSize = Short.toUnsignedInt(directory.getShort(at + 18));
        String what = "bitmap directory: bitmap " + i + (nameSize <= MAX_NAME_BYTES ? " ('" + name + "')" : "");
        if (type != DIRTY_TRACKING) {
            throw new UnsupportedFeatureException(what + ": type " + type + ", where only dirty tracking bitmaps ("
                    + DIRTY_TRACKING + ") exist");
        }
        if (nameSize > MAX_NAME_BYTES) {
            throw new ImageLimitException(what + ": a name of " + nameSize + " bytes exceeds " + MAX_NAME_BYTES);
        }
        if ((flags & ~(FLAG_IN_USE | FLAG_AUTO)) != 0) {
            throw new CorruptImageException(String.format("%s: reserved flags set (flags %#x)", what, flags));
        }
        if (granularityBits < MIN_GRANULARITY_BITS || granularityBits > MAX_GRANULARITY_BITS) {
            throw new CorruptImageException(what + ": granularity_bits " + granularityBits + " is outside "
                    + MIN_GRANULARITY_BITS + ".." + MAX_GRANULARITY_BITS);
        }
        if (tableSize == 0 || tableOffset == 0) {
            throw new CorruptImageException(what + ": no bitmap table (bitmap_table_offset "
                    + Long.toUnsignedString(tableOffset) + ", bitmap_table_size " + tableSize + ")");
        }
        if ((tableOffset & (header.clusterSize() - 1)) != 0) {
            throw new CorruptImageException(what + ": bitmap_table_offset " + Long.toUnsignedString(tableOffset)
                    + " is not aligned to the cluster size " + header.clusterSize());
        }
        long bitmapBytes = tableSize * header.clusterSize();
        if (tableSize > MAX_TABLE_ENTRIES || bitmapBytes > MAX_BITMAP_BYTES) {
            throw new ImageLimitException(what + ": bitmap_table_size " + tableSize + " exceeds QEMU's limits ("
                    + MAX_TABLE_ENTRIES + " entries, " + MAX_BITMAP_BYTES + " bytes of bitmap)");
        }
        boolean inUse = (flags & FLAG_IN_USE) != 0;
        long disk = header.virtualSize() & ~(SECTOR - 1);
        long expected = tableClusters(disk, granularityBits, header.clusterSize());
        if (!inUse && tableSize != expected) {
            throw new CorruptImageException(what + ": bitmap_table_size " + tableSize + " does not fit the " + disk
                    + "-byte disk, whose bitmap at granularity " + (1L << granularityBits) + " takes " + expected
                    + (expected == 1 ? " cluster" : " clusters"));
        }
        return new Bitmap(name, 1L << granularityBits, inUse, (flags & FLAG_AUTO) != 0);
    }
}
