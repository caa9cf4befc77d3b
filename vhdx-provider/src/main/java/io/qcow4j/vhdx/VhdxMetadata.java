package io.qcow4j.vhdx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import io.qcow4j.CorruptImageException;
import io.qcow4j.ImageLimitException;
import io.qcow4j.UnsupportedFeatureException;
import io.qcow4j.vhd.shared.Storage;

/**
 * The metadata items a reader needs, from the metadata region: block size, whether the disk has a parent, its size,
 * its sector sizes and, for a differencing disk, the parent locator's keys and values.
 */
record VhdxMetadata(long blockSize, boolean hasParent, long virtualSize, int logicalSectorSize,
                    int physicalSectorSize, Guid diskId, Map<String, String> parentLocator) {

    private static final Guid FILE_PARAMETERS = Guid.parse("CAA16737-FA36-4D43-B3B6-33F0AA44E76B");
    private static final Guid VIRTUAL_DISK_SIZE = Guid.parse("2FA54224-CD1B-4876-B211-5DBED83BF4B8");
    private static final Guid VIRTUAL_DISK_ID = Guid.parse("BECA12AB-B2E6-4523-93EF-C309E000C746");
    private static final Guid LOGICAL_SECTOR_SIZE = Guid.parse("8141BF1D-A96F-4709-BA47-F233A8FAAB5F");
    private static final Guid PHYSICAL_SECTOR_SIZE = Guid.parse("CDA348C7-445D-4471-9CC9-E9885251C556");
    private static final Guid PARENT_LOCATOR = Guid.parse("A8D35F2D-B30B-454D-ABF7-D3D84834AB0C");
    private static final Guid VHDX_LOCATOR_TYPE = Guid.parse("B04AEFB7-D19E-4A81-B789-25B8E9445913");
    private static final long SIGNATURE = 0x617461646174656dL;
    private static final int TABLE_SIZE = 64 * 1024;
    private static final int MAX_ENTRIES = 2047;
    /** The largest item this reader loads: far more than any locator's few paths. */
    private static final int MAX_ITEM = 1 << 20;
    private static final long MAX_SIZE = 64L << 40;

    static VhdxMetadata read(Storage file, RegionTable.Region region) throws IOException {
        if (region.length() < TABLE_SIZE) {
            throw new CorruptImageException("VHDX metadata region of " + region.length()
                    + " bytes is smaller than its 64 KiB table");
        }
        ByteBuffer table = ByteBuffer.allocate(TABLE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        file.readFully(table, region.offset(), "VHDX metadata table");
        table.flip();
        if (table.getLong(0) != SIGNATURE) {
            throw new CorruptImageException("VHDX metadata table at offset " + region.offset()
                    + ": no \"metadata\" signature");
        }
        int count = table.getShort(10) & 0xffff;
        if (count > MAX_ENTRIES) {
            throw new CorruptImageException("VHDX metadata table: " + count + " entries are more than "
                    + MAX_ENTRIES);
        }
        Map<Guid, ByteBuffer> items = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            int at = 32 + 32 * i;
            Guid id = Guid.read(table, at);
            long offset = table.getInt(at + 16) & 0xffffffffL;
            long length = table.getInt(at + 20) & 0xffffffffL;
            boolean required = (table.getInt(at + 24) & 4) != 0;
            String name = "VHDX metadata item " + id;
            if (!isKnown(id)) {
                if (required) {
                    throw new UnsupportedFeatureException(name + " is required but unknown");
                }
                continue;
            }
            if (length > MAX_ITEM || offset < TABLE_SIZE && length > 0 || offset + length > region.length()) {
                throw new CorruptImageException(name + " at offset " + offset + " (" + length
                        + " bytes) is not inside the " + region.length() + "-byte metadata region past its table");
            }
            ByteBuffer item = ByteBuffer.allocate((int) length).order(ByteOrder.LITTLE_ENDIAN);
            file.readFully(item, region.offset() + offset, name);
            items.put(id, item.flip());
        }
        ByteBuffer parameters = require(items, FILE_PARAMETERS, "file parameters", 8);
        long blockSize = parameters.getInt(0) & 0xffffffffL;
        if (blockSize < (1 << 20) || blockSize > (256 << 20) || Long.bitCount(blockSize) != 1) {
            throw new CorruptImageException("VHDX file parameters: block size " + blockSize
                    + " is not a power of two from 1 MiB to 256 MiB");
        }
        boolean hasParent = (parameters.getInt(4) & 2) != 0;
        int logical = require(items, LOGICAL_SECTOR_SIZE, "logical sector size", 4).getInt(0);
        if (logical != 512 && logical != 4096) {
            throw new CorruptImageException("VHDX logical sector size " + Integer.toUnsignedString(logical)
                    + " is not 512 or 4096");
        }
        int physical = require(items, PHYSICAL_SECTOR_SIZE, "physical sector size", 4).getInt(0);
        long size = require(items, VIRTUAL_DISK_SIZE, "virtual disk size", 8).getLong(0);
        if (size < 0 || size > MAX_SIZE) {
            throw new ImageLimitException("VHDX virtual disk size " + Long.toUnsignedString(size)
                    + " is more than the format's 64 TiB");
        }
        if (size % logical != 0) {
            throw new CorruptImageException("VHDX virtual disk size " + size + " is not a multiple of the "
                    + logical + "-byte logical sector");
        }
        ByteBuffer id = items.get(VIRTUAL_DISK_ID);
        Guid diskId = id != null && id.remaining() >= 16 ? Guid.read(id, 0) : Guid.ZERO;
        Map<String, String> locator = Map.of();
        if (hasParent) {
            ByteBuffer item = items.get(PARENT_LOCATOR);
            if (item == null) {
                throw new CorruptImageException("VHDX differencing disk without a parent locator");
            }
            locator = parentLocator(item);
        }
        return new VhdxMetadata(blockSize, hasParent, size, logical, physical, diskId, locator);
    }

    private static boolean isKnown(Guid id) {
        return id.equals(FILE_PARAMETERS) || id.equals(VIRTUAL_DISK_SIZE) || id.equals(VIRTUAL_DISK_ID)
                || id.equals(LOGICAL_SECTOR_SIZE) || id.equals(PHYSICAL_SECTOR_SIZE) || id.equals(PARENT_LOCATOR);
    }

    private static ByteBuffer require(Map<Guid, ByteBuffer> items, Guid id, String name, int length)
            throws CorruptImageException {
        ByteBuffer item = items.get(id);
        if (item == null || item.remaining() < length) {
            throw new CorruptImageException("VHDX metadata: the " + name + " item is "
                    + (item == null ? "missing" : "shorter than " + length + " bytes"));
        }
        return item;
    }

    /** The locator's key-value pairs, UTF-16LE each, at offsets from the item's start. */
    private static Map<String, String> parentLocator(ByteBuffer item) throws IOException {
        if (item.remaining() < 20) {
            throw new CorruptImageException("VHDX parent locator of " + item.remaining() + " bytes has no header");
        }
        Guid type = Guid.read(item, 0);
        if (!type.equals(VHDX_LOCATOR_TYPE)) {
            throw new UnsupportedFeatureException("VHDX parent locator type " + type + " is not VHDX's");
        }
        int count = item.getShort(18) & 0xffff;
        if (20L + 12L * count > item.remaining()) {
            throw new CorruptImageException("VHDX parent locator: " + count + " entries pass its "
                    + item.remaining() + " bytes");
        }
        Map<String, String> entries = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            int at = 20 + 12 * i;
            String key = text(item, item.getInt(at), item.getShort(at + 8) & 0xffff, "key " + i);
            String value = text(item, item.getInt(at + 4), item.getShort(at + 10) & 0xffff, "value " + i);
            entries.put(key, value);
        }
        return entries;
    }

    private static String text(ByteBuffer item, int offset, int length, String what) throws CorruptImageException {
        long end = (offset & 0xffffffffL) + length;
        if (end > item.remaining()) {
            throw new CorruptImageException("VHDX parent locator " + what + " at offset "
                    + Integer.toUnsignedString(offset) + " (" + length + " bytes) passes the item's "
                    + item.remaining() + " bytes");
        }
        byte[] bytes = new byte[length];
        item.get(offset, bytes);
        return new String(bytes, StandardCharsets.UTF_16LE);
    }

    /** Payload blocks per sector bitmap block: a bitmap block has a bit for each of 2^23 sectors. */
    long chunkRatio() {
        return (1L << 23) * logicalSectorSize / blockSize;
    }
}
