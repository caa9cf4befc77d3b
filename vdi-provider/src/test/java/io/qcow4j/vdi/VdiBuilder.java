package io.qcow4j.vdi;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes VDIs as VirtualBox 3 to 7 (header 1.1 of 400 bytes), older VirtualBox (1.1 of 384 bytes, version 0) and
 * other tools do: banner, header, block map, then the blocks in the order given, each after its extra bytes.
 */
final class VdiBuilder {

    private String banner = "<<< Oracle VM VirtualBox Disk Image >>>\n";
    private int version = VdiHeader.VERSION_1_1;
    private int headerSize = 400;
    private int type = VdiHeader.TYPE_DYNAMIC;
    private final long diskSize;
    private int blockSize = 1 << 20;
    private int blockExtra;
    /** Where the block map and the data start: on multiples of this (VirtualBox 4 and later: 1 MiB). */
    private int align = 512;
    private byte[] uuidCreate = uuid(1);
    private byte[] uuidLinkage = new byte[16];
    /** In the order of the calls: the order in the file. */
    private final Map<Integer, byte[]> blocks = new LinkedHashMap<>();
    private final Map<Integer, Integer> special = new TreeMap<>();

    VdiBuilder(long diskSize) {
        this.diskSize = diskSize;
    }

    static byte[] uuid(int seed) {
        byte[] uuid = new byte[16];
        Arrays.fill(uuid, (byte) seed);
        return uuid;
    }

    VdiBuilder banner(String text) {
        this.banner = text;
        return this;
    }

    VdiBuilder version0() {
        this.version = VdiHeader.VERSION_0;
        return this;
    }

    /** The pre-header's version as given (major in the high 16 bits); the layout is version 0's for major 0. */
    VdiBuilder version(int majorMinor) {
        this.version = majorMinor;
        return this;
    }

    VdiBuilder headerSize(int bytes) {
        this.headerSize = bytes;
        return this;
    }

    VdiBuilder type(int imageType) {
        this.type = imageType;
        return this;
    }

    VdiBuilder blockSize(int bytes) {
        this.blockSize = bytes;
        return this;
    }

    /** The block map and the data on multiples of {@code bytes}, as VirtualBox 4 and later (1 MiB). */
    VdiBuilder align(int bytes) {
        this.align = bytes;
        return this;
    }

    VdiBuilder blockExtra(int bytes) {
        this.blockExtra = bytes;
        return this;
    }

    VdiBuilder uuid(byte[] id) {
        this.uuidCreate = id;
        return this;
    }

    VdiBuilder parent(byte[] id) {
        this.uuidLinkage = id;
        this.type = VdiHeader.TYPE_DIFFERENCING;
        return this;
    }

    /** Block {@code index} stored, in the order of the calls. */
    VdiBuilder block(int index, byte[] data) {
        blocks.put(index, Arrays.copyOf(data, blockSize));
        return this;
    }

    /** Block {@code index} marked zero (it hides a parent's bytes). */
    VdiBuilder zeroBlock(int index) {
        special.put(index, VdiBlockMap.ZERO);
        return this;
    }

    byte[] build() {
        int count = (int) ((diskSize + blockSize - 1) / blockSize);
        int pre = 72;
        int blocksAt = version >>> 16 == 0 ? pre + 348 : aligned(pre + headerSize);
        int dataAt = version >>> 16 == 0 ? blocksAt + 4 * count : aligned(blocksAt + 4 * count);
        ByteBuffer image = ByteBuffer.allocate(dataAt + blocks.size() * (blockSize + blockExtra))
                .order(ByteOrder.LITTLE_ENDIAN);
        image.put(0, banner.getBytes(StandardCharsets.US_ASCII));
        image.putInt(64, VdiHeader.SIGNATURE);
        image.putInt(68, version);
        if (version >>> 16 == 0) {
            image.putInt(pre, type);
            image.putLong(pre + 280, diskSize);
            image.putInt(pre + 288, blockSize);
            image.putInt(pre + 292, count);
            image.putInt(pre + 296, blocks.size());
            image.put(pre + 300, uuidCreate);
            image.put(pre + 332, uuidLinkage);
        } else {
            image.putInt(pre, headerSize);
            image.putInt(pre + 4, type);
            image.putInt(pre + 268, blocksAt);
            image.putInt(pre + 272, dataAt);
            image.putInt(pre + 276 + 12, 512);
            image.putLong(pre + 296, diskSize);
            image.putInt(pre + 304, blockSize);
            image.putInt(pre + 308, blockExtra);
            image.putInt(pre + 312, count);
            image.putInt(pre + 316, blocks.size());
            image.put(pre + 320, uuidCreate);
            image.put(pre + 336, uuid(77));
            image.put(pre + 352, uuidLinkage);
        }
        for (int i = 0; i < count; i++) {
            image.putInt(blocksAt + 4 * i, special.getOrDefault(i, VdiBlockMap.FREE));
        }
        int place = 0;
        for (Map.Entry<Integer, byte[]> block : blocks.entrySet()) {
            image.putInt(blocksAt + 4 * block.getKey(), place);
            int at = dataAt + place * (blockSize + blockExtra);
            Arrays.fill(image.array(), at, at + blockExtra, (byte) 0xee);
            image.put(at + blockExtra, block.getValue());
            place++;
        }
        return image.array();
    }

    private int aligned(int at) {
        return (at + align - 1) / align * align;
    }
}
