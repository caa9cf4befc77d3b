package io.qcow4j.vhd;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes VHDs as other tools do, for what qemu-img cannot make: creators sized by geometry, sector bitmaps with clear
 * bits, differencing disks with parent locators. Layout: footer copy, dynamic header, BAT, locator data, blocks,
 * footer (or, fixed, the data and the footer).
 */
final class VhdBuilder {

    private record Locator(int code, byte[] data) {
    }

    private record Block(byte[] bitmap, byte[] data) {
    }

    private final int type;
    private final long currentSize;
    private String creator = "win ";
    private int cylinders = 0xffff;
    private int heads = 16;
    private int sectors = 255;
    private int blockSize = 2 << 20;
    private int maxTableEntries = -1;
    private byte[] uuid = uuid(1);
    private byte[] parentUuid = new byte[16];
    private String parentName = "";
    private final List<Locator> locators = new ArrayList<>();
    private final Map<Integer, Block> blocks = new TreeMap<>();
    private byte[] fixedData;
    private boolean xenServer;

    private VhdBuilder(int type, long currentSize) {
        this.type = type;
        this.currentSize = currentSize;
    }

    static VhdBuilder dynamic(long size) {
        return new VhdBuilder(VhdFooter.DYNAMIC, size);
    }

    static VhdBuilder differencing(long size) {
        return new VhdBuilder(VhdFooter.DIFFERENCING, size);
    }

    static VhdBuilder fixed(byte[] data) {
        VhdBuilder builder = new VhdBuilder(VhdFooter.FIXED, data.length);
        builder.fixedData = data;
        return builder;
    }

    static byte[] uuid(int seed) {
        byte[] uuid = new byte[16];
        Arrays.fill(uuid, (byte) seed);
        uuid[6] = 0x40;
        return uuid;
    }

    VhdBuilder creator(String app) {
        this.creator = app;
        return this;
    }

    VhdBuilder geometry(int c, int h, int s) {
        this.cylinders = c;
        this.heads = h;
        this.sectors = s;
        return this;
    }

    VhdBuilder blockSize(int bytes) {
        this.blockSize = bytes;
        return this;
    }

    VhdBuilder maxTableEntries(int entries) {
        this.maxTableEntries = entries;
        return this;
    }

    VhdBuilder uuid(byte[] id) {
        this.uuid = id;
        return this;
    }

    VhdBuilder parent(byte[] id, String name) {
        this.parentUuid = id;
        this.parentName = name;
        return this;
    }

    /** A locator as Windows writes W2ru and W2ku: the path in UTF-16LE. */
    VhdBuilder windowsLocator(int code, String path) {
        locators.add(new Locator(code, path.getBytes(StandardCharsets.UTF_16LE)));
        return this;
    }

    VhdBuilder macLocator(String url) {
        locators.add(new Locator(ParentLocator.MACX, url.getBytes(StandardCharsets.UTF_8)));
        return this;
    }

    /** A locator of any code, its data as given (the deprecated Wi2r and Wi2k hold ANSI text). */
    VhdBuilder locator(int code, byte[] data) {
        locators.add(new Locator(code, data));
        return this;
    }

    /**
     * As XenServer's blktap lays a disk out: a "tdbatmap" header (and its one-sector map of fully written blocks)
     * after the table, and the blocks stored in the reverse of their order on the disk.
     */
    VhdBuilder xenServer() {
        this.xenServer = true;
        return this;
    }

    /** Block {@code index} with every sector's bit set. */
    VhdBuilder block(int index, byte[] data) {
        byte[] bitmap = new byte[BlockAllocationTable.bitmapSize(blockSize)];
        Arrays.fill(bitmap, 0, Math.max(1, blockSize / 4096), (byte) 0xff);
        return block(index, bitmap, data);
    }

    VhdBuilder block(int index, byte[] bitmap, byte[] data) {
        blocks.put(index, new Block(bitmap, Arrays.copyOf(data, blockSize)));
        return this;
    }

    byte[] footer() {
        ByteBuffer f = ByteBuffer.allocate(512);
        f.put("conectix".getBytes(StandardCharsets.ISO_8859_1));
        f.putInt(8, 2);
        f.putInt(12, 0x00010000);
        f.putLong(16, type == VhdFooter.FIXED ? -1 : 512);
        f.put(28, creator.getBytes(StandardCharsets.ISO_8859_1));
        f.putInt(32, 0x000a0000);
        f.put(36, "Wi2k".getBytes(StandardCharsets.ISO_8859_1));
        f.putLong(40, currentSize);
        f.putLong(48, currentSize);
        f.putShort(56, (short) cylinders);
        f.put(58, (byte) heads);
        f.put(59, (byte) sectors);
        f.putInt(60, type);
        f.put(68, uuid);
        f.putInt(64, VhdFooter.checksum(f.duplicate().clear(), 64));
        return f.array();
    }

    byte[] build() {
        if (type == VhdFooter.FIXED) {
            byte[] image = Arrays.copyOf(fixedData, fixedData.length + 512);
            System.arraycopy(footer(), 0, image, fixedData.length, 512);
            return image;
        }
        int entries = maxTableEntries >= 0 ? maxTableEntries : (int) ((currentSize + blockSize - 1) / blockSize);
        long tableAt = 1536;
        long at = align(tableAt + 4L * entries);
        long[] locatorAt = new long[locators.size()];
        for (int i = 0; i < locators.size(); i++) {
            locatorAt[i] = at;
            at = align(at + locators.get(i).data().length);
        }
        long batmapAt = at;
        if (xenServer) {
            at += 1024;
        }
        long blocksAt = at;
        int bitmapSize = BlockAllocationTable.bitmapSize(blockSize);
        long end = blocksAt + (long) blocks.size() * (bitmapSize + blockSize);
        ByteBuffer image = ByteBuffer.allocate((int) end + 512);
        byte[] footer = footer();
        image.put(0, footer);
        image.put((int) end, footer);
        ByteBuffer h = ByteBuffer.allocate(1024);
        h.put("cxsparse".getBytes(StandardCharsets.ISO_8859_1));
        h.putLong(8, -1);
        h.putLong(16, tableAt);
        h.putInt(24, 0x00010000);
        h.putInt(28, entries);
        h.putInt(32, blockSize);
        h.put(40, parentUuid);
        byte[] name = parentName.getBytes(StandardCharsets.UTF_16BE);
        h.put(64, name, 0, Math.min(512, name.length));
        for (int i = 0; i < locators.size(); i++) {
            int entry = 576 + 24 * i;
            h.putInt(entry, locators.get(i).code());
            h.putInt(entry + 4, (int) (align(locators.get(i).data().length) / 512));
            h.putInt(entry + 8, locators.get(i).data().length);
            h.putLong(entry + 16, locatorAt[i]);
            image.put((int) locatorAt[i], locators.get(i).data());
        }
        h.putInt(36, VhdFooter.checksum(h.duplicate().clear(), 36));
        image.put(512, h.array());
        for (int i = 0; i < entries; i++) {
            image.putInt((int) tableAt + 4 * i, -1);
        }
        if (xenServer) {
            ByteBuffer batmap = ByteBuffer.allocate(512);
            batmap.put("tdbatmap".getBytes(StandardCharsets.ISO_8859_1));
            batmap.putLong(8, batmapAt + 512);
            batmap.putInt(16, 1);
            batmap.putInt(20, 0x00010002);
            image.put((int) batmapAt, batmap.array());
        }
        long blockAt = blocksAt;
        List<Map.Entry<Integer, Block>> order = new ArrayList<>(blocks.entrySet());
        if (xenServer) {
            java.util.Collections.reverse(order);
        }
        for (Map.Entry<Integer, Block> block : order) {
            image.putInt((int) tableAt + 4 * block.getKey(), (int) (blockAt / 512));
            image.put((int) blockAt, block.getValue().bitmap());
            image.put((int) blockAt + bitmapSize, block.getValue().data());
            blockAt += bitmapSize + blockSize;
        }
        return image.array();
    }

    private static long align(long at) {
        return (at + 511) & ~511L;
    }
}
