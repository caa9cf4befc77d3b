package io.qcow4j.qcow2.write;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;

/**
 * The new image's file past its first clusters, written front to back: every cluster, data or metadata, is appended,
 * so the file never has a cluster no table points to. Compressed clusters are packed byte after byte as QEMU packs
 * them, several to a host cluster and running over into the next; the host clusters they share are the only ones
 * whose refcount is not 1, and the only ones counted here.
 */
final class ClusterAppender {

    /** Small appends gathered into writes this large: few calls, and little memory for the JVM to zero at start. */
    private static final int STAGING = 1 << 20;
    /** Appends this large are written straight from the caller's buffer, not copied into the staging buffer. */
    private static final int DIRECT_WRITE = 256 << 10;

    private final FileChannel channel;
    private final Geometry geometry;
    private final int clusterSize;
    private final ByteBuffer staging = ByteBuffer.allocateDirect(STAGING);
    /** Where staging's first byte goes. */
    private long stagingStart;
    /**
     * Refcounts of the host clusters compressed clusters touch (one per compressed cluster in them), in ascending
     * cluster order as they are appended: two growing arrays, 12 bytes a host cluster, not a map of boxed numbers.
     */
    private long[] sharedClusters = new long[1024];
    private int[] sharedCounts = new int[1024];
    private int shared;

    ClusterAppender(FileChannel channel, Geometry geometry, long start) {
        this.channel = channel;
        this.geometry = geometry;
        this.clusterSize = geometry.clusterSize();
        this.stagingStart = start;
    }

    /** The offset the next byte appended goes to. */
    long position() {
        return stagingStart + staging.position();
    }

    /** Pads to the next cluster boundary: what follows starts a cluster of its own. */
    void align() throws IOException {
        long at = position();
        int pad = (int) (-at & (clusterSize - 1));
        while (pad > 0) {
            if (!staging.hasRemaining()) {
                flush();
            }
            int n = Math.min(pad, staging.remaining());
            for (int i = 0; i < n; i++) {
                staging.put((byte) 0);
            }
            pad -= n;
        }
    }

    /**
     * Appends whole clusters.
     *
     * @param clusters the bytes, a multiple of the cluster size
     * @return the offset of the first
     */
    long appendClusters(ByteBuffer clusters) throws IOException {
        align();
        long offset = position();
        append(clusters);
        return offset;
    }

    /**
     * Sets whole clusters aside, not written (a hole, until someone writes them): what is appended next goes after
     * them.
     *
     * @param bytes a multiple of the cluster size
     * @return the offset of the first
     */
    long reserveClusters(long bytes) throws IOException {
        align();
        flush();
        long offset = stagingStart;
        stagingStart += bytes;
        return offset;
    }

    /**
     * Appends one compressed cluster after the last, in the same host cluster while it has room and its refcount
     * does not overflow the refcount width.
     *
     * @return its offset
     */
    long appendCompressed(ByteBuffer compressed) throws IOException {
        long at = position();
        long first = at / clusterSize;
        if (at % clusterSize != 0 && refcount(first) + 1 > geometry.maxRefcount()) {
            align();
            at = position();
            first = at / clusterSize;
        }
        long last = (at + compressed.remaining() - 1) / clusterSize;
        for (long cluster = first; cluster <= last; cluster++) {
            if (shared > 0 && sharedClusters[shared - 1] == cluster) {
                // the cluster this one starts in the middle of, which holds an earlier compressed cluster
                sharedCounts[shared - 1]++;
            } else {
                if (shared == sharedClusters.length) {
                    sharedClusters = Arrays.copyOf(sharedClusters, shared * 2);
                    sharedCounts = Arrays.copyOf(sharedCounts, shared * 2);
                }
                sharedClusters[shared] = cluster;
                sharedCounts[shared] = 1;
                shared++;
            }
        }
        append(compressed);
        return at;
    }

    private void append(ByteBuffer data) throws IOException {
        if (data.remaining() >= DIRECT_WRITE) {
            flush();
            long at = stagingStart;
            long end = at + data.remaining();
            while (at < end) {
                at += channel.write(data, at);
            }
            stagingStart = end;
            return;
        }
        if (data.remaining() > staging.remaining()) {
            flush();
        }
        staging.put(data);
    }

    /** Writes what is staged. */
    void flush() throws IOException {
        staging.flip();
        long at = stagingStart;
        while (staging.hasRemaining()) {
            at += channel.write(staging, at);
        }
        stagingStart = at;
        staging.clear();
    }

    /** The refcount of a host cluster below the end of the file. */
    long refcount(long cluster) {
        int index = Arrays.binarySearch(sharedClusters, 0, shared, cluster);
        return index >= 0 ? sharedCounts[index] : 1;
    }

    /** Writes bytes at a given offset, outside the appended part (the header and L1 table). */
    void writeAt(ByteBuffer data, long offset) throws IOException {
        long at = offset;
        while (data.hasRemaining()) {
            at += channel.write(data, at);
        }
    }
}
