package io.qcow4j.benchmarks;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What {@link InflateBenchmark} and {@link ZstdBenchmark} share so that their scores stand side by side: up to 1024
 * compressed 64 KiB clusters of the same content, handed to one decompressor in turn (the clusters vary as a reader's
 * would), and the same JMH settings.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public abstract class ClusterBenchmark {

    @Param({"usr", "mixed"})
    public String content;

    private InflateBenchmark.Cluster decompressor;
    private List<ByteBuffer> clusters;
    private ByteBuffer output;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        clusters = InflateBenchmark.Samples.compressedClusters(content, compression(), 65536, 1024);
        decompressor = decompressor();
        output = ByteBuffer.allocateDirect(65536);
    }

    /** qemu-img's compression_type: zlib or zstd. */
    abstract String compression();

    abstract InflateBenchmark.Cluster decompressor() throws Exception;

    /** @return the output buffer, holding the next cluster decompressed */
    final ByteBuffer decompressNext() throws Throwable {
        ByteBuffer src = clusters.get(next).duplicate();
        next = next + 1 == clusters.size() ? 0 : next + 1;
        decompressor.decompress(src, output.clear());
        return output;
    }
}
