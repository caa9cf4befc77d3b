package io.qcow4j.qcow2;

import java.io.IOException;

import io.qcow4j.CorruptImageException;

/**
 * Translates guest offsets to {@link Extent}s through one L1 table (the active one or a snapshot's) and its L2
 * tables, checking each entry as QEMU does when it reads it.
 */
final class ClusterMap {

    static final long COMPRESSED_FLAG = 1L << 62;
    static final long ZERO_FLAG = 1L;
    static final long HOST_OFFSET_MASK = 0x00fffffffffffe00L;
    static final long COPIED_FLAG = 1L << 63;

    private final Geometry geometry;
    private final L2Cache l2;

    ClusterMap(Geometry geometry, L2Cache l2) {
        this.geometry = geometry;
        this.l2 = l2;
    }

    /**
     * The run that starts at {@code guestOffset} and spans at most {@code maxLength} bytes, merged across clusters of
     * the same kind (and, for stored bytes, contiguous host offsets) within one slice of an L2 table.
     */
    Extent extentAt(long guestOffset, long maxLength) throws IOException {
        long cluster = guestOffset >>> geometry.clusterBits();
        long requestEnd = guestOffset + maxLength;
        long[] slice = l2.slice(cluster);
        if (slice == null) {
            // no L2 table: the L1 entry's whole range is unallocated
            long tableEnd = ((cluster >>> geometry.l2Bits()) + 1) * geometry.bytesPerL2Table();
            return new Extent(Extent.Kind.UNALLOCATED, Math.min(requestEnd, tableEnd) - guestOffset, -1, 0);
        }
        long sliceClusters = l2.sliceClusters();
        long sliceEnd = ((cluster / sliceClusters + 1) * sliceClusters) << geometry.clusterBits();
        long limit = Math.min(requestEnd, sliceEnd);
        Piece first = piece(slice, guestOffset, new Piece());
        if (first.kind == Extent.Kind.COMPRESSED) {
            long end = Math.min(first.end, limit);
            return new Extent(Extent.Kind.COMPRESSED, end - guestOffset, -1, first.entry);
        }
        long runEnd = first.end;
        Piece next = new Piece();
        while (runEnd < limit) {
            piece(slice, runEnd, next);
            boolean hostContinues = first.host == -1
                    ? next.host == -1
                    : next.host == first.host + (runEnd - guestOffset);
            if (next.kind != first.kind || !hostContinues) {
                break;
            }
            runEnd = next.end;
        }
        return new Extent(first.kind, Math.min(runEnd, limit) - guestOffset, first.host, 0);
    }

    /** How one cluster or run of subclusters at {@code at} is stored, and the guest offset where that stops. */
    private static final class Piece {
        Extent.Kind kind;
        long host;
        long end;
        long entry;
    }

    private Piece piece(long[] slice, long at, Piece p) throws CorruptImageException {
        long cluster = at >>> geometry.clusterBits();
        int l2Index = (int) (cluster & (geometry.l2Entries() - 1));
        int i = l2Index & (l2.sliceClusters() - 1);
        long clusterStart = cluster << geometry.clusterBits();
        long inCluster = at - clusterStart;
        if (geometry.extendedL2()) {
            extendedPiece(p, slice[2 * i], slice[2 * i + 1], clusterStart, inCluster, l2Index);
        } else {
            standardPiece(p, slice[i], clusterStart, inCluster, l2Index);
        }
        return p;
    }

    private void standardPiece(Piece p, long entry, long clusterStart, long inCluster, int l2Index)
            throws CorruptImageException {
        p.end = clusterStart + geometry.clusterSize();
        p.host = -1;
        if ((entry & COMPRESSED_FLAG) != 0) {
            compressed(p, entry, l2Index);
            return;
        }
        long host = entry & HOST_OFFSET_MASK;
        if ((entry & ZERO_FLAG) != 0) {
            if (!geometry.zeroFlagAllowed()) {
                throw new CorruptImageException(String.format("Image is corrupt: zero cluster entry found in a "
                        + "version 2 image (L2 index %#x, entry %#x)", l2Index, entry));
            }
            // a zero entry keeps a host cluster only at a non-zero offset: the copied flag tells an external data
            // file's cluster at offset 0 from none in data entries alone (QEMU's ZERO_PLAIN and ZERO_ALLOC)
            boolean allocated = host != 0;
            if (allocated) {
                // the cluster reads as zeros whatever is there, but QEMU refuses a misplaced one all the same
                checkHost(host, clusterStart, l2Index);
            }
            p.kind = Extent.Kind.ZERO;
            p.host = allocated ? host + inCluster : -1;
            return;
        }
        if (!hasHostCluster(entry, host)) {
            p.kind = Extent.Kind.UNALLOCATED;
            return;
        }
        checkHost(host, clusterStart, l2Index);
        p.kind = Extent.Kind.DATA;
        p.host = host + inCluster;
    }

    private void extendedPiece(Piece p, long entry, long bitmap, long clusterStart, long inCluster, int l2Index)
            throws CorruptImageException {
        p.host = -1;
        if ((entry & COMPRESSED_FLAG) != 0) {
            // the bitmap of a compressed cluster is reserved, and QEMU reads the cluster whatever it holds
            p.end = clusterStart + geometry.clusterSize();
            compressed(p, entry, l2Index);
            return;
        }
        int allocated = (int) bitmap;
        int zero = (int) (bitmap >>> 32);
        if ((allocated & zero) != 0) {
            throw new CorruptImageException(String.format("Image is corrupt: subclusters both allocated and zero "
                    + "(bitmap %#x, L2 index %#x)", bitmap, l2Index));
        }
        long host = entry & HOST_OFFSET_MASK;
        boolean hasHost = hasHostCluster(entry, host);
        if (!hasHost && allocated != 0) {
            throw new CorruptImageException(String.format("Image is corrupt: allocated subclusters in a cluster "
                    + "with no host offset (bitmap %#x, L2 index %#x)", bitmap, l2Index));
        }
        if (hasHost) {
            checkHost(host, clusterStart, l2Index);
        }
        int sub = (int) (inCluster >>> geometry.subclusterBits());
        int state = subclusterState(allocated, zero, sub);
        int last = sub;
        while (last + 1 < Geometry.SUBCLUSTERS && subclusterState(allocated, zero, last + 1) == state) {
            last++;
        }
        p.end = clusterStart + ((long) (last + 1) << geometry.subclusterBits());
        p.kind = state == 1 ? Extent.Kind.DATA : state == 2 ? Extent.Kind.ZERO : Extent.Kind.UNALLOCATED;
        p.host = hasHost ? host + inCluster : -1;
    }

    /**
     * Offset 0 means "no host cluster", except in an external data file, where the copied flag marks a cluster
     * that really is at offset 0 (QEMU preallocates data-file-raw images that way).
     */
    private boolean hasHostCluster(long entry, long host) {
        return host != 0 || (geometry.externalData() && (entry & COPIED_FLAG) != 0);
    }

    /** 1 allocated, 2 zero, 0 neither. */
    private static int subclusterState(int allocated, int zero, int sub) {
        return ((allocated >>> sub) & 1) | (((zero >>> sub) & 1) << 1);
    }

    private void compressed(Piece p, long entry, int l2Index) throws CorruptImageException {
        if (geometry.externalData()) {
            throw new CorruptImageException(String.format("Image is corrupt: compressed cluster (L2 index %#x) in "
                    + "an image with an external data file", l2Index));
        }
        p.kind = Extent.Kind.COMPRESSED;
        p.entry = entry & ~COPIED_FLAG;
    }

    /**
     * A host cluster must be cluster-aligned; in an external data file, it must also be the guest cluster itself
     * (QEMU lays the data file out as the raw disk, and refuses any other offset).
     */
    private void checkHost(long host, long guestCluster, int l2Index) throws CorruptImageException {
        if ((host & geometry.clusterMask()) != 0) {
            throw new CorruptImageException(String.format("Image is corrupt: cluster allocation offset %#x "
                    + "unaligned (L2 index %#x)", host, l2Index));
        }
        if (geometry.externalData() && host != guestCluster) {
            throw new CorruptImageException(String.format("Image is corrupt: external data file host cluster "
                    + "offset %#x does not match guest cluster offset %#x (L2 index %#x)", host, guestCluster,
                    l2Index));
        }
    }
}
