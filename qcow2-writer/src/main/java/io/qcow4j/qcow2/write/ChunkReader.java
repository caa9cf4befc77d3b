package io.qcow4j.qcow2.write;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

import io.qcow4j.Image;

/**
 * What a run of guest clusters becomes in the new image, worked out on a worker thread: read (skipping what block
 * status says reads as zeros: {@link DataRanges}), compared with the backing file's bytes when there is one, and
 * compressed. Buffers are direct: the file reads into them, the compressors read and write them, and the image is
 * written from them, without copies through the heap.
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
     * @param compressed the compressed bytes of each {@link Kind#COMPRESSED} cluster, slices of {@code out}
     * @param bytesRead bytes read from the source
     * @param base the backing file's bytes, or null
     * @param out the buffer the compressed clusters are in, or null
     */
    record Chunk(long first, Kind[] kinds, ByteBuffer data, ByteBuffer[] compressed, long bytesRead,
                 ByteBuffer base, ByteBuffer out) {
    }

    private final Image source;
    private final Image backing;
    private final int clusterSize;
    /** One cluster of zeros, compared with and copied (a buffer per conversion, as large as its clusters). */
    private final ByteBuffer zeros;

    ChunkReader(Image source, Image backing, int clusterSize) {
        this.source = source;
        this.backing = backing;
        this.clusterSize = clusterSize;
        this.zeros = ByteBuffer.allocateDirect(clusterSize).asReadOnlyBuffer();
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
     * @param out a direct buffer of {@link ClusterCompressor#outputSize} for {@code count} clusters, for the compressed
     *     clusters; null for an uncompressed image
     */
    Chunk read(long first, int count, ByteBuffer data, List<long[]> dataRanges, ByteBuffer base,
               List<long[]> baseRanges, ClusterCompressor compressor, ByteBuffer out) throws IOException {
        long start = first * clusterSize;
        Kind[] kinds = new Kind[count];
        int length = count * clusterSize;
        // without a backing file a cluster no data range touches is left unallocated as it is: neither zeroed nor
        // scanned (on a sparse disk that is most of the work of finding the zero clusters)
        boolean[] touched = base == null ? touched(count, start, dataRanges) : null;
        long read = fill(source, data, length, start, dataRanges, base == null ? clusterSize : 0);
        if (base != null) {
            fill(backing, base, length, start, baseRanges, 0);
        }
        ByteBuffer[] compressed = compressor == null ? null : new ByteBuffer[count];
        for (int i = 0; i < count; i++) {
            int from = i * clusterSize;
            if (touched != null && !touched[i]) {
                kinds[i] = Kind.UNALLOCATED;
                continue;
            }
            ByteBuffer cluster = data.slice(from, clusterSize);
            if (base != null && cluster.mismatch(base.slice(from, clusterSize)) == -1) {
                kinds[i] = Kind.UNALLOCATED;
            } else if (cluster.mismatch(zeros) == -1) {
                kinds[i] = base == null ? Kind.UNALLOCATED : Kind.ZERO;
            } else if (compressor != null && compress(compressor, cluster, out, from, compressed, i)) {
                kinds[i] = Kind.COMPRESSED;
            } else {
                kinds[i] = Kind.DATA;
            }
        }
        return new Chunk(first, kinds, data, compressed, read, base, out);
    }

    /** Which of the chunk's clusters hold a byte of a data range. */
    private boolean[] touched(int count, long start, List<long[]> ranges) {
        boolean[] touched = new boolean[count];
        for (long[] range : ranges) {
            int last = (int) ((range[1] - 1 - start) / clusterSize);
            for (int i = (int) ((range[0] - start) / clusterSize); i <= last; i++) {
                touched[i] = true;
            }
        }
        return touched;
    }

    /** Compresses cluster {@code i} into its slot of {@code out}; false when it does not shrink. */
    private static boolean compress(ClusterCompressor compressor, ByteBuffer cluster, ByteBuffer out, int at,
                                    ByteBuffer[] compressed, int i) {
        int length = compressor.compress(cluster, out, at);
        if (length < 0) {
            return false;
        }
        compressed[i] = out.slice(at, length);
        return true;
    }

    /**
     * Reads {@code length} bytes of {@code image} from {@code start}: its data ranges, zeros around them in the
     * blocks of {@code unit} bytes the ranges touch (a block they do not touch is left as it was; a unit of
     * 0 zeros every gap).
     */
    private long fill(Image image, ByteBuffer into, int length, long start, List<long[]> ranges, int unit)
            throws IOException {
        long read = 0;
        int done = 0;
        for (long[] range : ranges) {
            int from = (int) (range[0] - start);
            int to = (int) (range[1] - start);
            zeroAround(into, done, from, unit);
            image.readFully(into.slice(from, to - from), range[0]);
            read += to - from;
            done = to;
        }
        zeroAround(into, done, length, unit);
        return read;
    }

    /** Zeros the gap {@code [from, to)} where it shares a block of {@code unit} bytes with either end's data. */
    private void zeroAround(ByteBuffer buffer, int from, int to, int unit) {
        if (unit == 0) {
            zero(buffer, from, to);
            return;
        }
        int afterFrom = Math.min(to, (from + unit - 1) / unit * unit);
        zero(buffer, from, afterFrom);
        zero(buffer, Math.max(afterFrom, to / unit * unit), to);
    }

    private void zero(ByteBuffer buffer, int from, int to) {
        for (int at = from; at < to; ) {
            int n = Math.min(to - at, clusterSize);
            buffer.put(at, zeros, 0, n);
            at += n;
        }
    }
}
