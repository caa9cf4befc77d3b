package io.qcow4j.benchmarks;

import java.nio.ByteBuffer;

import org.openjdk.jmh.annotations.Benchmark;

/**
 * Decodes one 64 KiB zstd cluster, as written by {@code qemu-img convert -c -o compression_type=zstd}, with the
 * reader's {@code ZstdDecompressor} (zstd-jni's direct-buffer streaming, one context per thread), on the same
 * content as {@link InflateBenchmark}. The score is time per cluster.
 * {@code java -jar benchmarks/target/benchmarks.jar ZstdBenchmark -f 1 -wi 2 -i 3}
 */
public class ZstdBenchmark extends ClusterBenchmark {

    @Override
    String compression() {
        return "zstd";
    }

    @Override
    InflateBenchmark.Cluster decompressor() throws ReflectiveOperationException {
        return InflateBenchmark.Cluster.of("io.qcow4j.qcow2.ZstdDecompressor");
    }

    @Benchmark
    public ByteBuffer decodeCluster() throws Throwable {
        return decompressNext();
    }
}
