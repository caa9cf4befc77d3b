package io.qcow4j.parallels;

import io.qcow4j.vhd.shared.Extent;
import io.qcow4j.vhd.shared.ExtentMap;

/**
 * The block allocation table: for each cluster of the disk, where it lies in the file, or 0 for a cluster never
 * written (zeros). Clusters past the table's end read as zeros too, as in QEMU. Immutable; runs of unallocated
 * clusters, and of clusters that follow each other in the file, are returned whole.
 *
 * <p>The specification asks only that a cluster start below the file's end, so the last one may be cut short (a
 * writer that did not pad it): its part past the end reads as zeros, as QEMU reads past the end of its file. A
 * cluster that starts at or past the end breaks the rule: it maps to where it says, and a read of it is refused.
 */
final class ParallelsBat implements ExtentMap {

    private final int[] entries;
    private final long clusterBytes;
    private final long unitBytes;
    private final long fileSize;

    ParallelsBat(int[] entries, long clusterBytes, long unitBytes, long fileSize) {
        this.entries = entries;
        this.clusterBytes = clusterBytes;
        this.unitBytes = unitBytes;
        this.fileSize = fileSize;
    }

    private long hostOffset(int index) {
        return index < entries.length ? Integer.toUnsignedLong(entries[index]) * unitBytes : 0;
    }

    @Override
    public Extent extentAt(long offset, long maxLength) {
        long first = offset / clusterBytes;
        long inCluster = offset % clusterBytes;
        long length = Math.min(maxLength, clusterBytes - inCluster);
        long host = first < entries.length ? hostOffset((int) first) : 0;
        boolean inFile = host != 0 && host < fileSize;
        if (inFile && host + inCluster >= fileSize) {
            // the rest of a cluster cut short by the file's end
            return Extent.zero(length);
        }
        for (long next = first + 1; length < maxLength; next++) {
            long following = next < entries.length ? hostOffset((int) next) : 0;
            // a run inside the file stops before a cluster that starts past its end, which a read refuses
            boolean same = host == 0 ? following == 0
                    : following == host + (next - first) * clusterBytes && (following < fileSize) == inFile;
            if (!same) {
                break;
            }
            if (host == 0 && next >= entries.length) {
                // every cluster past the table is unallocated: the rest of the request in one run
                length = maxLength;
                break;
            }
            length = Math.min(maxLength, length + clusterBytes);
        }
        if (host == 0) {
            // never written: nothing of its own, as a cluster a parent would supply (QEMU reports it absent, reading
            // zeros)
            return Extent.parent(length);
        }
        return Extent.data(inFile ? Math.min(length, fileSize - host - inCluster) : length, host + inCluster);
    }
}
