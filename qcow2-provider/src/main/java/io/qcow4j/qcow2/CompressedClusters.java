package io.qcow4j.qcow2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

import io.qcow4j.CorruptImageException;
import io.qcow4j.spi.HostFile;

/**
 * Reads compressed clusters. Each thread keeps its own codec, and the last cluster it decompressed in buffers it
 * shares with the other images of the chain ({@link ScratchBuffers}), so that reading one cluster in small pieces
 * decompresses it once, and threads never wait for each other.
 */
final class CompressedClusters {

    private static final int SECTOR = 512;

    private final HostFile file;
    private final Geometry geometry;
    private final ThreadLocal<ClusterDecompressor> decompressors;
    private final ScratchBuffers buffers;
    /** Counts decompressions, so tests can tell that small reads of one cluster decompress it once. */
    private final LongAdder decompressions = new LongAdder();

    CompressedClusters(HostFile file, Geometry geometry, Supplier<ClusterDecompressor> decompressors,
                       ScratchBuffers buffers) {
        this.file = file;
        this.geometry = geometry;
        this.decompressors = ThreadLocal.withInitial(decompressors);
        this.buffers = buffers;
    }

    /** Copies {@code length} bytes at {@code inCluster} of the compressed cluster {@code entry} into {@code dst}. */
    void copy(long entry, int inCluster, ByteBuffer dst, int length) throws IOException {
        ScratchBuffers.Scratch scratch = buffers.forThisThread(geometry.clusterSize());
        if (!scratch.holds(this, entry) && length == geometry.clusterSize() && dst.isDirect()) {
            // a whole cluster into a direct buffer: decompressing straight into it spares a 1-cluster copy
            // (about 5 % of the CPU a sequential read of a deflate image takes, InflateBenchmark's usr content)
            decompress(entry, scratch.input, dst.slice(dst.position(), length));
            dst.position(dst.position() + length);
            return;
        }
        if (!scratch.holds(this, entry)) {
            scratch.forget();
            decompress(entry, scratch.input, scratch.output.clear().limit(geometry.clusterSize()));
            scratch.holding(this, entry);
        }
        ByteBuffer cluster = scratch.output.duplicate();
        cluster.limit(inCluster + length).position(inCluster);
        dst.put(cluster);
    }

    long decompressions() {
        return decompressions.sum();
    }

    private void decompress(long entry, ByteBuffer scratchInput, ByteBuffer output) throws IOException {
        int shift = geometry.compressedSizeShift();
        long hostOffset = entry & ((1L << shift) - 1);
        long sectors = ((entry >>> shift) & ((1L << (geometry.clusterBits() - 8)) - 1)) + 1;
        long size = sectors * SECTOR - (hostOffset & (SECTOR - 1));
        if (hostOffset >= file.size()) {
            throw new CorruptImageException(String.format("Image is corrupt: compressed cluster at host offset %#x "
                    + "lies past the end of the %d-byte file", hostOffset, file.size()));
        }
        ByteBuffer input = scratchInput.clear();
        // the declared size may reach past the end of the file: what is there must suffice
        input.limit((int) Math.min(size, file.size() - hostOffset));
        file.readAvailable(input, hostOffset);
        input.flip();
        decompressions.increment();
        try {
            decompressors.get().decompress(input, output);
        } catch (CorruptImageException e) {
            throw new CorruptImageException(String.format("%s (compressed cluster at host offset %#x, %d bytes)",
                    e.getMessage(), hostOffset, size), e);
        }
    }
}
