package io.qcow4j.benchmarks;

import java.io.IOException;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import io.qcow4j.spi.Image;
import io.qcow4j.spi.Images;

/**
 * Reads a whole image front to back with {@link Image#read}, 1 MiB at a time on one thread: the reader's own speed,
 * holes and zero clusters included, to set against {@link ConvertBenchmark}.
 * {@code java -jar benchmarks/target/benchmarks.jar SequentialRead -Dqcow4j.bench.size=256}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx512m")
@Warmup(iterations = 2)
@Measurement(iterations = 5)
public class SequentialReadBenchmark {

    @Param({"0", "50", "100"})
    public int allocatedPercent;

    @Param({"NONE", "DEFLATE", "ZSTD"})
    public BenchImages.Compression compression;

    private Image image;
    private ByteBuffer buffer;

    @Setup(Level.Trial)
    public void open() throws IOException, InterruptedException {
        image = Images.open(BenchImages.qcow2(BenchImages.directory(), BenchImages.virtualSize(), allocatedPercent,
                compression));
        buffer = ByteBuffer.allocateDirect(1 << 20);
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        image.close();
    }

    /** @return the bytes read, so that the reads are not optimised away */
    @Benchmark
    public long read() throws IOException {
        long size = image.size();
        long position = 0;
        while (position < size) {
            buffer.clear();
            int n = image.read(buffer, position);
            if (n < 0) {
                break;
            }
            position += n;
        }
        return position + buffer.get(0);
    }
}
