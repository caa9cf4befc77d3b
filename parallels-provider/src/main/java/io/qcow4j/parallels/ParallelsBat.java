package io.qcow4j.parallels;

import io.qcow4j.vhd.shared.Extent;
import io.qcow4j.vhd.shared.ExtentMap;

/**
 * The block allocation table: for each cluster of the disk, where it lies in the file, or 0 for a cluster never
 * written (zeros). Clusters past the table's end read as zeros too, as in QEMU. Immutable; runs of unallocated
 * clusters, and of clusters that follow each other in the file, are returned whole.
 */
final class ParallelsBat implements ExtentMap {

    private final int[] entries;
    private final long clusterBytes;
    private final long unitBytes;

    ParallelsBat(int[] entries, long clusterBytes, long unitBytes) {
        this.entries = entries;
        this.clusterBytes = clusterBytes;
        this.unitBytes = unitBytes;
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
        for (long next = first + 1; length < maxLength; next++) {
            long following = next < entries.length ? hostOffset((int) next) : 0;
            boolean same = host == 0 ? following == 0 : following == host + (next - first) * clusterBytes;
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
        // never written: nothing of its own, as a cluster a parent would supply (QEMU reports it absent, reading zeros)
        return host == 0 ? Extent.parent(length) : Extent.data(length, host + inCluster);
    }
}
