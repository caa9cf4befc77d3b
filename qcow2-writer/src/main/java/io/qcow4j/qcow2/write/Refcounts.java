package io.qcow4j.qcow2.write;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The refcount blocks and table of a finished image, appended at its end: sized for the whole file, themselves
 * included, so that the image needs no refcount allocation until it grows.
 */
final class Refcounts {

    /**
     * Where the table went.
     *
     * @param offset the table's offset
     * @param clusters its length in clusters
     */
    record Table(long offset, int clusters) {
    }

    private Refcounts() {
    }

    /** Appends the blocks then the table; the file must end at a cluster boundary. */
    static Table append(ClusterAppender file, Geometry geometry) throws IOException {
        file.align();
        int clusterSize = geometry.clusterSize();
        long used = file.position() / clusterSize;
        long perBlock = geometry.refcountsPerBlock();
        long blocks = 0;
        long tableClusters = 0;
        while (true) {
            long total = used + blocks + tableClusters;
            long needBlocks = (total + perBlock - 1) / perBlock;
            long needTable = Math.max(1, (needBlocks * 8 + clusterSize - 1) / clusterSize);
            if (needBlocks == blocks && needTable == tableClusters) {
                break;
            }
            blocks = needBlocks;
            tableClusters = needTable;
        }
        if (tableClusters > (8 << 20) / clusterSize) {
            throw new IllegalStateException("the refcount table would pass QEMU's 8 MiB limit");
        }
        long total = used + blocks + tableClusters;
        long firstBlock = used;
        ByteBuffer block = ByteBuffer.allocate(clusterSize);
        for (long b = 0; b < blocks; b++) {
            block.clear();
            java.util.Arrays.fill(block.array(), (byte) 0);
            long start = b * perBlock;
            long end = Math.min(total, start + perBlock);
            for (long cluster = start; cluster < end; cluster++) {
                put(block, geometry.refcountOrder(), (int) (cluster - start), file.refcount(cluster));
            }
            block.clear();
            file.appendClusters(block);
        }
        ByteBuffer table = ByteBuffer.allocate((int) tableClusters * clusterSize);
        for (long b = 0; b < blocks; b++) {
            table.putLong((firstBlock + b) * clusterSize);
        }
        table.clear();
        long tableOffset = file.appendClusters(table);
        file.flush();
        return new Table(tableOffset, (int) tableClusters);
    }

    /** Sets entry {@code index} of a block, packed as QEMU packs refcounts narrower than a byte: low bits first. */
    private static void put(ByteBuffer block, int order, int index, long value) {
        switch (order) {
            case 0, 1, 2 -> {
                int bits = 1 << order;
                int perByte = 8 / bits;
                int at = index / perByte;
                int shift = bits * (index % perByte);
                block.put(at, (byte) (block.get(at) | (value << shift)));
            }
            case 3 -> block.put(index, (byte) value);
            case 4 -> block.putShort(index * 2, (short) value);
            case 5 -> block.putInt(index * 4, (int) value);
            default -> block.putLong(index * 8, value);
        }
    }
}
