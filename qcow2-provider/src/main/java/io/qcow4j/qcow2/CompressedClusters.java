package io.qcow4j.qcow2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

import io.qcow4j.internal.HostFile;
import io.qcow4j.spi.CorruptImageException;

/**
 * Reads compressed clusters. Each thread keeps its own codec, buffers and the last cluster it decompressed, so that
 * reading one cluster in small pieces decompresses it once, and threads never wait for each other.
 */
final class CompressedClusters {

    private static final int SECTOR = 512;

    private final HostFile file;
    private final Geometry geometry;
    private final ThreadLocal<State> states;
    /** Counts decompressions, so tests can tell that small reads of one cluster decompress it once. */
    private final LongAdder decompressions = new LongAdder();

    /** One thread's codec, buffers, and which cluster {@code output} holds. */
    private static final class State {
        final ClusterDecompressor decompressor;
        final ByteBuffer input;
        final ByteBuffer output;
        long entry = -1;

        State(ClusterDecompressor decompressor, int clusterSize) {
            this.decompressor = decompressor;
            // the size field can describe at most two clusters' worth of sectors
            this.input = ByteBuffer.allocateDirect(2 * clusterSize);
            this.output = ByteBuffer.allocateDirect(clusterSize);
        }
    }

    CompressedClusters(HostFile file, Geometry geometry, Supplier<ClusterDecompressor> decompressors) {
        this.file = file;
        this.geometry = geometry;
        this.states = ThreadLocal.withInitial(() -> new State(decompressors.get(), geometry.clusterSize()));
    }

    /** Copies {@code length} bytes at {@code inCluster} of the compressed cluster {@code entry} into {@code dst}. */
    void copy(long entry, int inCluster, ByteBuffer dst, int length) throws IOException {
        State state = states.get();
        if (state.entry != entry && length == geometry.clusterSize() && dst.isDirect()) {
            // a whole cluster into a direct buffer: decompressing straight into it spares a 1-cluster copy
            // (about 5 % of the CPU a sequential read of a deflate image takes, InflateBenchmark's usr content)
            decompress(entry, state, dst.slice(dst.position(), length));
            dst.position(dst.position() + length);
            return;
        }
        if (state.entry != entry) {
            state.entry = -1;
            decompress(entry, state, state.output.clear());
            state.entry = entry;
        }
        ByteBuffer cluster = state.output.duplicate();
        cluster.limit(inCluster + length).position(inCluster);
        dst.put(cluster);
    }

    long decompressions() {
        return decompressions.sum();
    }

    private void decompress(long entry, State state, ByteBuffer output) throws IOException {
        int shift = geometry.compressedSizeShift();
        long hostOffset = entry & ((1L << shift) - 1);
        long sectors = ((entry >>> shift) & ((1L << (geometry.clusterBits() - 8)) - 1)) + 1;
        long size = sectors * SECTOR - (hostOffset & (SECTOR - 1));
        if (hostOffset >= file.size()) {
            throw new CorruptImageException(String.format("Image is corrupt: compressed cluster at host offset %#x "
                    + "lies past the end of the %d-byte file", hostOffset, file.size()));
        }
        ByteBuffer input = state.input.clear();
        // the declared size may reach past the end of the file: what is there must suffice
        input.limit((int) Math.min(size, file.size() - hostOffset));
        file.readAvailable(input, hostOffset);
        input.flip();
        decompressions.increment();
        try {
            state.decompressor.decompress(input, output);
        } catch (CorruptImageException e) {
            throw new CorruptImageException(String.format("%s (compressed cluster at host offset %#x, %d bytes)",
                    e.getMessage(), hostOffset, size), e);
        }
    }
}
