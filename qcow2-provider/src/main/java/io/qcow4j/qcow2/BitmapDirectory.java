package io.qcow4j.qcow2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import io.qcow4j.internal.HostFile;
import io.qcow4j.spi.CorruptImageException;
import io.qcow4j.spi.ImageLimitException;

/**
 * Reads the names and flags of persistent dirty bitmaps, which {@code qemu-img info} lists. The bitmaps themselves
 * do not change what the disk reads, so their tables are not read.
 */
final class BitmapDirectory {

    /** QEMU's QCOW2_MAX_BITMAPS. */
    static final int MAX_BITMAPS = 65535;
    /** QEMU's QCOW2_MAX_BITMAP_DIRECTORY_SIZE. */
    static final long MAX_DIRECTORY_BYTES = 1024L * MAX_BITMAPS;
    private static final int ENTRY_FIXED = 24;

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

    private BitmapDirectory() {
    }

    /** The bitmaps named by the extension whose data starts at {@code extensionData}, or none. */
    static List<Bitmap> read(HostFile file, ByteBuffer extensionData) throws IOException {
        if (extensionData == null) {
            return List.of();
        }
        long count = Integer.toUnsignedLong(extensionData.getInt(0));
        long directorySize = extensionData.getLong(8);
        long directoryOffset = extensionData.getLong(16);
        if (count > MAX_BITMAPS) {
            throw new ImageLimitException("bitmaps extension: nb_bitmaps " + count + " exceeds " + MAX_BITMAPS);
        }
        if (directorySize < 0 || directorySize > MAX_DIRECTORY_BYTES) {
            throw new ImageLimitException("bitmaps extension: bitmap_directory_size "
                    + Long.toUnsignedString(directorySize) + " exceeds " + MAX_DIRECTORY_BYTES);
        }
        if (directoryOffset < 0 || directoryOffset > file.size() - directorySize) {
            throw new CorruptImageException("bitmaps extension: the " + directorySize + "-byte bitmap directory at "
                    + Long.toUnsignedString(directoryOffset) + " passes the end of the " + file.size() + "-byte file");
        }
        ByteBuffer directory = ByteBuffer.allocate((int) directorySize);
        file.readFully(directory, directoryOffset, "bitmap directory");
        List<Bitmap> bitmaps = new ArrayList<>();
        int at = 0;
        for (long i = 0; i < count; i++) {
            if (at + ENTRY_FIXED > directorySize) {
                throw new CorruptImageException("bitmap directory: entry " + i + " passes the end of the "
                        + directorySize + "-byte directory");
            }
            int flags = directory.getInt(at + 12);
            int granularityBits = directory.get(at + 17) & 0xff;
            int nameSize = Short.toUnsignedInt(directory.getShort(at + 18));
            long extraSize = Integer.toUnsignedLong(directory.getInt(at + 20));
            long end = at + ENTRY_FIXED + extraSize + nameSize;
            if (end > directorySize || granularityBits > 63) {
                throw new CorruptImageException("bitmap directory: entry " + i + " is invalid (name " + nameSize
                        + " bytes, extra data " + extraSize + " bytes, granularity bits " + granularityBits + ")");
            }
            String name = HeaderExtensions.string(directory, (int) (at + ENTRY_FIXED + extraSize), nameSize);
            bitmaps.add(new Bitmap(name, 1L << granularityBits, (flags & 1) != 0, (flags & 2) != 0));
            at = (int) ((end + 7) & ~7L);
        }
        return List.copyOf(bitmaps);
    }
}
