package io.qcow4j.qcow2.write;

import java.io.IOException;
import java.nio.ByteBuffer;

import io.qcow4j.BlockStatus;
import io.qcow4j.Image;

/**
 * What a run of guest clusters becomes in the new image, worked out on a worker thread: read (skipping what block
 * status says reads as zeros), compared with the backing file's bytes when there is one, and compressed. Buffers are
 * direct: the file reads into them and the image is written from them without copies through the heap.
 */
final class ChunkReader {

    /** What one guest cluster becomes. */
    enum Kind {
        /** Left unallocated: zeros without a backing file, the backing file's bytes with one. */
        UNALLOCATED,
        /** Reads as zeros, over a backing file that does not. */
        ZERO,
        /** Written as it is. */
        DATA,
        /** Written compressed. */
        COMPRESSED
    }

    /**
     * One run of clusters worked out.
     *
     * @param first the first guest cluster
     * @param kinds what each becomes
     * @param data the clusters' bytes, cluster {@code i} at {@code i * clusterSize}
     * @param compressed the compressed bytes of each {@link Kind#COMPRESSED} cluster
     * @param bytesRead bytes read from the source
     * @param base the backing file's bytes, or null
     */
    record Chunk(long first, Kind[] kinds, ByteBuffer data, ByteBuffer[] compressed, long bytesRead,
                 ByteBuffer base) {
    }

    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(Qcow2Options.MAX_CLUSTER_SIZE)
            .asReadOnlyBuffer();

    private final Image source;
    private final Image backing;
    private final int clusterSize;

    ChunkReader(Image source, Image backing, int clusterSize) {
        this.source = source;
        this.backing = backing;
        this.clusterSize = clusterSize;
    }

    /** Whether chunks need a second buffer, for the backing file's bytes. */
    boolean comparesWithBacking() {
        return backing != null;
    }

    /**
     * Works out {@code count} clusters from {@code first}.
     *
     * @param data a direct buffer of at least {@code count} clusters, any contents
     * @param base as {@code data}, for the backing file's bytes; null without a backing file
     * @param compressor the thread's compressor; null for an uncompressed image
     */
    Chunk read(long first, int count, ByteBuffer data, ByteBuffer base, ClusterCompressor compressor)
            throws IOException {
        long start = first * clusterSize;
        Kind[] kinds = new Kind[count];
        int length = count * clusterSize;
        long read = fill(source, data, length, start);
        if (base != null) {
            fill(backing, base, length, start);
        }
        ByteBuffer zeros = ZEROS.slice(0, clusterSize);
        ByteBuffer[] compressed = compressor == null ? null : new ByteBuffer[count];
        for (int i = 0; i < count; i++) {
            int from = i * clusterSize;
            ByteBuffer cluster = data.slice(from, clusterSize);
            if (base != null && cluster.mismatch(base.slice(from, clusterSize)) == -1) {
                kinds[i] = Kind.UNALLOCATED;
            } else if (cluster.mismatch(zeros) == -1) {
                kinds[i] = base == null ? Kind.UNALLOCATED : Kind.ZERO;
            } else if (compressor != null && (compressed[i] = compressor.compress(cluster)) != null) {
                kinds[i] = Kind.COMPRESSED;
            } else {
                kinds[i] = Kind.DATA;
            }
        }
        return new Chunk(first, kinds, data, compressed, read, base);
    }

    /** Reads {@code length} bytes of {@code image} from {@code start}: zeros where it reads as zeros or ends. */
    private static long fill(Image image, ByteBuffer into, int length, long start) throws IOException {
        long end = Math.min(image.size(), start + length);
        if (end < start + length) {
            zero(into, (int) Math.max(0, end - start), length);
        }
        long at = start;
        long read = 0;
        while (at < end) {
            BlockStatus status = image.blockStatus(at, end - at);
            long runEnd = Math.min(end, status.end());
            if (runEnd <= at) {
                throw new IOException("block status of " + image.format() + " image at " + at + " made no progress");
            }
            if (!status.readsAsZero()) {
                image.readFully(into.slice((int) (at - start), (int) (runEnd - at)), at);
                read += runEnd - at;
            } else {
                zero(into, (int) (at - start), (int) (runEnd - start));
            }
            at = runEnd;
        }
        return read;
    }

    private static void zero(ByteBuffer buffer, int from, int to) {
        for (int at = from; at < to; ) {
            int n = Math.min(to - at, ZEROS.capacity());
            buffer.put(at, ZEROS, 0, n);
            at += n;
        }
    }
}
