package io.qcow4j.benchmarks;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
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
 * Decodes one 64 KiB zstd cluster, as written by {@code qemu-img convert -c -o compression_type=zstd}, with the
 * reader's {@code ZstdDecompressor} (zstd-jni's direct-buffer streaming, one context per thread), on the same
 * content as {@link InflateBenchmark}. The score is time per cluster.
 * {@code java -jar benchmarks/target/benchmarks.jar ZstdBenchmark -f 1 -wi 2 -i 3}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class ZstdBenchmark {

    @Param({"usr", "mixed"})
    public String content;

    private ClusterRing clusters;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        clusters = ClusterRing.of(content, "zstd", InflateBenchmark.Cluster.of("io.qcow4j.qcow2.ZstdDecompressor"));
    }

    @Benchmark
    public ByteBuffer decodeCluster() throws Throwable {
        return clusters.decompressNext();
    }
}
