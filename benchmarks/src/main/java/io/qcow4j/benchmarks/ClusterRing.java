package io.qcow4j.benchmarks;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * Compressed 64 KiB clusters handed to one decompressor in turn, over and over: one call is one cluster, and the
 * clusters vary as a reader's would. For one thread, as a {@code Scope.Thread} state holds it.
 */
final class ClusterRing {

    private static final int CLUSTER_SIZE = 65536;

    private final List<ByteBuffer> clusters;
    private final InflateBenchmark.Cluster decompressor;
    private final ByteBuffer output = ByteBuffer.allocateDirect(CLUSTER_SIZE);
    private int next;

    private ClusterRing(List<ByteBuffer> clusters, InflateBenchmark.Cluster decompressor) {
        this.clusters = clusters;
        this.decompressor = decompressor;
    }

    /** Up to 1024 clusters of the content ({@code usr} or {@code mixed}) compressed with qemu-img's compression. */
    static ClusterRing of(String content, String compression, InflateBenchmark.Cluster decompressor)
            throws Exception {
        return new ClusterRing(InflateBenchmark.Samples.compressedClusters(content, compression, CLUSTER_SIZE, 1024),
                decompressor);
    }

    /** @return the output buffer, holding the next cluster decompressed */
    ByteBuffer decompressNext() throws Throwable {
        ByteBuffer src = clusters.get(next).duplicate();
        next = next + 1 == clusters.size() ? 0 : next + 1;
        decompressor.decompress(src, output.clear());
        return output;
    }
}
