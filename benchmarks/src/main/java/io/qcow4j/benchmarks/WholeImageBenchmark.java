package io.qcow4j.benchmarks;

import java.io.IOException;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import io.qcow4j.Image;
import io.qcow4j.Images;

/**
 * What {@link ConvertBenchmark} and {@link SequentialReadBenchmark} share so that their scores stand side by side:
 * the same qcow2 images of {@link BenchImages} (virtual size {@code -Dqcow4j.bench.size}), opened once per trial, and
 * the same JMH settings.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx512m")
@Warmup(iterations = 2)
@Measurement(iterations = 5)
public abstract class WholeImageBenchmark {

    @Param({"0", "50", "100"})
    public int allocatedPercent;

    @Param({"NONE", "DEFLATE", "ZSTD"})
    public BenchImages.Compression compression;

    Image image;

    @Setup(Level.Trial)
    public void open() throws IOException, InterruptedException {
        image = Images.open(BenchImages.qcow2(BenchImages.directory(), BenchImages.virtualSize(), allocatedPercent,
                compression));
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        image.close();
    }
}
