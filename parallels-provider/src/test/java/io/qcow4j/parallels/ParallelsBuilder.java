package io.qcow4j.parallels;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes Parallels expanding disks the way other writers lay them out, not only as qemu-img does: the older
 * {@code WithoutFreeSpace} header with offsets in sectors and no {@code data_off}, clusters stored in any order,
 * a table shorter than the disk.
 */
final class ParallelsBuilder {

    private final long sectors;
    private int clusterSectors = 8;
    private boolean extended = true;
    private int batEntries = -1;
    private boolean dataOffSet = true;
    private final Map<Integer, byte[]> clusters = new LinkedHashMap<>();

    ParallelsBuilder(long sectors) {
        this.sectors = sectors;
    }

    ParallelsBuilder clusterSectors(int sectors) {
        this.clusterSectors = sectors;
        return this;
    }

    /** The older header: BAT entries in sectors, a 32-bit disk size, {@code data_off} left 0. */
    ParallelsBuilder older() {
        this.extended = false;
        this.dataOffSet = false;
        return this;
    }

    ParallelsBuilder batEntries(int entries) {
        this.batEntries = entries;
        return this;
    }

    /** Stores the cluster at the file's end, in the order clusters are given. */
    ParallelsBuilder cluster(int index, byte[] data) {
        clusters.put(index, data);
        return this;
    }

    byte[] build() {
        int clusterBytes = clusterSectors * 512;
        int entries = batEntries >= 0 ? batEntries : (int) ((sectors + clusterSectors - 1) / clusterSectors);
        long tableEnd = ParallelsHeader.SIZE + 4L * entries;
        // the extended header's data starts on a cluster; the older one's on the next sector
        long dataStart = extended ? roundUp(tableEnd, clusterBytes) : roundUp(tableEnd, 512);
        ByteBuffer file = ByteBuffer.allocate((int) (dataStart + (long) clusters.size() * clusterBytes))
                .order(ByteOrder.LITTLE_ENDIAN);
        file.put((extended ? "WithouFreSpacExt" : "WithoutFreeSpace").getBytes(StandardCharsets.US_ASCII));
        file.putInt(16, ParallelsHeader.VERSION).putInt(20, 16).putInt(24, (int) (sectors / (16 * 32)))
                .putInt(28, clusterSectors).putInt(32, entries).putLong(36, sectors)
                .putInt(48, dataOffSet ? (int) (dataStart / 512) : 0);
        long at = dataStart;
        for (Map.Entry<Integer, byte[]> cluster : clusters.entrySet()) {
            file.putInt(ParallelsHeader.SIZE + 4 * cluster.getKey(), (int) (extended ? at / clusterBytes : at / 512));
            file.put((int) at, Arrays.copyOf(cluster.getValue(), clusterBytes));
            at += clusterBytes;
        }
        return file.array();
    }

    private static long roundUp(long value, long unit) {
        return (value + unit - 1) / unit * unit;
    }

    static byte[] pattern(int length, int seed) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (seed * 31 + i * 7 + (i >> 9));
        }
        return bytes;
    }
}
