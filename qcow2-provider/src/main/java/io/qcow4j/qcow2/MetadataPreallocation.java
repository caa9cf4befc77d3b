package io.qcow4j.qcow2;

import java.io.IOException;
import java.nio.ByteBuffer;

import io.qcow4j.nativeaccess.FileAllocation;
import io.qcow4j.spi.HostFile;

/**
 * QEMU's guess (qcow2_detect_metadata_preallocation) that an image was made with {@code preallocation=metadata} or
 * otherwise holds clusters that its file never stored: more clusters are in use, by the refcounts, than the file
 * occupies on disk by a ninth. Only then does QEMU ask the file where its holes are, and report the data clusters
 * lying in a hole as reading zero; {@code qemu-img map} shows the answer, so we ask the same question.
 */
final class MetadataPreallocation {

    /** Bits 9-63 of a refcount table entry; the low bits are reserved. */
    private static final long REFCOUNT_BLOCK_OFFSET = ~0x1ffL;

    private MetadataPreallocation() {
    }

    /**
     * Whether at least {@code max(real * 10 / 9, real + 2)} clusters have a non-zero refcount, {@code real} being the
     * clusters the file occupies on disk. A refcount structure that cannot be read makes the answer no, so that the
     * map stays as the L2 tables give it (QEMU gives up on the whole query then).
     */
    static boolean detected(HostFile file, Qcow2Header header) {
        try {
            long clusterSize = header.clusterSize();
            long realClusters = FileAllocation.allocatedBytes(file.path()) / clusterSize;
            long threshold = Math.max(realClusters * 10 / 9, realClusters + 2);
            long endCluster = (file.size() + clusterSize - 1) / clusterSize;
            return clustersInUse(file, header, endCluster, threshold) >= threshold;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Counts the clusters below {@code endCluster} with a non-zero refcount, stopping at {@code enough}. */
    private static long clustersInUse(HostFile file, Qcow2Header header, long endCluster, long enough)
            throws IOException {
        int clusterSize = header.clusterSize();
        int refcountBits = 1 << header.refcountOrder();
        long perBlock = (long) clusterSize * 8 / refcountBits;
        long blocks = Math.min((endCluster + perBlock - 1) / perBlock,
                (long) header.refcountTableClusters() * clusterSize / 8);
        ByteBuffer table = ByteBuffer.allocate((int) (blocks * 8));
        file.readFully(table, header.refcountTableOffset(), "refcount table");
        ByteBuffer block = ByteBuffer.allocate(clusterSize);
        long count = 0;
        for (int i = 0; i < blocks && count < enough; i++) {
            long blockOffset = table.getLong(i * 8) & REFCOUNT_BLOCK_OFFSET;
            if (blockOffset == 0) {
                continue;
            }
            file.readFully(block.clear(), blockOffset, "refcount block");
            long entries = Math.min(perBlock, endCluster - i * perBlock);
            count += nonZero(block, refcountBits, (int) entries);
        }
        return count;
    }

    /** How many of the first {@code entries} refcounts of {@code block} are not zero. */
    static long nonZero(ByteBuffer block, int bits, int entries) {
        long count = 0;
        if (bits >= 8) {
            int bytes = bits / 8;
            for (int e = 0; e < entries; e++) {
                for (int b = 0; b < bytes; b++) {
                    if (block.get(e * bytes + b) != 0) {
                        count++;
                        break;
                    }
                }
            }
            return count;
        }
        // narrower refcounts fill each byte from its least significant bit, as QEMU packs them
        int mask = (1 << bits) - 1;
        int perByte = 8 / bits;
        for (int e = 0; e < entries; e++) {
            int value = (block.get(e / perByte) >>> ((e % perByte) * bits)) & mask;
            if (value != 0) {
                count++;
            }
        }
        return count;
    }
}
