package io.qcow4j.qcow2.write;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

import io.qcow4j.BlockStatus;
import io.qcow4j.Image;

/**
 * What a run of guest clusters becomes in the new image, worked out on a worker thread: read (skipping what block
 * status says reads as zeros), compared with the backing file's bytes when there is one, and compressed.
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
     */
    record Chunk(long first, Kind[] kinds, byte[] data, ByteBuffer[] compressed, long bytesRead) {
    }

    private static final byte[] ZEROS = new byte[Qcow2Options.MAX_CLUSTER_SIZE];

    private final Image source;
    private final Image backing;
    private final int clusterSize;
    private final long sourceSize;

    ChunkReader(Image source, Image backing, int clusterSize) {
        this.source = source;
        this.backing = backing;
        this.clusterSize = clusterSize;
        this.sourceSize = source.size();
    }

    Chunk read(long first, int count, ClusterCompressor compressor) throws IOException {
        long start = first * clusterSize;
        Kind[] kinds = new Kind[count];
        byte[] data = new byte[count * clusterSize];
        long read = fill(source, data, start);
        byte[] base = null;
        if (backing != null) {
            base = new byte[data.length];
            fill(backing, base, start);
        }
        ByteBuffer[] compressed = compressor == null ? null : new ByteBuffer[count];
        for (int i = 0; i < count; i++) {
            int from = i * clusterSize;
            boolean zero = Arrays.equals(data, from, from + clusterSize, ZEROS, 0, clusterSize);
            if (base != null && Arrays.equals(data, from, from + clusterSize, base, from, from + clusterSize)) {
                kinds[i] = Kind.UNALLOCATED;
            } else if (zero) {
                kinds[i] = base == null ? Kind.UNALLOCATED : Kind.ZERO;
            } else if (compressor != null && (compressed[i] = compressor.compress(data, from)) != null) {
                kinds[i] = Kind.COMPRESSED;
            } else {
                kinds[i] = Kind.DATA;
            }
        }
        return new Chunk(first, kinds, data, compressed, read);
    }

    /** Reads what {@code image} holds from {@code start} into {@code into}, leaving zeros where it reads as zeros. */
    private static long fill(Image image, byte[] into, long start) throws IOException {
        long end = Math.min(image.size(), start + into.length);
        long at = start;
        long read = 0;
        while (at < end) {
            BlockStatus status = image.blockStatus(at, end - at);
            long runEnd = Math.min(end, status.end());
            if (runEnd <= at) {
                throw new IOException("block status of " + image.format() + " image at " + at + " made no progress");
            }
            if (!status.readsAsZero()) {
                image.readFully(ByteBuffer.wrap(into, (int) (at - start), (int) (runEnd - at)), at);
                read += runEnd - at;
            }
            at = runEnd;
        }
        return read;
    }
}
