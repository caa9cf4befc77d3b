package io.qcow4j.qcow2.write;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a new image into an empty file, its guest clusters given in ascending order: cluster 0 is the header and the
 * L1 table follows (both written last, so that a file cut short has no valid header), then data and each L2 table
 * once its last cluster has been given, then the refcount blocks and table.
 */
final class ImageBuilder {

    /** L1 and L2 entries: the cluster's refcount is exactly 1. */
    static final long COPIED = 1L << 63;
    static final long COMPRESSED = 1L << 62;
    /** A standard L2 entry's "reads as zeros" flag (version 3). */
    static final long ZERO = 1L;
    /** An extended L2 bitmap: every subcluster allocated. */
    static final long ALL_ALLOCATED = 0xffffffffL;
    /** An extended L2 bitmap: every subcluster reads as zeros. */
    static final long ALL_ZERO = 0xffffffffL << 32;

    private final Qcow2Options options;
    private final Geometry geometry;
    private final ClusterAppender file;
    private final long[] l1;
    private final ByteBuffer l2;
    private long l2Index = -1;
    private boolean l2Used;
    private long next;

    ImageBuilder(FileChannel channel, Qcow2Options options, Geometry geometry) {
        this.options = options;
        this.geometry = geometry;
        this.file = new ClusterAppender(channel, geometry, (1L + geometry.l1Clusters()) << geometry.clusterBits());
        this.l1 = new long[geometry.l1Size()];
        this.l2 = ByteBuffer.allocate(geometry.clusterSize());
    }

    /** Bytes written so far, data and metadata, the header and L1 table once finished. */
    long bytesWritten() {
        return file.position();
    }

    Geometry geometry() {
        return geometry;
    }

    /** Whether an unallocated cluster reads as zeros in this image; false with a backing file. */
    boolean unallocatedReadsZero() {
        return options.backingFile().isEmpty();
    }

    /**
     * Guest clusters from {@code first} hold these bytes: whole clusters (the last one of the disk padded with
     * zeros), written at once and contiguous in the file.
     */
    void data(long first, ByteBuffer clusters) throws IOException {
        int count = clusters.remaining() >>> geometry.clusterBits();
        map(first, count, file.appendClusters(clusters), ALL_ALLOCATED);
    }

    /** Points {@code count} guest clusters from {@code first} at as many host clusters from {@code offset}. */
    private void map(long first, int count, long offset, long bitmap) throws IOException {
        for (int i = 0; i < count; i++) {
            entry(first + i, (offset + ((long) i << geometry.clusterBits())) | COPIED, bitmap);
        }
    }

    /**
     * Maps every guest cluster to a data cluster of its own without writing it, as qemu-img's
     * {@code preallocation=metadata} does: each L2 table's clusters in one run, the table after them; call before any
     * other cluster is given.
     *
     * @return the runs set aside, {@code [offset, length]} each, in file order
     */
    List<long[]> preallocate() throws IOException {
        List<long[]> runs = new ArrayList<>();
        long clusters = geometry.guestClusters();
        for (long first = 0; first < clusters; ) {
            int count = (int) Math.min(clusters - first, geometry.l2Entries() - first % geometry.l2Entries());
            long length = (long) count << geometry.clusterBits();
            long offset = file.reserveClusters(length);
            // an extended L2 entry's subclusters stay unallocated, reading as the backing file or zeros, as QEMU
            // leaves them; a standard entry has no bitmap
            map(first, count, offset, 0);
            runs.add(new long[] {offset, length});
            first += count;
        }
        return runs;
    }

    /** Guest cluster {@code cluster} holds these bytes compressed as the image's compression type compresses. */
    void compressed(long cluster, ByteBuffer compressed) throws IOException {
        int length = compressed.remaining();
        long offset = file.appendCompressed(compressed);
        int sizeShift = 62 - (geometry.clusterBits() - 8);
        long extraSectors = ((offset + length - 1) >>> 9) - (offset >>> 9);
        entry(cluster, COMPRESSED | (extraSectors << sizeShift) | offset, 0);
    }

    /**
     * Guest cluster {@code cluster} reads as zeros whatever the backing file holds: the zero flag, or in a version 2
     * image (which has none) a cluster of zeros written out.
     */
    void zero(long cluster) throws IOException {
        if (options.compat() == Qcow2Options.Compat.V0_10) {
            data(cluster, ByteBuffer.allocate(geometry.clusterSize()));
        } else if (geometry.extendedL2()) {
            entry(cluster, 0, ALL_ZERO);
        } else {
            entry(cluster, ZERO, 0);
        }
    }

    private void entry(long cluster, long entry, long bitmap) throws IOException {
        if (cluster < next) {
            throw new IllegalStateException("cluster " + cluster + " after " + (next - 1));
        }
        next = cluster + 1;
        long index = cluster / geometry.l2Entries();
        if (index != l2Index) {
            flushL2();
            l2Index = index;
        }
        int at = (int) (cluster % geometry.l2Entries()) * geometry.l2EntryBytes();
        l2.putLong(at, entry);
        if (geometry.extendedL2()) {
            l2.putLong(at + 8, bitmap);
        }
        l2Used = true;
    }

    private void flushL2() throws IOException {
        if (l2Used) {
            l2.clear();
            long offset = file.appendClusters(l2);
            l1[(int) l2Index] = offset | COPIED;
            java.util.Arrays.fill(l2.array(), (byte) 0);
            l2Used = false;
        }
    }

    /** Writes the last L2 table, the refcounts, the L1 table and the header. */
    void finish() throws IOException {
        flushL2();
        Refcounts.Table table = Refcounts.append(file, geometry);
        long l1Offset = geometry.l1Size() == 0 ? 0 : geometry.clusterSize();
        ByteBuffer l1Bytes = ByteBuffer.allocate(geometry.l1Clusters() << geometry.clusterBits());
        for (long entry : l1) {
            l1Bytes.putLong(entry);
        }
        l1Bytes.clear();
        if (l1Offset != 0) {
            file.writeAt(l1Bytes, l1Offset);
        }
        file.writeAt(Header.build(options, geometry, l1Offset, table.offset(), table.clusters()), 0);
    }
}
